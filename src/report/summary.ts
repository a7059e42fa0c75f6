/**
 * Runs → the report's `Summary`: per-mode figures, the comparison, the per-URL table and
 * the warnings. Pure: it reads the runs and formats nothing but the warning messages.
 */

import {
  boundMs,
  distribution,
  histogram,
  latencyPercentiles,
  mean,
  median,
  modifiedZScores,
  OUTLIER_THRESHOLD,
  outlierIndices,
  ratioWithUncertainty,
  sum,
} from "../stats.js";
import type {
  Comparison,
  Concurrency,
  ErrorKind,
  EventLoopStats,
  HttpVersion,
  Mode,
  ModeSummary,
  PhaseMeans,
  RequestResult,
  RunResult,
  Summary,
  SweepSummary,
  TargetModeSummary,
  TargetSummary,
  VariantSummary,
  Warning,
} from "./model.js";
import { variantKey } from "./model.js";
import { findKnee, fitUsl } from "./scalability.js";
import { sanitize } from "./text.js";
import { formatMs } from "./units.js";

/** Every `Warning.kind` this module emits; scripts may match on them. */
export const WARNING_KINDS = [
  "slow-first-run",
  "outliers",
  "failures",
  "inconclusive",
  "beyond-bound",
  "local",
] as const;

/** A wall time this far from the median (a share of it) is worth a warning; closer is noise. */
const MATERIAL_SHARE = 0.05;

/** Bars in each mode's latency histogram: enough for a shape, few enough to read at a glance. */
export const HISTOGRAM_BINS = 6;

/** A median latency this many times the baseline's means the server queued under concurrency. */
export const SERVER_SLOWED_RATIO = 2;

/** Efficiency above this is more than noise: the bound did not hold for this run. */
const BEYOND_BOUND = 1.05;
export type WarningKind = (typeof WARNING_KINDS)[number];

export interface SummaryOptions {
  /** Modes to summarise, in report order; runs of other modes are ignored. */
  modes: readonly Mode[];
  /** The `--concurrency` the bound is computed for. */
  concurrency: Concurrency;
  /** A sweep's concurrency values: the concurrent mode is then summarised once per value. */
  sweep?: readonly Concurrency[];
}

/** Whether the options describe a sweep: more than one concurrency for the concurrent mode. */
export function isSweep(options: { sweep?: readonly Concurrency[] }): boolean {
  return (options.sweep?.length ?? 0) > 1;
}

/**
 * Summarise the measured runs (warm-ups are left out). A mode appears only if it is in
 * `options.modes` and has at least one measured run.
 */
export function buildSummary(runs: readonly RunResult[], options: SummaryOptions): Summary {
  if (isSweep(options)) return buildSweepSummary(runs, options);
  const measured = measuredRunsByMode(runs, options.modes);
  const baseline = baselineOf(measured);
  const baselineRuns = baseline === null ? undefined : measured.get(baseline);
  const concurrentRuns = measured.get("concurrent");
  const concurrentBoundMs = concurrentRuns
    ? meanBoundMs(baselineRuns ?? concurrentRuns, options.concurrency)
    : null;

  const modes: Partial<Record<Mode, ModeSummary>> = {};
  for (const [mode, modeRuns] of measured) {
    const modeSummary = summarizeMode(modeRuns, mode === "concurrent" ? concurrentBoundMs : null);
    if (modeSummary !== null) modes[mode] = modeSummary;
  }

  addRelative(modes as Record<string, ModeSummary>);
  const comparison = compare(modes, baseline, concurrentBoundMs);
  const warmedUp = new Set(runs.filter((run) => run.warmup).map((run) => run.mode));
  const warnings: Warning[] = [];
  for (const [mode, modeRuns] of measured) {
    warnings.push(...wallTimeWarnings(mode, modeRuns, warmedUp.has(mode)));
    warnings.push(...failureWarnings(mode, modeRuns));
    warnings.push(...localWarnings(mode, modeRuns));
  }
  warnings.push(...comparisonWarnings(comparison));

  return { modes, comparison, targets: summarizeTargets(measured), warnings };
}

/**
 * A sweep: the modes other than concurrent as usual, the concurrent mode once per concurrency
 * in `variants`, and the knee and USL fit over them. No single comparison: each variant has its
 * own speed-up against the baseline.
 */
