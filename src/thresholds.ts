import { UsageError } from "./errors.js";
import { formatDuration, formatDurationFlag } from "./options.js";
import type { Mode, Report } from "./report/model.js";

/** What a CI job asks of a comparison; each one missed makes the exit code 1. */
export interface Thresholds {
  /** `--min-speedup`: the mean speed-up must be at least this. */
  minSpeedup: number | null;
  /** `--max-wall <mode>=<duration>`: that mode's mean wall must be at most this. */
  maxWall: { mode: Mode; ms: number }[];
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

/** One line per threshold the report misses, naming the threshold, the measured value and the limit. */
export function missedThresholds(report: Report, thresholds: Thresholds): string[] {
  const missed: string[] = [];
  const { comparison, modes } = report.summary;
  if (
    thresholds.minSpeedup !== null &&
    comparison !== null &&
    comparison.speedup < thresholds.minSpeedup
  ) {
    missed.push(
      `--min-speedup ${thresholds.minSpeedup}: ${comparison.mode} was ${comparison.speedup.toFixed(2)}× faster than ${comparison.baseline}, below ${thresholds.minSpeedup}×`,
    );
  }
  for (const { mode, ms } of thresholds.maxWall) {
    const wall = modes[mode]?.wallMs.mean;
    if (wall === undefined) {
      missed.push(`--max-wall ${mode}=${formatDurationFlag(ms)}: ${mode} has no measured run`);
    } else if (wall > ms) {
      missed.push(
        `--max-wall ${mode}=${formatDurationFlag(ms)}: ${mode} took ${formatDuration(round(wall))} (mean wall), above ${formatDuration(ms)}`,
      );
    }
  }
  const failed = Object.values(modes).reduce((count, mode) => count + mode.failed, 0);
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
  if (thresholds.minSpeedup !== null) names.push(`--min-speedup ${thresholds.minSpeedup}`);
  for (const { mode, ms } of thresholds.maxWall) {
    names.push(`--max-wall ${mode}=${formatDurationFlag(ms)}`);
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
