/**
 * Fixed reports for the renderer tests. Runs are built from compact specs so that offsets add up;
 * each summary is built from them by the tool's own buildSummary, so the renderers are tested on
 * the summaries they will really be given.
 */

import type {
  EventLoopStats,
  Mode,
  Report,
  ReportOptions,
  RequestError,
  RequestResult,
  RunResult,
  Summary,
} from "../../src/report/model.js";
import { buildSummary, notRunByMode } from "../../src/report/summary.js";
import { fakeResult } from "../helpers.js";

const BASE = "http://127.0.0.1:41234";

/** One request as a test states it; everything else is derived. */
interface Spec {
  path: string;
  latencyMs: number;
  status?: number | null;
  bytes?: number;
  redirects?: number;
  finalPath?: string;
  error?: RequestError | null;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

function result(
  index: number,
  spec: Spec,
  startMs: number,
  queuedMs: number,
  fresh: boolean,
): RequestResult {
  const error = spec.error ?? null;
  const status = spec.status === undefined ? 200 : spec.status;
  // Headers arrive 0.4 ms before the last byte; a request without a response has neither.
  const ttfbMs = status === null ? null : round(spec.latencyMs - 0.4);
  return fakeResult(index, spec.latencyMs, {
    line: index + 2, // the lists start with a comment line
    url: `${BASE}${spec.path}`,
    finalUrl: `${BASE}${spec.finalPath ?? spec.path}`,
    ok: error === null,
    status,
    bytes: spec.bytes ?? (status === null ? 0 : 2),
    redirects: spec.redirects ?? 0,
    reusedConnection: !fresh,
    // Sequential requests share the first connection; concurrent ones each open their own.
    connectionId: fresh ? index + 1 : 1,
    httpVersion: status === null ? null : "1.1",
    startMs,
    queuedMs,
    tcpMs: fresh ? 0.6 : null,
    connectMs: fresh ? 0.6 : null,
    ttfbMs,
    downloadMs: ttfbMs === null ? null : 0.4,
    endMs: round(startMs + spec.latencyMs),
    error,
  });
}

/** One request after another on one connection, 0.1 ms apart. */
function sequentialRequests(specs: Spec[]): RequestResult[] {
  let startMs = 0.2;
  return specs.map((spec, i) => {
    const r = result(i, spec, startMs, 0, i === 0);
    startMs = round(r.endMs + 0.1);
    return r;
  });
}

/** Every request dispatched at once, each on its own connection. */
function concurrentRequests(specs: Spec[]): RequestResult[] {
  return specs.map((spec, i) => result(i, spec, round(0.2 + 0.1 * i), 0, true));
}

function run(
  mode: Mode,
  iteration: number,
  warmup: boolean,
  requests: RequestResult[],
  eventLoop: EventLoopStats | null = null,
): RunResult {
  const sequential = mode !== "concurrent";
  return {
    mode,
    iteration,
    warmup,
    concurrency: sequential ? 1 : "all",
    wallMs: round(Math.max(...requests.map((r) => r.endMs)) + 0.1),
    connectionsOpened: requests.filter((r) => r.reusedConnection === false).length,
    peakInFlight: sequential ? 1 : requests.length,
    eventLoop,
    requests,
  };
}

/** The summary exactly as the tool builds it, so renderers are tested on real summaries. */
function summarize(runs: RunResult[], reportOptions: ReportOptions): Summary {
  return buildSummary(runs, reportOptions);
}

/** What a finished comparison records about its list: every URL run in every mode. */
function completeness(runs: RunResult[], reportOptions: ReportOptions) {
  const urlCount = Math.max(0, ...runs.flatMap((r) => r.requests.map((q) => q.index + 1)));
  return {
    urlCount,
    interrupted: false,
    notRun: notRunByMode(runs, reportOptions.modes, reportOptions.runs, urlCount),
  };
}

/** A report's options as a plain run records them, with these changed. */
export function reportOptions(overrides: Partial<ReportOptions> = {}): ReportOptions {
  return {
    modes: ["sequential", "concurrent"],
    concurrency: "all",
    runs: 1,
    warmup: 0,
    timeoutMs: 30_000,
    maxRedirects: 10,
    method: "GET",
    proxies: [],
    insecure: false,
    headers: {},
    ratePerSecond: null,
    ...overrides,
  };
}

const TOOL = { name: "fetchbench", version: "0.1.0" } as const;

// ---------------------------------------------------------------------------------------------
// 1. One run of sequential and concurrent over 10 URLs: #5 times out, #7 answers 503.

const TIMEOUT: RequestError = {
  kind: "timeout",
  code: "UND_ERR_HEADERS_TIMEOUT",
  message: "no response headers within 2 s",
};
const UNAVAILABLE: RequestError = { kind: "http", code: null, message: "503 Service Unavailable" };

function tenUrls(latencies: number[]): Spec[] {
  const [a, b, c, d, e, f, g, h, i, j] = latencies as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return [
    { path: "/delay/100", latencyMs: a },
    { path: "/delay/200", latencyMs: b },
    { path: "/delay/300", latencyMs: c },
    { path: "/delay/50", latencyMs: d },
    { path: "/delay/5000", latencyMs: e, status: null, error: TIMEOUT },
    { path: "/delay/150", latencyMs: f },
    { path: "/status/503", latencyMs: g, status: 503, bytes: 19, error: UNAVAILABLE },
    { path: "/delay/400", latencyMs: h },
    { path: "/bytes/2048", latencyMs: i, bytes: 2048 },
    { path: "/redirect/2", latencyMs: j, redirects: 2, finalPath: "/delay/0" },
  ];
}

const singleRuns: RunResult[] = [
  run(
    "sequential",
    1,
    false,
    sequentialRequests(tenUrls([101.2, 201, 301.3, 51.1, 2000.6, 151, 2.1, 401.2, 3.2, 4.5])),
  ),
  run(
    "concurrent",
    1,
    false,
    concurrentRequests(tenUrls([103.4, 203.1, 302.8, 52.6, 2001.2, 152.2, 2.3, 402, 4.1, 5])),
  ),
];

// ---------------------------------------------------------------------------------------------
// 2. 25 URLs, more than the default 20 rows: #5 and #18 fail fast, so only the rule that keeps
// every failed row can show them.

const REFUSED: RequestError = {
  kind: "connect",
  code: "ECONNREFUSED",
  message: "connect ECONNREFUSED 127.0.0.1:41299",
};
const NOT_FOUND: RequestError = { kind: "http", code: null, message: "404 Not Found" };

function twentyFiveUrls(extraMs: number): Spec[] {
  return Array.from({ length: 25 }, (_, i): Spec => {
    if (i === 4) {
      return {
        path: "/refused",
        latencyMs: round(0.8 + extraMs / 10),
        status: null,
        error: REFUSED,
      };
    }
    if (i === 17) {
      return {
        path: "/status/404",
        latencyMs: round(1.9 + extraMs / 10),
        status: 404,
        bytes: 9,
        error: NOT_FOUND,
      };
    }
    // Distinct, scattered delays: (8i mod 29)·8 + 20 ms.
    const delayMs = ((i * 8) % 29) * 8 + 20;
    return { path: `/delay/${delayMs}`, latencyMs: round(delayMs + 1 + extraMs) };
  });
}

const manyRuns: RunResult[] = [
  run("sequential", 1, false, sequentialRequests(twentyFiveUrls(0))),
  run("concurrent", 1, false, concurrentRequests(twentyFiveUrls(2.5))),
];

// ---------------------------------------------------------------------------------------------
// 3. Five measured runs after one warm-up, sequential, concurrent and blocking alternating, with
// event-loop figures; #3 was reset once in concurrent run 2.

const MODES3: Mode[] = ["sequential", "concurrent", "blocking"];
const RESET: RequestError = { kind: "reset", code: "ECONNRESET", message: "other side closed" };

function fiveUrls(mode: Mode, iteration: number, warmup: boolean): Spec[] {
  const m = MODES3.indexOf(mode);
  return [100, 200, 300, 400, 500].map((delayMs, k): Spec => {
    // A small deterministic jitter, and a slow first contact in the warm-up.
    const jitter = ((iteration * 7 + k * 3 + m * 3) % 10) / 5 + m * 0.4;
    const latencyMs = round(delayMs + 1 + jitter + (warmup ? 20 : 0));
    if (mode === "concurrent" && iteration === 2 && k === 2) {
      return {
        path: `/delay/${delayMs}`,
        latencyMs: round(latencyMs - 150),
        bytes: 0,
        error: RESET,
      };
    }
    return { path: `/delay/${delayMs}`, latencyMs };
  });
}

function eventLoopOf(mode: Mode, wallMs: number): EventLoopStats {
  const expected = Math.round(wallMs / 10);
  if (mode === "blocking") {
    // The main thread sleeps in Atomics.wait: the timer only fires between requests.
    return {
      maxDelayMs: 501.9,
      p99DelayMs: 499.1,
      utilization: 0.998,
      heartbeat: { expected, fired: 5 },
    };
  }
  return {
    maxDelayMs: 11.2,
    p99DelayMs: 10.6,
    utilization: mode === "concurrent" ? 0.06 : 0.03,
    heartbeat: { expected, fired: expected - 1 },
  };
}

const multiRuns: RunResult[] = [];
for (const [iteration, warmup] of [
  [1, true],
  [1, false],
  [2, false],
  [3, false],
  [4, false],
  [5, false],
] as const) {
  for (const mode of MODES3) {
    const specs = fiveUrls(mode, iteration, warmup);
    const requests = mode === "concurrent" ? concurrentRequests(specs) : sequentialRequests(specs);
    const r = run(mode, iteration, warmup, requests);
    r.eventLoop = eventLoopOf(mode, r.wallMs);
    multiRuns.push(r);
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Hostile text: a URL with `|`, a backtick, a comma, a double quote and an ANSI escape, and an
// error message that a spreadsheet would run as a formula.

const HOSTILE_URL = `${BASE}/a|b\`c,d"e\u001b[31mred`;
const FORMULA: RequestError = {
  kind: "other",
  code: null,
  message: '=HYPERLINK("http://evil.example","click")\u0007',
};

const hostileRuns: RunResult[] = [
  run(
    "sequential",
    1,
    false,
    sequentialRequests([
      { path: '/a|b`c,d"e\u001b[31mred', latencyMs: 3 },
      { path: "/bad-header", latencyMs: 1.2, error: FORMULA },
    ]),
  ),
];

// ---------------------------------------------------------------------------------------------
// The reports.

/** One run each of sequential and concurrent over 10 URLs; #5 times out, #7 answers 503. */
export const singleRun: Report = {
  schemaVersion: 2,
  tool: TOOL,
  startedAt: "2026-11-21T12:00:00.000Z",
  source: "urls.txt",
  options: reportOptions({ timeoutMs: 2000 }),
  ...completeness(singleRuns, reportOptions({ timeoutMs: 2000 })),
  runs: singleRuns,
  summary: summarize(singleRuns, reportOptions({ timeoutMs: 2000 })),
};

/** One run each over 25 URLs, more than the default 20 rows; #5 and #18 fail fast. */
export const manyUrls: Report = {
  schemaVersion: 2,
  tool: TOOL,
  startedAt: "2026-11-21T12:05:00.000Z",
  source: "many.txt",
  options: reportOptions({}),
  ...completeness(manyRuns, reportOptions({})),
  runs: manyRuns,
  summary: summarize(manyRuns, reportOptions({})),
};

/** Five measured runs after one warm-up of sequential, concurrent and blocking, with event-loop figures. */
export const multiRun: Report = {
  schemaVersion: 2,
  tool: TOOL,
  startedAt: "2026-11-21T12:10:00.000Z",
  source: "urls.txt",
  options: reportOptions({ modes: MODES3, runs: 5, warmup: 1 }),
  ...completeness(multiRuns, reportOptions({ modes: MODES3, runs: 5, warmup: 1 })),
  runs: multiRuns,
  summary: summarize(multiRuns, reportOptions({ modes: MODES3, runs: 5, warmup: 1 })),
};

/** One sequential run whose URL and error message carry markup, CSV and terminal hazards. */
export const hostile: Report = {
  schemaVersion: 2,
  tool: TOOL,
  startedAt: "2026-11-21T12:15:00.000Z",
  source: "hostile.txt",
  options: reportOptions({ modes: ["sequential"] }),
  ...completeness(hostileRuns, reportOptions({ modes: ["sequential"] })),
  runs: hostileRuns,
  summary: summarize(hostileRuns, reportOptions({ modes: ["sequential"] })),
};

/** The URL of {@link hostile}'s first row, as sent. */
/** A report with the sequential mode's delay histogram unsampled. */
export function withoutDelaySample(report: Report): Report {
  const sequential = report.summary.modes.sequential;
  if (sequential?.eventLoop == null) throw new Error("fixture has no sequential event loop");
  const eventLoop = { ...sequential.eventLoop, maxDelayMs: null, p99DelayMs: null };
  return {
    ...report,
    summary: {
      ...report.summary,
      modes: { ...report.summary.modes, sequential: { ...sequential, eventLoop } },
    },
  };
}

export { HOSTILE_URL };