function buildSweepSummary(runs: readonly RunResult[], options: SummaryOptions): Summary {
  const sweep = options.sweep ?? [];
  const measured = measuredRunsByMode(
    runs,
    options.modes.filter((mode) => mode !== "concurrent"),
  );
  const baseline = baselineOf(measured);
  const baselineRuns = baseline === null ? undefined : measured.get(baseline);
  const modes: Partial<Record<Mode, ModeSummary>> = {};
  for (const [mode, modeRuns] of measured) {
    const modeSummary = summarizeMode(modeRuns, null);
    if (modeSummary !== null) modes[mode] = modeSummary;
  }
  const variants: Record<string, VariantSummary> = {};
  const variantRuns = new Map<string, RunResult[]>();
  if (options.modes.includes("concurrent")) {
    for (const concurrency of sweep) {
      const key = variantKey("concurrent", concurrency, true);
      const own = runs
        .filter(
          (run) =>
            run.mode === "concurrent" &&
            !run.warmup &&
            String(run.concurrency) === String(concurrency),
        )
        .sort((a, b) => a.iteration - b.iteration);
      if (own.length === 0) continue;
      const s = summarizeMode(own, meanBoundMs(baselineRuns ?? own, concurrency));
      if (s === null) continue;
      variantRuns.set(key, own);
      const base = baseline === null ? undefined : modes[baseline];
      const speedup = base === undefined ? null : ratioWithUncertainty(base.wallMs, s.wallMs);
      const perRun = Math.max(...own.map((run) => run.requests.length));
      variants[key] = {
        ...s,
        mode: "concurrent",
        concurrency,
        effectiveConcurrency:
          concurrency === "all" ? Math.max(1, perRun) : Math.min(concurrency, Math.max(1, perRun)),
        throughputRps:
          mean(
            own.map((run) =>
              run.wallMs > 0 ? (completed(run.requests).length * 1000) / run.wallMs : 0,
            ),
          ) ?? 0,
        speedup: speedup?.ratio ?? null,
        speedupStddev: speedup?.stddev ?? null,
      };
    }
  }
  addRelative({ ...modes, ...variants });
  const warmedUp = new Set(runs.filter((run) => run.warmup).map((run) => run.mode));
  const warnings: Warning[] = [];
  for (const [label, labelRuns] of [...measured, ...variantRuns]) {
    warnings.push(
      ...wallTimeWarnings(
        label,
        labelRuns,
        warmedUp.has("concurrent") || warmedUp.has(label as Mode),
      ),
    );
    warnings.push(...failureWarnings(label, labelRuns));
    warnings.push(...localWarnings(label, labelRuns));
  }
  return {
    modes,
    variants,
    sweep: sweepFindings(variants, modes, baseline),
    comparison: null,
    targets: summarizeTargets(
      new Map<string, RunResult[]>([...measured, ...variantRuns]),
      new Set(variantRuns.keys()),
    ),
    warnings,
  };
}

/** The knee and the USL fit over the variants' throughput. */
function sweepFindings(
  variants: Record<string, VariantSummary>,
  modes: Partial<Record<Mode, ModeSummary>>,
  baseline: Mode | null,
): SweepSummary {
  const entries = Object.entries(variants);
  const points = entries.map(([, v]) => ({
    concurrency: v.effectiveConcurrency,
    throughputRps: v.throughputRps,
  }));
  const unloaded = unloadedLatency(entries, modes);
  const knee = findKnee(points);
  // Several variants can share an effective concurrency (`all` and the list's length): the
  // first, smaller one names the knee.
  const at = (concurrency: number) =>
    entries.find(([, v]) => v.effectiveConcurrency === concurrency);
  const kneeEntry = knee === null ? undefined : at(knee.concurrency);
  const bestEntry = knee === null ? undefined : at(knee.bestConcurrency);
  const p99Ms = kneeEntry?.[1].latencyMs?.p99 ?? null;
  const usl = fitUsl(points);
  return {
    baseline,
    unloadedMs: unloaded?.ms ?? null,
    unloadedFrom: unloaded?.from ?? null,
    best: bestEntry?.[0] ?? null,
    knee:
      knee === null || kneeEntry === undefined
        ? null
        : {
            variant: kneeEntry[0],
            concurrency: kneeEntry[1].concurrency,
            share: knee.share,
            p99Ms,
            p99Ratio:
              p99Ms !== null && unloaded !== null && unloaded.ms > 0 ? p99Ms / unloaded.ms : null,
          },
    usl: usl.fit,
    uslReason: usl.reason,
  };
}

