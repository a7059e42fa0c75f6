/**
 * The report model: what the runners produce and every renderer reads.
 * Field names are the JSON report's contract (DESIGN.md, schema version 1).
 * Times are milliseconds from `performance.now()`; offsets are from the start of that run.
 */

export const SCHEMA_VERSION = 1;

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
  /** Whether the request went out on an already open connection; null until measured. */
  reusedConnection: boolean | null;
  /**
   * The protocol of the final response: `"1.1"` or `"2"` (negotiated through ALPN with
   * `--http2`); null when no response came, or in reports written before it was recorded.
   */
  httpVersion: HttpVersion | null;
  /** Dispatch time, from the start of the run. */
  startMs: number;
  /** Time waiting for a concurrency slot before dispatch. */
  queuedMs: number;
  /** Time to open the connection; null until measured. */
  connectMs: number | null;
  /** Dispatch to the final response's headers; null when none arrived. */
  ttfbMs: number | null;
  /** Final headers to the last body byte; null when no headers arrived. */
  downloadMs: number | null;
  /** Dispatch to the last byte of the body (or to the failure). */
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
  concurrency: Concurrency;
  runs: number;
  warmup: number;
  timeoutMs: number;
  maxRedirects: number;
  method: string;
  headers: Record<string, string>;
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

export interface ModeSummary {
  /** Measured runs (warm-ups excluded). */
  runs: number;
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
  /** Connections opened per measured run, the mean; null when no run counted them. */
  connectionsOpened: number | null;
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

export interface Summary {
  modes: Partial<Record<Mode, ModeSummary>>;
  /** The concurrent mode against the sequential one (else the blocking one); null without both. */
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
