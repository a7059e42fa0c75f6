import { UsageError } from "./errors.js";
import { formatDuration, formatDurationFlag } from "./options.js";
import type { Concurrency, Mode, ModeSummary, Report, VariantSummary } from "./report/model.js";

/** What a CI job asks of a comparison; each one missed makes the exit code 1. */
export interface Thresholds {
  /** `--min-speedup`: the mean speed-up must be at least this. */
  minSpeedup: number | null;
  /**
   * `--min-speedup <x>@<c>`: in a sweep, the concurrency whose speed-up counts; null (or absent)
   * for the best variant's.
   */
  minSpeedupAt?: Concurrency | null;
  /**
   * `--max-wall <mode>[@<c>]=<duration>`: that mode's mean wall must be at most this; in a sweep,
   * the variant at `concurrency`, or the fastest variant without it.
   */
  maxWall: { mode: Mode; ms: number; concurrency?: Concurrency }[];
  /** `--max-failures`: failed requests over the measured runs; null means any number. */
  maxFailures: number | null;
  /** Whether `--max-failures` was given, or is the default (0, or none with --ignore-failures). */
  maxFailuresExplicit: boolean;
}

/** Refuses thresholds that the chosen modes could never measure, before anything is fetched. */
export function validateThresholds(thresholds: Thresholds, modes: readonly Mode[]): void {
  if (
    thresholds.minSpeedup !== null &&
    !(modes.includes("concurrent") && (modes.includes("sequential") || modes.includes("blocking")))
  ) {
    throw new UsageError(
      "`--min-speedup` needs the concurrent mode and a baseline (sequential or blocking) in `--modes`",
    );
  }
  for (const { mode } of thresholds.maxWall) {
    if (!modes.includes(mode)) {
      throw new UsageError(
        `\`--max-wall\` names ${mode}, which is not in \`--modes\` (${modes.join(",")})`,
      );
    }
  }
}

/**
 * Refuses a threshold that names a concurrency (`concurrent@32`, `--min-speedup 3@32`) the run
 * will not measure, once the run's concurrency values are known and before anything is fetched:
 * it could only ever be missed.
 */
export function validateThresholdConcurrency(
  thresholds: Thresholds,
  concurrencies: readonly Concurrency[],
): void {
  const named: [string, Concurrency][] = [];
  const speedupAt = thresholds.minSpeedupAt ?? null;
  if (thresholds.minSpeedup !== null && speedupAt !== null) {
    named.push([speedupName(thresholds), speedupAt]);
  }
  for (const limit of thresholds.maxWall) {
    if (limit.concurrency !== undefined) {
      named.push([
        `--max-wall ${wallName(limit)}=${formatDurationFlag(limit.ms)}`,
        limit.concurrency,
      ]);
    }
  }
  const measured = concurrencies.map(String);
  for (const [flag, concurrency] of named) {
    if (measured.includes(String(concurrency))) continue;
    throw new UsageError(
      `\`${flag}\` names -c ${concurrency}, which this run does not measure (it measures -c ${measured.join(",")})`,
    );
  }
}