/**
 * The unloaded latency: the median latency at the lowest concurrency measured, what one request
 * takes with (almost) no other competing. The median, not the p99: at one request at a time the
 * p99 of a short list is its slowest request, often the cold first one, which says nothing about
 * load. Candidates are the sweep's variants and the modes that run one request at a time
 * (sequential, blocking); on a tie the sweep's own variant wins (`-c 1` over sequential), being
 * the same runner as the knee. Null when none completed a request.
 */
function unloadedLatency(
  variants: readonly [string, VariantSummary][],
  modes: Partial<Record<Mode, ModeSummary>>,
): { from: string; ms: number } | null {
  const candidates: [string, number, ModeSummary][] = variants.map(([key, v]) => [
    key,
    v.effectiveConcurrency,
    v,
  ]);
  for (const mode of ["sequential", "blocking"] as const) {
    const s = modes[mode];
    if (s !== undefined) candidates.push([mode, 1, s]);
  }
  let lowest: { from: string; concurrency: number; ms: number } | null = null;
  for (const [from, concurrency, s] of candidates) {
    const ms = s.latencyMs?.p50;
    if (ms === undefined) continue;
    if (lowest === null || concurrency < lowest.concurrency) lowest = { from, concurrency, ms };
  }
  return lowest === null ? null : { from: lowest.from, ms: lowest.ms };
}

/** Measured runs per mode, in `modes` order, each list in iteration order; no empty lists. */
function measuredRunsByMode(
  runs: readonly RunResult[],
  modes: readonly Mode[],
): Map<Mode, RunResult[]> {
  const byMode = new Map<Mode, RunResult[]>();
  for (const mode of modes) {
    const modeRuns = runs
      .filter((run) => run.mode === mode && !run.warmup)
      .sort((a, b) => a.iteration - b.iteration);
    if (modeRuns.length > 0) byMode.set(mode, modeRuns);
  }
  return byMode;
}

/** The mode the concurrent one is measured against: sequential, else blocking, if run. */
function baselineOf(measured: Map<Mode, RunResult[]>): Mode | null {
  if (measured.has("sequential")) return "sequential";
  if (measured.has("blocking")) return "blocking";
  return null;
}

/** Cut short by Ctrl-C: it says nothing about the server, so no figure counts it. */
function wasAborted(request: RequestResult): boolean {
  return request.error?.kind === "aborted";
}

/** The requests that ran to an answer or a failure of their own. */
function completed(requests: readonly RequestResult[]): RequestResult[] {
  return requests.filter((request) => !wasAborted(request));
}

function latenciesOf(run: RunResult): number[] {
  return completed(run.requests).map((request) => request.latencyMs);
}

/**
 * Per mode: how many requests of its measured runs never completed (not dispatched, or cut
 * short), out of `runsPerMode` passes over `urlCount` URLs.
 */
export function notRunByMode(
  runs: readonly RunResult[],
  modes: readonly Mode[],
  runsPerMode: number,
  urlCount: number,
  /** Concurrency values of a sweep: the concurrent mode runs the list once per value. */
  variantsOfConcurrent = 1,
): Partial<Record<Mode, number>> {
  const notRun: Partial<Record<Mode, number>> = {};
  for (const mode of modes) {
    const passes = mode === "concurrent" ? runsPerMode * variantsOfConcurrent : runsPerMode;
    const done = runs
      .filter((run) => run.mode === mode && !run.warmup)
      .reduce((count, run) => count + completed(run.requests).length, 0);
    notRun[mode] = Math.max(0, passes * urlCount - done);
  }
  return notRun;
}

/** The bound of each run, averaged: each run is one complete pass over the list. */
function meanBoundMs(runs: RunResult[], concurrency: Concurrency): number | null {
  return mean(runs.map((run) => boundMs(latenciesOf(run), concurrency)));
}

/** Each mode's mean wall against the fastest mode's, with hyperfine's propagated deviation. */
function addRelative(modes: Record<string, ModeSummary>): void {
  const summaries = Object.values(modes);
  const fastest = summaries.reduce<ModeSummary | null>(
    (best, s) => (best === null || s.wallMs.mean < best.wallMs.mean ? s : best),
    null,
  );
  if (fastest === null) return;
  for (const s of summaries) {
    // A fastest mean of 0 has no ratio; every mode then counts as the fastest.
    const ratio = s === fastest ? null : ratioWithUncertainty(s.wallMs, fastest.wallMs);
    s.relative = ratio ?? { ratio: 1, stddev: null };
  }
}

