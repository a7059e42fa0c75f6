/**
 * The report model: what the runners produce and every renderer reads.
 * Field names are the JSON report's contract (DESIGN.md, schema version 2; the README says what
 * changed from version 1).
 * Times are milliseconds from `performance.now()`; offsets are from the start of that run.
 */

import type { UslFit } from "./scalability.js";

export const SCHEMA_VERSION = 2;

export const MODES = ["sequential", "concurrent", "blocking"] as const;
export type Mode = (typeof MODES)[number];

/** A URL to fetch, as read from the list. */
export interface Target {
  /** Position in the list, from 0, counting only URLs. */
  index: number;
  /** 1-based line number in the source file. */
  line: number;
  url: string;
}

export const ERROR_KINDS = [
  "http",
  "timeout",
  "connect",
  "dns",
  "tls",
  "reset",
  "aborted",
  "local",
  "other",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export const HTTP_VERSIONS = ["1.1", "2"] as const;
/** An HTTP version as the JSON report writes it. */
export type HttpVersion = (typeof HTTP_VERSIONS)[number];

export interface RequestError {
  kind: ErrorKind;
  /** The undici or system error code (`UND_ERR_HEADERS_TIMEOUT`, `ECONNREFUSED`), or null. */
  code: string | null;
  /** One line, without control characters. */
  message: string;
}

/** One settled request. Nothing here is invented: what could not be measured is null. */
export interface RequestResult {
  index: number;
  line: number;
  url: string;
  /** The URL of the last response, after redirects. */
  finalUrl: string;
  /** Final status 200–399 and the whole body arrived. */
  ok: boolean;
  /** Status of the final response; null when none arrived. */
  status: number | null;
  /** Body bytes of the final response that arrived (streamed and discarded). */
  bytes: number;
  /** Redirects followed. */
  redirects: number;
  /**
   * Whether no hop of the request had to open a connection: every hop went out on one an
   * earlier request had used (HTTP/2 streams sharing one connection count as reused). Null
   * when the request never reached a connection (it failed to connect, or was cut first).
   */
  reusedConnection: boolean | null;
  /**
   * The connection the last hop went out on, numbered from 1 in the order the run opened them,
   * so requests that shared a connection share the id; null when it never reached one.
   */
  connectionId: number | null;
  /**
   * The protocol of the final response: `"1.1"` or `"2"` (negotiated through ALPN with
   * `--http2`); null when no response came, or in reports written before it was recorded.
   */
  httpVersion: HttpVersion | null;
  /**
   * When the request got its connection, from the start of the run: at dispatch, unless it
   * waited for one to be free (`--per-host`, a capped pool) and went out as it was handed on.
   */
  startMs: number;
  /**
   * With `--rate`: `startMs` minus the planned start (how late the request went out against the
   * schedule, the coordinated-omission view); null without a rate.
   */
  scheduleLagMs: number | null;
  /**
   * Time waiting before `startMs`: for a concurrency slot, then for a free connection (not
   * counting a wait for the planned start).
   */
  queuedMs: number;
  /**
   * Name lookup of the connection(s) the request opened; null when it opened none, or needed
   * no lookup (an IP address), or went through a proxy (the proxy's lookup is not seen).
   */
  dnsMs: number | null;
  /** TCP handshake of the connection(s) it opened; null when it opened none or used a proxy. */
  tcpMs: number | null;
  /** TLS handshake of the connection(s) it opened; null when it opened none or for `http:`. */
  tlsMs: number | null;
  /**
   * Time to open the connection(s) the request opened, from the connect call to a usable
   * socket: lookup, TCP, TLS and a proxy's CONNECT tunnel; null when it opened none.
   */
  connectMs: number | null;
  /** `startMs` to the final response's headers (connect included); null when none arrived. */
  ttfbMs: number | null;
  /** Final headers to the last body byte; null when no headers arrived. */
  downloadMs: number | null;
  /** `startMs` to the last byte of the body (or to the failure): queueing is not in it. */
  latencyMs: number;
  /** When the request settled, from the start of the run. */
  endMs: number;
  error: RequestError | null;
}

export interface EventLoopStats {
  /**
   * Largest event-loop delay seen during the run (`monitorEventLoopDelay`), at most the run's
   * length; null when the delay histogram took no sample over the run.
   */
  maxDelayMs: number | null;
  /** 99th percentile of the event-loop delay; null as `maxDelayMs`. */
  p99DelayMs: number | null;
  /** Share of the run the event loop was busy, 0–1 (`performance.eventLoopUtilization`). */
  utilization: number;
  /** A timer meant to fire every 10 ms: how often it should have fired, and did. */
  heartbeat: { expected: number; fired: number };
}

export type Concurrency = number | "all";

/** One run of one mode over the whole list. */
export interface RunResult {
  mode: Mode;
  /** 1-based among the runs of this mode, warm-ups counted separately. */
  iteration: number;
  warmup: boolean;
  /** Requests allowed in flight at once: 1 for sequential and blocking. */
  concurrency: Concurrency;
  /**
   * What the run's summary is keyed by: the mode, or `concurrent@<c>` for one concurrency of a
   * sweep (see `variantKey`). Absent from version-1 reports, where it is the mode.
   */
  variant?: string;
  /** From the start of the run to the moment its last request settled. */
  wallMs: number;
  /** Connections the run's Agent opened; null when not measured. */
  connectionsOpened: number | null;
  /** Most requests in flight at once. */
  peakInFlight: number;
  eventLoop: EventLoopStats | null;
  requests: RequestResult[];
}

export interface ReportOptions {
  modes: Mode[];
  /** The concurrency of the concurrent mode; in a sweep, the last (largest) of `sweep`. */
  concurrency: Concurrency;
  /**
   * The concurrency values of a sweep (`-c 1,4,all`, `-c 1..256`), ascending, `all` last: the
   * concurrent mode ran once per value. Absent for a single value.
   */
  sweep?: Concurrency[];
  runs: number;
  warmup: number;
  timeoutMs: number;
  maxRedirects: number;
  method: string;
  headers: Record<string, string>;
  /** `--rate`: requests started per second in each run; null when as fast as possible. */
  ratePerSecond: number | null;
  /**
   * Proxies some request of the list went through (`-x`, or `HTTP_PROXY`/`HTTPS_PROXY`), without
   * credentials; empty when every request went direct, and in reports written before it existed.
   */
  proxies: string[];
  /** `-k, --insecure`: server certificates were not checked. */
  insecure: boolean;
}

export interface Distribution {
  mean: number;
  /** Sample standard deviation; null with fewer than two values. */
  stddev: number | null;
  median: number;
  min: number;
  max: number;
}

export interface LatencyPercentiles {
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** One bar of a latency histogram: requests whose latency fell in `[fromMs, toMs)`. */
export interface HistogramBin {
  fromMs: number;
  /** The last bin includes its upper edge, the slowest request. */
  toMs: number;
  count: number;
}

/**
 * Mean of each phase over the completed requests that have it (a phase a request lacks, such as
 * `tlsMs` on a reused connection, is left out rather than counted as 0); null when none has it.
 */
export interface PhaseMeans {
  queuedMs: number | null;
  dnsMs: number | null;
  tcpMs: number | null;
  tlsMs: number | null;
  connectMs: number | null;
  /** Headers minus connect: the server's time, as the request saw it (`ttfbMs - connectMs`). */
  waitMs: number | null;
  ttfbMs: number | null;
  downloadMs: number | null;
}

export interface ModeSummary {
  /** Measured runs (warm-ups excluded). */
  runs: number;
  /** Connections the mode's Agent opened, mean per measured run (curl's `num_connects`); null when not measured. */
  connectionsOpened: number | null;
  /** Most requests in flight at once, highest over the measured runs. */
  peakInFlight: number;
  /** Where the time of a request went, on average. */
  phases: PhaseMeans;
  wallMs: Distribution;
  /** Over every request of every measured run of the mode; null when no request settled. */
  latencyMs: LatencyPercentiles | null;
  /**
   * Latencies of every completed request of every measured run in a few equal-width bins from
   * the fastest to the slowest; empty when no request completed.
   */
  latencyHistogram: HistogramBin[];
  /** Over every request of every measured run: Σ of latencies, averaged per run. */
  sumMs: number;
  /** Slowest single request over the measured runs. */
  slowestMs: number;
  ok: number;
  /** Requests that failed; those cut short by an interruption are not counted here. */
  failed: number;
  /**
   * Requests cut short by an interruption (kind `aborted`): counted neither as failed nor in the
   * latency figures, the sum, the slowest or the bound.
   */
  aborted: number;
  bytes: number;
  /** Per-run event-loop figures, worst of the measured runs; null when not measured. */
  eventLoop: EventLoopStats | null;
  /** Requests of the measured runs per protocol of their response (those without one left out). */
  httpVersions: Partial<Record<HttpVersion, number>>;
  /**
   * Concurrent mode only: max(max t, Σt / c) averaged over runs, t being the latencies of
   * each measured run of the baseline (sequential, else blocking), or of this mode's own
   * runs when there is no baseline. Null for other modes.
   */
  boundMs: number | null;
  /** Concurrent mode only: `boundMs` / mean wall, 1.0 is perfect. Null for other modes. */
  efficiency: number | null;
  /**
   * Mean wall against the fastest mode's (hyperfine's "Relative"): 1 for the fastest, with
   * its propagated standard deviation (null with single runs).
   */
  relative: { ratio: number; stddev: number | null };
}

export interface Comparison {
  baseline: Mode;
  mode: Mode;
  /** Baseline mean wall / mode mean wall. */
  speedup: number;
  /** Propagated uncertainty of the speed-up; null with a single run. */
  speedupStddev: number | null;
  /** Baseline mean wall / bound. */
  idealSpeedup: number;
  /** max(max t, Σt / c) over the baseline's latencies t. */
  boundMs: number;
  /** Bound / mode mean wall; 1.0 is perfect. */
  efficiency: number;
  /**
   * The mode's median request latency / the baseline's: well above 1 means the server slowed
   * down under concurrency. Null when either has no completed request or the baseline's is 0.
   */
  latencyRatio: number | null;
}

/** One URL of the list across modes, for the per-URL table. */
export interface TargetSummary {
  index: number;
  line: number;
  url: string;
  /** Per mode: the last measured run's status and error, the median latency over runs. */
  modes: Partial<Record<Mode, TargetModeSummary>>;
  /** In a sweep, per variant of the concurrent mode (`concurrent@8`); absent otherwise. */
  variants?: Record<string, TargetModeSummary>;
}

export interface TargetModeSummary {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: RequestError | null;
  /** Measured runs in which this URL failed. */
  failures: number;
}

export interface Warning {
  /** A stable identifier: `outliers`, `slow-first-run`, `inconclusive`, `failures`. */
  kind: string;
  message: string;
}

/** One concurrency of a sweep: the concurrent mode's summary at that concurrency, and more. */
export interface VariantSummary extends ModeSummary {
  mode: Mode;
  concurrency: Concurrency;
  /**
   * The requests in flight at most, as a number: the concurrency, capped at the requests in a
   * run (so `all` is the list's length). The curve's x axis.
   */
  effectiveConcurrency: number;
  /** Completed requests per second of wall, averaged over the measured runs. */
  throughputRps: number;
  /** The baseline's mean wall / this variant's; null without a baseline. */
  speedup: number | null;
  /** Propagated uncertainty of the speed-up; null with single runs or no baseline. */
  speedupStddev: number | null;
}

/** What a sweep found: the knee of the throughput curve and the Universal Scalability Law fit. */
export interface SweepSummary {
  /** The mode the speed-ups come from; null without one. */
  baseline: Mode | null;
  /**
   * Latency with no load: the median latency at the lowest concurrency measured, the sweep's
   * smallest `-c` (ideally 1), or the sequential (else blocking) mode when the sweep starts
   * above 1; null when none completed a request.
   */
  unloadedMs: number | null;
  /** Where `unloadedMs` was measured: a variant (`concurrent@1`) or a mode; null with it. */
  unloadedFrom: string | null;
  /** The variant of the highest throughput; null when none had any. */
  best: string | null;
  /**
   * The smallest concurrency reaching 90% of the best throughput (`KNEE_SHARE`): its variant,
   * concurrency, throughput share of the best (0–1), p99 latency and that p99 against
   * `unloadedMs` (null without it). Null when no variant had throughput.
   */
  knee: {
    variant: string;
    concurrency: Concurrency;
    share: number;
    p99Ms: number | null;
    p99Ratio: number | null;
  } | null;
  /** The Universal Scalability Law fitted to throughput against concurrency; null when left out. */
  usl: UslFit | null;
  /** Why `usl` is null (too few points, a poor fit); null when there is a fit. */
  uslReason: string | null;
}

export interface Summary {
  /** Per mode; in a sweep, the concurrent mode is in `variants` instead. */
  modes: Partial<Record<Mode, ModeSummary>>;
  /** A sweep's variants keyed `concurrent@<c>`, ascending concurrency; absent for a single value. */
  variants?: Record<string, VariantSummary>;
  /** What a sweep found; absent for a single value. */
  sweep?: SweepSummary;
  /**
   * The concurrent mode against the sequential one (else the blocking one); null without both,
   * and in a sweep (each variant has its own `speedup`).
   */
  comparison: Comparison | null;
  targets: TargetSummary[];
  warnings: Warning[];
}

/** Which share of the list a run fetched (`--shard <index>/<count>`): every count-th URL. */
export interface Shard {
  /** 1-based: the shard takes the URLs at positions index, index + count, … (1-based). */
  index: number;
  count: number;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: "fetchbench"; version: string };
  /** ISO 8601 wall-clock time the first run started. */
  startedAt: string;
  /** The list's file name, `-` for standard input, `<arguments>` for URLs given as arguments, or `demo`. */
  source: string;
  /** URLs in the list, whether or not they were all run. */
  urlCount: number;
  /** Ctrl-C (or SIGTERM) stopped the comparison: some runs or requests never finished. */
  interrupted: boolean;
  /**
   * Per mode asked for: requests of its measured runs that never completed, because the
   * comparison was interrupted (never dispatched, or cut short: kind `aborted`). 0 for every
   * mode of a run that finished.
   */
  notRun: Partial<Record<Mode, number>>;
  options: ReportOptions;
  /** The share of the list this report covers; null (or absent in older reports) for all of it. */
  shard?: Shard | null;
  runs: RunResult[];
  summary: Summary;
}

/** The key of a run's summary: its mode, or `concurrent@<c>` when the concurrent mode is swept. */
export function variantKey(mode: Mode, concurrency: Concurrency, sweeping: boolean): string {
  return sweeping && mode === "concurrent" ? `${mode}@${concurrency}` : mode;
}