/** One line per threshold the report misses, naming the threshold, the measured value and the limit. */
export function missedThresholds(report: Report, thresholds: Thresholds): string[] {
  const missed: string[] = [];
  const { comparison, modes, variants } = report.summary;
  if (variants !== undefined && thresholds.minSpeedup !== null) {
    const name = speedupName(thresholds);
    const at = thresholds.minSpeedupAt ?? null;
    const chosen =
      at === null ? bestBy(variants, (v) => v.speedup ?? 0, "max") : variants[`concurrent@${at}`];
    if (chosen === undefined || chosen.speedup === null) {
      missed.push(
        `${name}: ${at === null ? "no variant has a" : `concurrent@${at} has no`} speed-up against a baseline`,
      );
    } else if (chosen.speedup < thresholds.minSpeedup) {
      missed.push(
        `${name}: concurrent@${chosen.concurrency} was ${chosen.speedup.toFixed(2)}× faster than ${report.summary.sweep?.baseline ?? "the baseline"}, below ${thresholds.minSpeedup}×`,
      );
    }
  }
  if (
    thresholds.minSpeedup !== null &&
    comparison !== null &&
    comparison.speedup < thresholds.minSpeedup
  ) {
    missed.push(
      `--min-speedup ${thresholds.minSpeedup}: ${comparison.mode} was ${comparison.speedup.toFixed(2)}× faster than ${comparison.baseline}, below ${thresholds.minSpeedup}×`,
    );
  }
  for (const limit of thresholds.maxWall) {
    const { ms } = limit;
    const name = wallName(limit);
    const [label, summary] = wallSubject(report, limit);
    const wall = summary?.wallMs.mean;
    if (wall === undefined) {
      missed.push(`--max-wall ${name}=${formatDurationFlag(ms)}: ${label} has no measured run`);
    } else if (wall > ms) {
      missed.push(
        `--max-wall ${name}=${formatDurationFlag(ms)}: ${label} took ${formatDuration(round(wall))} (mean wall), above ${formatDuration(ms)}`,
      );
    }
  }
  const failed = [...Object.values(modes), ...Object.values(variants ?? {})].reduce(
    (count, mode) => count + mode.failed,
    0,
  );
  if (thresholds.maxFailures !== null && failed > thresholds.maxFailures) {
    const requests = `${failed} request${failed === 1 ? "" : "s"} failed`;
    missed.push(
      thresholds.maxFailuresExplicit
        ? `--max-failures ${thresholds.maxFailures}: ${requests}, above ${thresholds.maxFailures}`
        : `${requests} (use --ignore-failures or --max-failures <n> to allow failures)`,
    );
  }
  return missed;
}

function speedupName(thresholds: Thresholds): string {
  const at = thresholds.minSpeedupAt ?? null;
  return `--min-speedup ${thresholds.minSpeedup}${at === null ? "" : `@${at}`}`;
}

function wallName(limit: Thresholds["maxWall"][number]): string {
  return limit.concurrency === undefined ? limit.mode : `${limit.mode}@${limit.concurrency}`;
}

/** What a wall limit applies to: the mode, the named variant, or in a sweep the fastest variant. */
function wallSubject(
  report: Report,
  limit: Thresholds["maxWall"][number],
): [string, ModeSummary | undefined] {
  const { variants, modes } = report.summary;
  if (limit.concurrency !== undefined) {
    const key = `${limit.mode}@${limit.concurrency}`;
    return [
      key,
      variants?.[key] ??
        (String(report.options.concurrency) === String(limit.concurrency)
          ? modes[limit.mode]
          : undefined),
    ];
  }
  if (variants !== undefined && limit.mode === "concurrent") {
    const fastest = bestBy(variants, (v) => v.wallMs.mean, "min");
    return [
      fastest === undefined ? "concurrent" : `concurrent@${fastest.concurrency} (the fastest)`,
      fastest,
    ];
  }
  return [limit.mode, modes[limit.mode]];
}

function bestBy(
  variants: Record<string, VariantSummary>,
  value: (v: VariantSummary) => number,
  best: "min" | "max",
): VariantSummary | undefined {
  let chosen: VariantSummary | undefined;
  for (const v of Object.values(variants)) {
    if (
      chosen === undefined ||
      (best === "min" ? value(v) < value(chosen) : value(v) > value(chosen))
    ) {
      chosen = v;
    }
  }
  return chosen;
}

function round(ms: number): number {
  return ms >= 100 ? Math.round(ms) : Math.round(ms * 10) / 10;
}

/**
 * Every threshold asked for, named as its flag reads, with its missed line (or null when met):
 * one test case each in JUnit. The default `--max-failures 0` is named `no failed requests`.
 */
export function checkedThresholds(
  report: Report,
  thresholds: Thresholds,
): { name: string; missed: string | null }[] {
  const missed = missedThresholds(report, thresholds);
  const names: string[] = [];
  if (thresholds.minSpeedup !== null) names.push(speedupName(thresholds));
  for (const limit of thresholds.maxWall) {
    names.push(`--max-wall ${wallName(limit)}=${formatDurationFlag(limit.ms)}`);
  }
  if (thresholds.maxFailures !== null) {
    names.push(
      thresholds.maxFailuresExplicit
        ? `--max-failures ${thresholds.maxFailures}`
        : "no failed requests",
    );
  }
  return names.map((name) => ({
    name,
    missed:
      missed.find((line) =>
        name === "no failed requests" ? / failed \(use /.test(line) : line.startsWith(`${name}:`),
      ) ?? null,
  }));
}