/** Null for no runs. */
function summarizeMode(runs: RunResult[], bound: number | null): ModeSummary | null {
  const wallMs = distribution(runs.map((run) => run.wallMs));
  const sumMs = mean(runs.map((run) => sum(latenciesOf(run))));
  if (wallMs === null || sumMs === null) return null;
  const all = runs.flatMap((run) => run.requests);
  const requests = completed(all);
  const latencies = requests.map((request) => request.latencyMs);
  const latencyMs = latencyPercentiles(latencies);
  const ok = requests.filter((request) => request.ok).length;
  return {
    runs: runs.length,
    connectionsOpened: meanConnections(runs),
    peakInFlight: Math.max(0, ...runs.map((run) => run.peakInFlight)),
    phases: phaseMeans(requests),
    wallMs,
    latencyMs,
    latencyHistogram: histogram(latencies, HISTOGRAM_BINS),
    sumMs,
    // A run without requests has no slowest one; 0 keeps the field a number.
    slowestMs: latencyMs?.max ?? 0,
    ok,
    failed: requests.length - ok,
    aborted: all.length - requests.length,
    bytes: sum(all.map((request) => request.bytes)),
    eventLoop: worstEventLoop(runs),
    httpVersions: countHttpVersions(all),
    boundMs: bound,
    efficiency: bound !== null && wallMs.mean > 0 ? bound / wallMs.mean : null,
    relative: { ratio: 1, stddev: null },
  };
}

/** Null when any run did not count its connections: a mean of some runs would mislead. */
function meanConnections(runs: RunResult[]): number | null {
  const counts = runs.map((run) => run.connectionsOpened);
  return counts.every((count) => count !== null) ? mean(counts as number[]) : null;
}

/** Mean of each phase over the requests that have it. */
function phaseMeans(requests: readonly RequestResult[]): PhaseMeans {
  const of = (pick: (request: RequestResult) => number | null): number | null =>
    mean(requests.map(pick).filter((value): value is number => value !== null));
  return {
    queuedMs: of((r) => r.queuedMs),
    dnsMs: of((r) => r.dnsMs),
    tcpMs: of((r) => r.tcpMs),
    tlsMs: of((r) => r.tlsMs),
    connectMs: of((r) => r.connectMs),
    waitMs: of((r) => (r.ttfbMs === null ? null : r.ttfbMs - (r.connectMs ?? 0))),
    ttfbMs: of((r) => r.ttfbMs),
    downloadMs: of((r) => r.downloadMs),
  };
}

function countHttpVersions(requests: RequestResult[]): Partial<Record<HttpVersion, number>> {
  const counts: Partial<Record<HttpVersion, number>> = {};
  for (const { httpVersion } of requests) {
    if (httpVersion !== null) counts[httpVersion] = (counts[httpVersion] ?? 0) + 1;
  }
  return counts;
}

/** Each figure at its worst over the runs, so one bad run is not averaged away. */
function worstEventLoop(runs: RunResult[]): EventLoopStats | null {
  let worst: EventLoopStats | null = null;
  for (const { eventLoop } of runs) {
    if (eventLoop === null) continue;
    if (worst === null) {
      worst = { ...eventLoop, heartbeat: { ...eventLoop.heartbeat } };
      continue;
    }
    worst.maxDelayMs = worstDelay(worst.maxDelayMs, eventLoop.maxDelayMs);
    worst.p99DelayMs = worstDelay(worst.p99DelayMs, eventLoop.p99DelayMs);
    worst.utilization = Math.max(worst.utilization, eventLoop.utilization);
    if (firedShare(eventLoop.heartbeat) < firedShare(worst.heartbeat)) {
      worst.heartbeat = { ...eventLoop.heartbeat };
    }
  }
  return worst;
}

