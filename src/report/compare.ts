/**
 * Two reports → what changed, per variant and per URL, with a verdict from a significance test.
 * Pure: reads two reports, formats nothing but the reasons and the differences.
 *
 * A variant is a mode at one concurrency: `sequential`, `blocking`, and the concurrent mode at
 * each concurrency it ran (`concurrent@4`; one per value of a sweep). Variants are paired by
 * mode and concurrency, so a sweep is compared value by value, and against a single run at the
 * value they share; a variant on one side only is listed as not compared, with the reason.
 *
 * A change is current / baseline (above 1: slower). Walls are compared with Welch's t-test when
 * both sides have at least two measured runs; latencies as `latencyChange` says. A change is
 * significant when the test's two-sided p-value is below 1 − confidence.
 */

import { mean, median, ratioWithUncertainty, stddev } from "../stats.js";
import type { Concurrency, Mode, Report, RequestResult, RunResult } from "./model.js";
import { variantKey } from "./model.js";
import { mannWhitneyU, welchTTest } from "./significance.js";

/** The confidence level every verdict is stated at. */
export const CONFIDENCE = 0.95;

export const VERDICTS = ["faster", "slower", "no significant change", "cannot tell"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Change {
  /** Baseline figure (mean wall, or median latency), in ms; null when the side has none. */
  baselineMs: number | null;
  currentMs: number | null;
  /** current / baseline: above 1 is slower. Null when either figure is missing or 0. */
  ratio: number | null;
  /** Propagated standard deviation of the ratio; null when a side has one value. */
  ratioStddev: number | null;
  /** The test behind the verdict; null when none could be run. */
  test: "welch-t" | "mann-whitney-u" | null;
  /** Its two-sided p-value; null when no test was run. */
  pValue: number | null;
  verdict: Verdict;
  /** Why the verdict is `cannot tell`; null otherwise. */
  reason: string | null;
}

export interface ModeChange {
  mode: Mode;
  /**
   * What is compared: the mode, or `concurrent@<c>` when a side swept the concurrency or the
   * two ran it at different values.
   */
  variant: string;
  /** Requests in flight at once (1 for sequential and blocking). */
  concurrency: Concurrency;
  /** Mean wall of the measured runs. */
  wall: Change;
  /** Median latency of the ok requests to the URLs both reports share. */
  latency: Change;
  /** The verdict that counts for the mode: the wall's when it could be told, else the latency's. */
  verdict: Verdict;
  /** current / baseline behind that verdict; null when it cannot be told. */
  ratio: number | null;
}

export interface UrlChange {
  /** The URL, or `line N` when paired by line. */
  url: string;
  mode: Mode;
  /** The variant, as `ModeChange.variant`. */
  variant: string;
  /** Median latency of the URL's ok requests over the measured runs; Welch's t over them. */
  latency: Change;
}

export interface ReportComparison {
  confidence: number;
  baseline: { source: string; startedAt: string };
  current: { source: string; startedAt: string };
  /** Everything that differs between the two reports' settings and lists, one line each. */
  differences: string[];
  /** Per variant both reports have, in the baseline's order. */
  modes: ModeChange[];
  /** Variants of either report that could not be compared, and why. */
  notCompared: NotCompared[];
  urls: UrlChange[];
}

/** A variant of one report (or of both) left out of the comparison. */
export interface NotCompared {
  variant: string;
  /** Which report has it: `baseline`, `current`, or `both` when both have it but one has no run. */
  side: "baseline" | "current" | "both";
  /** One line: `only in the baseline; the current report ran the concurrent mode at -c 4`. */
  reason: string;
}

/** How requests of the two reports are paired: by URL text, or by line of the list. */
export const MATCHES = ["url", "line"] as const;
export type Match = (typeof MATCHES)[number];

/**
 * Compares `current` against `baseline`; only variants and URLs both have are compared. With
 * `match: "line"`, the URL on the same line of each list is taken as the same target (the
 * same paths on another host, say); the URLs that differ are listed.
 */
export function compareReports(
  baseline: Report,
  current: Report,
  match: Match = "url",
): ReportComparison {
  const differences = optionDifferences(baseline, current);
  const keyOf = (request: RequestResult) =>
    match === "url" ? request.url : `line ${request.line}`;
  const baselineUrls = keysOf(baseline, keyOf);
  const currentUrls = keysOf(current, keyOf);
  const shared = new Set([...baselineUrls].filter((url) => currentUrls.has(url)));
  const onlyBaseline = [...baselineUrls].filter((url) => !shared.has(url));
  const onlyCurrent = [...currentUrls].filter((url) => !shared.has(url));
  if (match === "line") {
    const renamed = lineRenames(baseline, current);
    if (renamed > 0) {
      differences.push(
        `${renamed} line${renamed === 1 ? " has" : "s have"} another URL in the current report (paired by line, as --match line asks)`,
      );
    }
  }
  if (onlyBaseline.length > 0) differences.push(urlDifference("baseline", onlyBaseline));
  if (onlyCurrent.length > 0) differences.push(urlDifference("current", onlyCurrent));
  // Paired by line, the walls still cover the same number of targets in the same order.
  const sameList = onlyBaseline.length === 0 && onlyCurrent.length === 0;

  const modes: ModeChange[] = [];
  const urls: UrlChange[] = [];
  const notCompared: NotCompared[] = [];
  const named = variantsNamed(baseline, current);
  const currentUnits = new Map(unitsOf(current).map((unit) => [unitKey(unit), unit]));
  const baselineUnits = unitsOf(baseline);
  for (const before of baselineUnits) {
    const { mode, concurrency } = before;
    const variant = named ? variantName(before) : mode;
    const after = currentUnits.get(unitKey(before));
    if (after === undefined) {
      notCompared.push({ variant, side: "baseline", reason: onlyIn("baseline", before, current) });
      continue;
    }
    if (before.runs.length === 0 || after.runs.length === 0) {
      const side =
        before.runs.length === 0 && after.runs.length === 0
          ? "either report"
          : before.runs.length === 0
            ? "the baseline"
            : "the current report";
      notCompared.push({ variant, side: "both", reason: `no measured run in ${side}` });
      continue;
    }
    const wall = sameList
      ? wallChange(before.runs, after.runs)
      : cannotTell(
          mean(before.runs.map((run) => run.wallMs)),
          mean(after.runs.map((run) => run.wallMs)),
          "the URL lists differ, so the walls cover different work",
        );
    const latency = latencyChange(before.runs, after.runs, mode, {
      shared,
      keyOf,
      perUrl: false,
    });
    const primary = wall.verdict === "cannot tell" ? latency : wall;
    modes.push({
      mode,
      variant,
      concurrency,
      wall,
      latency,
      verdict: primary.verdict,
      ratio: primary.verdict === "cannot tell" ? null : primary.ratio,
    });
    for (const url of shared) {
      urls.push({
        url,
        mode,
        variant,
        latency: latencyChange(before.runs, after.runs, mode, {
          shared: new Set([url]),
          keyOf,
          perUrl: true,
        }),
      });
    }
  }
  const baselineKeys = new Set(baselineUnits.map(unitKey));
  for (const after of unitsOf(current)) {
    if (baselineKeys.has(unitKey(after))) continue;
    notCompared.push({
      variant: named ? variantName(after) : after.mode,
      side: "current",
      reason: onlyIn("current report", after, baseline),
    });
  }
  return {
    confidence: CONFIDENCE,
    baseline: { source: baseline.source, startedAt: baseline.startedAt },
    current: { source: current.source, startedAt: current.startedAt },
    differences,
    modes,
    notCompared,
    urls,
  };
}

/** A mode at one concurrency in one report, with its measured runs. */
interface Unit {
  mode: Mode;
  concurrency: Concurrency;
  runs: RunResult[];
}

/** The concurrency values the concurrent mode ran at: a sweep's, else the one `-c`. */
function concurrencies(report: Report): Concurrency[] {
  const { sweep, concurrency } = report.options;
  return sweep !== undefined && sweep.length > 1 ? sweep : [concurrency];
}

/** The report's variants in its order: each mode, the concurrent one once per concurrency. */
function unitsOf(report: Report): Unit[] {
  const values = concurrencies(report);
  return report.options.modes.flatMap((mode): Unit[] => {
    const runs = measured(report, mode);
    if (mode !== "concurrent") return [{ mode, concurrency: 1, runs }];
    if (values.length === 1) return [{ mode, concurrency: values[0] ?? "all", runs }];
    return values.map((concurrency) => ({
      mode,
      concurrency,
      runs: runs.filter((run) => String(run.concurrency) === String(concurrency)),
    }));
  });
}

function unitKey(unit: Unit): string {
  return `${unit.mode}@${unit.concurrency}`;
}

function variantName(unit: Unit): string {
  return variantKey(unit.mode, unit.concurrency, true);
}

/**
 * Whether the concurrent mode is named with its concurrency (`concurrent@4`): when a side swept
 * it, or the two ran it at different values. Two runs at one value keep the plain mode name.
 */
function variantsNamed(baseline: Report, current: Report): boolean {
  const before = concurrencies(baseline);
  const after = concurrencies(current);
  return before.length > 1 || after.length > 1 || String(before[0]) !== String(after[0]);
}

/** Why a variant of one report has no partner in the other. */
function onlyIn(side: "baseline" | "current report", unit: Unit, other: Report): string {
  const where = `only in the ${side}`;
  const otherName = side === "baseline" ? "the current report" : "the baseline";
  if (!other.options.modes.includes(unit.mode)) {
    return `${where}; ${otherName} did not run the ${unit.mode} mode`;
  }
  return `${where}; ${otherName} ran the concurrent mode at -c ${concurrencies(other).join(",")}`;
}

/**
 * Variants whose verdict is `slower` by more than `percent` (ratio above 1 + percent/100). A
 * regression that is not significant, or smaller than the percentage, is not one.
 */
export function regressions(comparison: ReportComparison, percent: number): ModeChange[] {
  return comparison.modes.filter(
    (mode) => mode.verdict === "slower" && mode.ratio !== null && mode.ratio > 1 + percent / 100,
  );
}

const COMPARED_OPTIONS = [
  "concurrency",
  "method",
  "headers",
  "timeoutMs",
  "maxRedirects",
  "ratePerSecond",
] as const;

/** Settings that change what is measured; runs and warm-ups only change how often. */
function optionDifferences(baseline: Report, current: Report): string[] {
  const lines: string[] = [];
  for (const key of COMPARED_OPTIONS) {
    // A sweep's concurrency is its list of values: `[1,4]` against a single run's `4`.
    const value = (report: Report) =>
      JSON.stringify(key === "concurrency" ? concurrencyOption(report) : report.options[key]);
    const before = value(baseline);
    const after = value(current);
    if (before !== after) lines.push(`option ${key}: baseline ${before}, current ${after}`);
  }
  const before = JSON.stringify(baseline.shard ?? null);
  const after = JSON.stringify(current.shard ?? null);
  if (before !== after) lines.push(`shard: baseline ${before}, current ${after}`);
  return lines;
}

function concurrencyOption(report: Report): Concurrency | Concurrency[] {
  const values = concurrencies(report);
  return values.length > 1 ? values : report.options.concurrency;
}

function urlDifference(side: "baseline" | "current", urls: string[]): string {
  const shown = urls.slice(0, 3).join(", ");
  const more = urls.length > 3 ? ` and ${urls.length - 3} more` : "";
  const where = side === "baseline" ? "only in the baseline" : "only in the current report";
  return `${urls.length} URL${urls.length === 1 ? "" : "s"} ${where}: ${shown}${more}`;
}

function keysOf(report: Report, keyOf: (request: RequestResult) => string): Set<string> {
  return new Set(report.runs.flatMap((run) => run.requests.map(keyOf)));
}

/** Lines whose URL is not the same in both reports. */
function lineRenames(baseline: Report, current: Report): number {
  const urls = new Map<number, string>();
  for (const run of baseline.runs) for (const r of run.requests) urls.set(r.line, r.url);
  const renamed = new Set<number>();
  for (const run of current.runs) {
    for (const r of run.requests) {
      const before = urls.get(r.line);
      if (before !== undefined && before !== r.url) renamed.add(r.line);
    }
  }
  return renamed.size;
}

function measured(report: Report, mode: Mode): RunResult[] {
  return report.runs.filter((run) => run.mode === mode && !run.warmup);
}

function okLatencies(
  runs: RunResult[],
  keys: Set<string>,
  keyOf: (request: RequestResult) => string,
): number[] {
  return runs.flatMap((run) =>
    run.requests
      .filter((request) => request.ok && keys.has(keyOf(request)))
      .map((request) => request.latencyMs),
  );
}

function wallChange(before: RunResult[], after: RunResult[]): Change {
  const a = before.map((run) => run.wallMs);
  const b = after.map((run) => run.wallMs);
  const test = welchTTest(a, b);
  const baselineMs = mean(a);
  const currentMs = mean(b);
  if (test === null) {
    const side =
      a.length < 2 && b.length < 2
        ? "each side"
        : a.length < 2
          ? "the baseline"
          : "the current report";
    return cannotTell(
      baselineMs,
      currentMs,
      `one measured run on ${side}; a wall verdict needs --runs 2 or more`,
    );
  }
  const ratio = ratioWithUncertainty(
    { mean: currentMs ?? 0, stddev: stddev(b) },
    { mean: baselineMs ?? 0, stddev: stddev(a) },
  );
  return decide(baselineMs, currentMs, ratio, "welch-t", test.pValue);
}

/**
 * The median latency of the ok requests on each side, and their ratio with an uncertainty from
 * the standard error of each median (√(π/2)·σ/√n, its large-sample value for normal data).
 *
 * The verdict treats a run as the unit that repeats: requests of one run share its conditions
 * (the machine's load, the connections it opened), so with two or more runs on each side
 * Welch's t compares the per-run medians. With one run on a side, requests made one at a time
 * are taken as samples of the rank test; requests made at once share one congestion, so the
 * concurrent mode cannot tell.
 */
function latencyChange(before: RunResult[], after: RunResult[], mode: Mode, keys: Keys): Change {
  const a = okLatencies(before, keys.shared, keys.keyOf);
  const b = okLatencies(after, keys.shared, keys.keyOf);
  const baselineMs = median(a);
  const currentMs = median(b);
  if (a.length === 0 || b.length === 0) {
    return cannotTell(baselineMs, currentMs, "no successful request on one side");
  }
  const ratio = ratioWithUncertainty(
    { mean: currentMs ?? 0, stddev: medianError(b) },
    { mean: baselineMs ?? 0, stddev: medianError(a) },
  );
  const told = (test: "welch-t" | "mann-whitney-u", pValue: number) =>
    decide(baselineMs, currentMs, ratio, test, pValue);
  const untold = (reason: string) => ({
    ...cannotTell(baselineMs, currentMs, reason),
    ratioStddev: ratio?.stddev ?? null,
  });
  if (before.length >= 2 && after.length >= 2) {
    const runMedians = (runs: RunResult[]) =>
      runs.flatMap((run) => {
        const value = median(okLatencies([run], keys.shared, keys.keyOf));
        return value === null ? [] : [value];
      });
    const test = welchTTest(runMedians(before), runMedians(after));
    return test === null
      ? untold("fewer than two runs with a successful request on a side")
      : told("welch-t", test.pValue);
  }
  if (keys.perUrl) {
    return untold("one measured run on a side; a URL verdict needs --runs 2 or more");
  }
  if (mode === "concurrent") {
    return untold(
      "one measured run on a side, and requests made at once share one run's congestion; use --runs 2 or more",
    );
  }
  const test = mannWhitneyU(a, b);
  return test === null
    ? untold("every latency is equal: no ranks to compare")
    : told("mann-whitney-u", test.pValue);
}

interface Keys {
  shared: Set<string>;
  keyOf: (request: RequestResult) => string;
  /** One URL's requests: one per run. */
  perUrl: boolean;
}

function medianError(values: number[]): number | null {
  const sigma = stddev(values);
  return sigma === null ? null : (Math.sqrt(Math.PI / 2) * sigma) / Math.sqrt(values.length);
}

function decide(
  baselineMs: number | null,
  currentMs: number | null,
  ratio: { ratio: number; stddev: number | null } | null,
  test: "welch-t" | "mann-whitney-u",
  pValue: number,
): Change {
  const significant = pValue < 1 - CONFIDENCE;
  const slower = (currentMs ?? 0) > (baselineMs ?? 0);
  return {
    baselineMs,
    currentMs,
    ratio: ratio?.ratio ?? null,
    ratioStddev: ratio?.stddev ?? null,
    test,
    pValue,
    verdict: !significant ? "no significant change" : slower ? "slower" : "faster",
    reason: null,
  };
}

function cannotTell(baselineMs: number | null, currentMs: number | null, reason: string): Change {
  const ratio =
    baselineMs !== null && currentMs !== null && baselineMs !== 0 ? currentMs / baselineMs : null;
  return {
    baselineMs,
    currentMs,
    ratio,
    ratioStddev: null,
    test: null,
    pValue: null,
    verdict: "cannot tell",
    reason,
  };
}