/** The larger delay; a run without a delay sample does not hide another run's. */
export function worstDelay(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

/** A heartbeat that was not due to fire missed nothing. */
function firedShare(heartbeat: EventLoopStats["heartbeat"]): number {
  return heartbeat.expected > 0 ? heartbeat.fired / heartbeat.expected : 1;
}

/**
 * Null unless both the concurrent mode and a baseline ran, and also when a wall or the
 * bound is 0: there is no finite speed-up to report then.
 */
function compare(
  modes: Partial<Record<Mode, ModeSummary>>,
  baseline: Mode | null,
  bound: number | null,
): Comparison | null {
  if (baseline === null) return null;
  const base = modes[baseline];
  const concurrent = modes.concurrent;
  if (base === undefined || concurrent === undefined) return null;
  if (bound === null || bound <= 0 || concurrent.wallMs.mean <= 0) return null;
  const speedup = ratioWithUncertainty(base.wallMs, concurrent.wallMs);
  if (speedup === null) return null;
  const baseMedian = base.latencyMs?.p50 ?? 0;
  const modeMedian = concurrent.latencyMs?.p50;
  return {
    baseline,
    mode: "concurrent",
    speedup: speedup.ratio,
    speedupStddev: speedup.stddev,
    idealSpeedup: base.wallMs.mean / bound,
    boundMs: bound,
    efficiency: bound / concurrent.wallMs.mean,
    latencyRatio: baseMedian > 0 && modeMedian !== undefined ? modeMedian / baseMedian : null,
  };
}

/**
 * One row per URL, in list order, with a cell per mode (and in a sweep per variant of the
 * concurrent mode: the keys in `variants`). Grouped through arrays indexed by the URL's index,
 * not a map and lists per URL: at 100,000 URLs those cost more memory than the results themselves.
 */
function summarizeTargets(
  groups: ReadonlyMap<string, RunResult[]>,
  variants: ReadonlySet<string> = new Set(),
): TargetSummary[] {
  let size = 0;
  for (const runs of groups.values()) {
    for (const run of runs) for (const { index } of run.requests) size = Math.max(size, index + 1);
  }
  // The first result seen for a URL names it; its row's cells fill in mode by mode.
  const first: (RequestResult | undefined)[] = new Array(size);
  const rows: (Pick<TargetSummary, "modes" | "variants"> | undefined)[] = new Array(size);
  for (const [key, runs] of groups) {
    // The URL's most recent result, its failures, and (with several runs) its latencies run by
    // run, NaN where a run has none: the median needs them all.
    const last: (RequestResult | undefined)[] = new Array(size);
    const failures = new Uint32Array(size);
    const latencies =
      runs.length > 1 ? new Float64Array(runs.length * size).fill(Number.NaN) : null;
    runs.forEach((run, r) => {
      for (const request of run.requests) {
        const { index } = request;
        first[index] ??= request;
        last[index] = request;
        if (!request.ok && !wasAborted(request)) failures[index] = (failures[index] ?? 0) + 1;
        if (latencies !== null) latencies[r * size + index] = request.latencyMs;
      }
    });
    for (let index = 0; index < size; index++) {
      const result = last[index];
      if (result === undefined) continue;
      const row = rows[index] ?? { modes: {} };
      rows[index] = row;
      const cell: TargetModeSummary = {
        ok: result.ok,
        status: result.status,
        latencyMs:
          latencies === null
            ? result.latencyMs
            : (median(latenciesAt(latencies, size, index)) ?? result.latencyMs),
        error: result.error,
        failures: failures[index] ?? 0,
      };
      if (!variants.has(key)) {
        row.modes[key as Mode] = cell;
        continue;
      }
      row.variants ??= {};
      row.variants[key] = cell;
    }
  }
  const targets: TargetSummary[] = [];
  for (let index = 0; index < size; index++) {
    const result = first[index];
    const row = rows[index];
    if (result === undefined || row === undefined) continue;
    targets.push({ index, line: result.line, url: result.url, ...row });
  }
  return targets;
}

/** One URL's latencies over the runs, in run order, from the runs-by-URLs grid. */
function latenciesAt(grid: Float64Array, size: number, index: number): number[] {
  const values: number[] = [];
  for (let at = index; at < grid.length; at += size) {
    const value = grid[at] ?? Number.NaN;
    if (!Number.isNaN(value)) values.push(value);
  }
  return values;
}

/**
 * Hyperfine's rule: a first run scoring above the threshold is reported on its own,
 * since it is the likely outlier; otherwise any score beyond it in either direction.
 * Unlike hyperfine, a run must also be at least `MATERIAL_SHARE` away from the median: wall
 * times of a network run can be so steady (a MAD of a few ms) that a 1% wobble would
 * otherwise score as an outlier and cry wolf.
 */
function wallTimeWarnings(mode: string, runs: RunResult[], warmedUp: boolean): Warning[] {
  const walls = runs.map((run) => run.wallMs);
  const scores = modifiedZScores(walls);
  const center = median(walls) ?? 0;
  const material = (wall: number) => Math.abs(wall - center) >= MATERIAL_SHARE * center;
  const [firstWall] = walls;
  const [firstScore] = scores;
  if (
    firstWall !== undefined &&
    firstScore !== undefined &&
    firstScore > OUTLIER_THRESHOLD &&
    material(firstWall)
  ) {
    const rest = median(walls.slice(1)) ?? firstWall;
    const hint = warmedUp
      ? "You are already using the '--warmup' option: try increasing the warm-up count, or re-run on a quiet system in case it was a random outlier."
      : "You should consider using the '--warmup' option to warm them before the measured runs.";
    return [
      warning(
        "slow-first-run",
        `${mode}: the first measured run was significantly slower than the rest (${formatMs(firstWall)}, against a median of ${formatMs(rest)}). This could be caused by caches (DNS, server, JIT) that were cold until after the first run. ${hint}`,
      ),
    ];
  }
  const outliers = outlierIndices(walls).filter((index) => material(walls[index] ?? center)).length;
  if (outliers === 0) return [];
  const hint = warmedUp ? "" : " It might help to use the '--warmup' option.";
  return [
    warning(
      "outliers",
      `${mode}: statistical outliers were detected among the wall times (${outliers} of ${runs.length} runs). Consider re-running this benchmark on a quiet system without interference from other programs.${hint}`,
    ),
  ];
}

function failureWarnings(mode: string, runs: RunResult[]): Warning[] {
  const requests = completed(runs.flatMap((run) => run.requests));
  const kinds = new Map<ErrorKind, number>();
  for (const request of requests) {
    if (request.ok) continue;
    // A failure always carries an error; should one not, it is still counted, as `other`.
    const kind = request.error?.kind ?? "other";
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const failed = sum([...kinds.values()]);
  if (failed === 0) return [];
  // Most frequent kind first; Array#sort is stable, so ties keep the order first seen.
  const byKind = [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${count} ${kind}`)
    .join(", ");
  const across = runs.length > 1 ? ` across ${runs.length} runs` : "";
  return [
    warning(
      "failures",
      `${mode}: ${failed} of ${requests.length} requests failed${across} (${byKind})`,
    ),
  ];
}

/** Failures of kind `local`, with their cause, so that the server is not blamed for them. */
function localWarnings(mode: string, runs: RunResult[]): Warning[] {
  // By code, each with the message the client gave it, which names the cause and the remedy.
  const codes = new Map<string, { count: number; message: string }>();
  for (const request of runs.flatMap((run) => run.requests)) {
    if (request.ok || request.error?.kind !== "local") continue;
    const code = request.error.code ?? "unknown";
    const seen = codes.get(code) ?? { count: 0, message: request.error.message };
    seen.count += 1;
    codes.set(code, seen);
  }
  if (codes.size === 0) return [];
  const failed = sum([...codes.values()].map((c) => c.count));
  const causes = [...codes]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([code, { count, message }]) => `${count} × ${sanitize(message)} (${code})`)
    .join("; ");
  return [
    warning(
      "local",
      `${mode}: ${failed} ${failed === 1 ? "request" : "requests"} failed on this machine, not at the server: ${causes}`,
    ),
  ];
}

function comparisonWarnings(comparison: Comparison | null): Warning[] {
  if (comparison === null) return [];
  const warnings: Warning[] = [];
  const { speedup, speedupStddev } = comparison;
  if (speedupStddev !== null && speedupStddev >= Math.abs(speedup - 1)) {
    warnings.push(
      warning(
        "inconclusive",
        `${comparison.mode} vs ${comparison.baseline}: the speed-up of ${speedup.toFixed(2)} ± ${speedupStddev.toFixed(2)} is within its uncertainty of 1, so the difference is inconclusive. More '--runs' on a quiet system may settle it.`,
      ),
    );
  }
  if (comparison.efficiency > BEYOND_BOUND) {
    warnings.push(
      warning(
        "beyond-bound",
        `${comparison.mode} beat the bound of ${formatMs(comparison.boundMs)} computed from ${comparison.baseline}'s latencies (${Math.round(comparison.efficiency * 100)}% of the bound): its requests were cheaper than ${comparison.baseline}'s, which usually means one-time costs (connection, DNS, JIT) fell on ${comparison.baseline}. Consider using '--warmup'.`,
      ),
    );
  }
  return warnings;
}

function warning(kind: WarningKind, message: string): Warning {
  return { kind, message };
}
