import { describe, expect, it } from "vitest";
import { localFailure } from "../../src/limits.js";
import type {
  EventLoopStats,
  Mode,
  RequestError,
  RequestResult,
  RunResult,
} from "../../src/report/model.js";
import { buildSummary, notRunByMode } from "../../src/report/summary.js";
import { fakeResult } from "../helpers.js";

function request(index: number, latencyMs: number, fields: Partial<RequestResult> = {}) {
  return fakeResult(index, latencyMs, { bytes: 10, ...fields });
}

function failed(index: number, latencyMs: number, error: RequestError, status: number | null) {
  return request(index, latencyMs, { ok: false, status, bytes: 0, error });
}

const TIMEOUT: RequestError = { kind: "timeout", code: "UND_ERR_HEADERS_TIMEOUT", message: "t" };
const HTTP_503: RequestError = { kind: "http", code: null, message: "503 Service Unavailable" };

interface RunFixture {
  mode: Mode;
  wallMs: number;
  /** Latencies of successful requests, indexed from 0; or the requests themselves. */
  requests?: number[] | RequestResult[];
  iteration?: number;
  warmup?: boolean;
  eventLoop?: EventLoopStats | null;
}

function run(fixture: RunFixture): RunResult {
  const requests = (fixture.requests ?? []).map((item, index) =>
    typeof item === "number" ? request(index, item) : item,
  );
  return {
    mode: fixture.mode,
    iteration: fixture.iteration ?? 1,
    warmup: fixture.warmup ?? false,
    concurrency: fixture.mode === "concurrent" ? "all" : 1,
    wallMs: fixture.wallMs,
    connectionsOpened: null,
    peakInFlight: 1,
    eventLoop: fixture.eventLoop ?? null,
    requests,
  };
}

/** Runs of one mode with these walls, iterations 1, 2, …, each with the same requests. */
function runs(mode: Mode, walls: number[], requests: number[] = [100]): RunResult[] {
  return walls.map((wallMs, i) => run({ mode, wallMs, iteration: i + 1, requests }));
}

const BOTH = { modes: ["sequential", "concurrent"] as Mode[], concurrency: "all" as const };

function eventLoop(
  maxDelayMs: number | null,
  p99DelayMs: number | null,
  utilization: number,
  expected: number,
  fired: number,
): EventLoopStats {
  return { maxDelayMs, p99DelayMs, utilization, heartbeat: { expected, fired } };
}

function kinds(summary: ReturnType<typeof buildSummary>): string[] {
  return summary.warnings.map((warning) => warning.kind);
}

describe("buildSummary: modes", () => {
  it("leaves warm-up runs out", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 5000, warmup: true, requests: [5000] }),
        run({ mode: "sequential", wallMs: 1000, requests: [400, 600] }),
      ],
      BOTH,
    );
    const sequential = summary.modes.sequential;
    expect(sequential?.runs).toBe(1);
    expect(sequential?.wallMs.mean).toBe(1000);
    expect(sequential?.slowestMs).toBe(600);
    expect(sequential?.ok).toBe(2);
  });

  it("summarises only modes asked for that have a measured run", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1000, requests: [100] }),
        run({ mode: "blocking", wallMs: 1000, requests: [100] }),
        run({ mode: "concurrent", wallMs: 100, warmup: true, requests: [100] }),
      ],
      BOTH,
    );
    expect(Object.keys(summary.modes)).toEqual(["sequential"]);
  });

  it("gives a wall distribution with a null stddev for a single run", () => {
    const summary = buildSummary([run({ mode: "sequential", wallMs: 1000 })], BOTH);
    expect(summary.modes.sequential?.wallMs).toEqual({
      mean: 1000,
      stddev: null,
      median: 1000,
      min: 1000,
      max: 1000,
    });
  });

  it("gives the wall mean and stddev over runs", () => {
    const summary = buildSummary(runs("sequential", [1000, 1100, 900]), BOTH);
    const wallMs = summary.modes.sequential?.wallMs;
    expect(wallMs?.mean).toBeCloseTo(1000, 9);
    expect(wallMs?.stddev).toBeCloseTo(100, 9);
    expect(wallMs?.median).toBe(1000);
    expect(wallMs?.min).toBe(900);
    expect(wallMs?.max).toBe(1100);
  });

  it("takes latency percentiles over every request of every measured run", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1, iteration: 1, requests: [1, 2, 3, 4, 5] }),
        run({ mode: "sequential", wallMs: 1, iteration: 2, requests: [6, 7, 8, 9, 10] }),
      ],
      BOTH,
    );
    const latencyMs = summary.modes.sequential?.latencyMs;
    expect(latencyMs?.p50).toBeCloseTo(5.5, 9);
    expect(latencyMs?.p90).toBeCloseTo(9.1, 9);
    expect(latencyMs?.p99).toBeCloseTo(9.91, 9);
    expect(latencyMs?.min).toBe(1);
    expect(latencyMs?.max).toBe(10);
  });

  it("has null latency percentiles when no request settled", () => {
    const summary = buildSummary([run({ mode: "sequential", wallMs: 1, requests: [] })], BOTH);
    expect(summary.modes.sequential?.latencyMs).toBeNull();
    expect(summary.modes.sequential?.slowestMs).toBe(0);
  });

  it("averages the per-run sum and keeps the slowest request", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1, iteration: 1, requests: [100, 200] }),
        run({ mode: "sequential", wallMs: 1, iteration: 2, requests: [100, 400] }),
      ],
      BOTH,
    );
    expect(summary.modes.sequential?.sumMs).toBe(400);
    expect(summary.modes.sequential?.slowestMs).toBe(400);
  });

  it("counts ok and failed requests and totals bytes over measured runs", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1, iteration: 1, requests: [100, 100] }),
        run({
          mode: "sequential",
          wallMs: 1,
          iteration: 2,
          requests: [request(0, 100), failed(1, 100, HTTP_503, 503)],
        }),
      ],
      BOTH,
    );
    expect(summary.modes.sequential?.ok).toBe(3);
    expect(summary.modes.sequential?.failed).toBe(1);
    expect(summary.modes.sequential?.bytes).toBe(30);
  });

  it("keeps the worst event-loop figures over runs", () => {
    const summary = buildSummary(
      [
        run({
          mode: "blocking",
          wallMs: 1,
          iteration: 1,
          eventLoop: eventLoop(12, 10, 0.1, 100, 98),
        }),
        run({
          mode: "blocking",
          wallMs: 1,
          iteration: 2,
          eventLoop: eventLoop(8, 11, 0.05, 50, 40),
        }),
        run({ mode: "blocking", wallMs: 1, iteration: 3, eventLoop: null }),
      ],
      { modes: ["blocking"], concurrency: 1 },
    );
    expect(summary.modes.blocking?.eventLoop).toEqual(eventLoop(12, 11, 0.1, 50, 40));
  });

  it("lets a run without a delay sample hide no other run's delay, and keeps null when none has one", () => {
    const summary = buildSummary(
      [
        run({
          mode: "blocking",
          wallMs: 1,
          iteration: 1,
          eventLoop: eventLoop(null, null, 0.2, 5, 5),
        }),
        run({ mode: "blocking", wallMs: 1, iteration: 2, eventLoop: eventLoop(7, 6, 0.1, 5, 5) }),
        run({
          mode: "sequential",
          wallMs: 1,
          iteration: 1,
          eventLoop: eventLoop(null, null, 0, 0, 0),
        }),
      ],
      { modes: ["sequential", "blocking"], concurrency: 1 },
    );
    expect(summary.modes.blocking?.eventLoop).toEqual(eventLoop(7, 6, 0.2, 5, 5));
    expect(summary.modes.sequential?.eventLoop).toEqual(eventLoop(null, null, 0, 0, 0));
  });

  it("has a null event loop when no run measured it", () => {
    const summary = buildSummary([run({ mode: "sequential", wallMs: 1 })], BOTH);
    expect(summary.modes.sequential?.eventLoop).toBeNull();
  });

  it("gives bound and efficiency only to the concurrent mode", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1000, requests: [100, 200, 300, 400] }),
        run({ mode: "concurrent", wallMs: 500, requests: [110, 210, 310, 410] }),
      ],
      BOTH,
    );
    expect(summary.modes.sequential?.boundMs).toBeNull();
    expect(summary.modes.sequential?.efficiency).toBeNull();
    expect(summary.modes.concurrent?.boundMs).toBe(400);
    expect(summary.modes.concurrent?.efficiency).toBeCloseTo(0.8, 12);
  });

  it("takes the concurrent bound from its own latencies when there is no baseline", () => {
    const summary = buildSummary(
      [run({ mode: "concurrent", wallMs: 500, requests: [100, 200, 300, 400] })],
      { modes: ["concurrent"], concurrency: 2 },
    );
    expect(summary.modes.concurrent?.boundMs).toBe(500);
    expect(summary.modes.concurrent?.efficiency).toBe(1);
  });
});

describe("buildSummary: comparison", () => {
  const single = [
    run({ mode: "sequential", wallMs: 1000, requests: [100, 200, 300, 400] }),
    run({ mode: "concurrent", wallMs: 420, requests: [110, 210, 310, 410] }),
  ];

  it("compares concurrent with sequential", () => {
    const comparison = buildSummary(single, BOTH).comparison;
    expect(comparison?.baseline).toBe("sequential");
    expect(comparison?.mode).toBe("concurrent");
    expect(comparison?.speedup).toBeCloseTo(1000 / 420, 12);
    expect(comparison?.boundMs).toBe(400);
    expect(comparison?.idealSpeedup).toBeCloseTo(2.5, 12);
    expect(comparison?.efficiency).toBeCloseTo(400 / 420, 12);
  });

  it("has a null speed-up stddev with single runs", () => {
    expect(buildSummary(single, BOTH).comparison?.speedupStddev).toBeNull();
  });

  it("computes the bound for the given concurrency", () => {
    const comparison = buildSummary(single, { ...BOTH, concurrency: 2 }).comparison;
    expect(comparison?.boundMs).toBe(500);
    expect(comparison?.idealSpeedup).toBeCloseTo(2, 12);
    expect(comparison?.efficiency).toBeCloseTo(500 / 420, 12);
  });

  it("propagates the uncertainty of the speed-up and averages the bound over baseline runs", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1000, iteration: 1, requests: [100, 400] }),
        run({ mode: "concurrent", wallMs: 400, iteration: 1, requests: [100, 100] }),
        run({ mode: "sequential", wallMs: 1100, iteration: 2, requests: [100, 500] }),
        run({ mode: "concurrent", wallMs: 420, iteration: 2, requests: [100, 100] }),
        run({ mode: "sequential", wallMs: 900, iteration: 3, requests: [100, 300] }),
        run({ mode: "concurrent", wallMs: 380, iteration: 3, requests: [100, 100] }),
      ],
      BOTH,
    );
    const comparison = summary.comparison;
    // 1000 ± 100 over 400 ± 20: 2.5 · √(0.1² + 0.05²).
    expect(comparison?.speedup).toBeCloseTo(2.5, 9);
    expect(comparison?.speedupStddev).toBeCloseTo(2.5 * Math.sqrt(0.0125), 9);
    // Per-run bounds 400, 500 and 300.
    expect(comparison?.boundMs).toBeCloseTo(400, 9);
    expect(comparison?.idealSpeedup).toBeCloseTo(2.5, 9);
    expect(comparison?.efficiency).toBeCloseTo(1, 9);
  });

  it("falls back to blocking as the baseline without sequential runs", () => {
    const summary = buildSummary(
      [
        run({ mode: "blocking", wallMs: 800, requests: [300, 500] }),
        run({ mode: "concurrent", wallMs: 400, requests: [100, 100] }),
      ],
      { modes: ["blocking", "concurrent"], concurrency: 1 },
    );
    expect(summary.comparison?.baseline).toBe("blocking");
    expect(summary.comparison?.speedup).toBe(2);
    expect(summary.comparison?.boundMs).toBe(800);
  });

  it("prefers sequential over blocking as the baseline", () => {
    const summary = buildSummary(
      [
        run({ mode: "blocking", wallMs: 800, requests: [100] }),
        run({ mode: "sequential", wallMs: 1000, requests: [100] }),
        run({ mode: "concurrent", wallMs: 100, requests: [100] }),
      ],
      { modes: ["sequential", "concurrent", "blocking"], concurrency: "all" },
    );
    expect(summary.comparison?.baseline).toBe("sequential");
  });

  it("is null without a concurrent run", () => {
    const summary = buildSummary(
      [run({ mode: "sequential", wallMs: 1000 }), run({ mode: "blocking", wallMs: 1000 })],
      { modes: ["sequential", "blocking"], concurrency: "all" },
    );
    expect(summary.comparison).toBeNull();
  });

  it("is null without a baseline", () => {
    const summary = buildSummary([run({ mode: "concurrent", wallMs: 100 })], BOTH);
    expect(summary.comparison).toBeNull();
  });

  it("is null when the concurrent wall is 0", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 100, requests: [100] }),
        run({ mode: "concurrent", wallMs: 0, requests: [100] }),
      ],
      BOTH,
    );
    expect(summary.comparison).toBeNull();
  });

  it("is null when the bound is 0, as with no requests", () => {
    const summary = buildSummary(
      [run({ mode: "sequential", wallMs: 100 }), run({ mode: "concurrent", wallMs: 50 })],
      BOTH,
    );
    expect(summary.comparison).toBeNull();
  });
});

describe("buildSummary: targets", () => {
  const threeRuns = [
    run({ mode: "sequential", wallMs: 1, iteration: 1, requests: [100, 50] }),
    run({ mode: "sequential", wallMs: 1, iteration: 2, requests: [300, 50] }),
    run({
      mode: "sequential",
      wallMs: 1,
      iteration: 3,
      requests: [failed(0, 200, HTTP_503, 503), request(1, 60)],
    }),
  ];

  it("lists one target per request index, in index order", () => {
    const summary = buildSummary(
      [
        run({
          mode: "concurrent",
          wallMs: 1,
          requests: [request(2, 1), request(0, 1), request(1, 1)],
        }),
      ],
      BOTH,
    );
    expect(summary.targets.map((target) => [target.index, target.line, target.url])).toEqual([
      [0, 1, "http://127.0.0.1/0"],
      [1, 2, "http://127.0.0.1/1"],
      [2, 3, "http://127.0.0.1/2"],
    ]);
  });

  it("gives the median latency over measured runs", () => {
    const [first, second] = buildSummary(threeRuns, BOTH).targets;
    expect(first?.modes.sequential?.latencyMs).toBe(200);
    expect(second?.modes.sequential?.latencyMs).toBe(50);
  });

  it("gives the last measured run's outcome", () => {
    const [first, second] = buildSummary(threeRuns, BOTH).targets;
    expect(first?.modes.sequential).toMatchObject({ ok: false, status: 503, error: HTTP_503 });
    expect(second?.modes.sequential).toMatchObject({ ok: true, status: 200, error: null });
  });

  it("takes the last run by iteration, not by position in the list", () => {
    const [target] = buildSummary([...threeRuns].reverse(), BOTH).targets;
    expect(target?.modes.sequential?.status).toBe(503);
  });

  it("counts the measured runs in which a target failed", () => {
    const summary = buildSummary(
      [
        run({
          mode: "sequential",
          wallMs: 1,
          iteration: 1,
          requests: [failed(0, 1, TIMEOUT, null)],
        }),
        run({ mode: "sequential", wallMs: 1, iteration: 2, requests: [request(0, 1)] }),
        run({
          mode: "sequential",
          wallMs: 1,
          iteration: 3,
          requests: [failed(0, 1, TIMEOUT, null)],
        }),
      ],
      BOTH,
    );
    expect(summary.targets[0]?.modes.sequential?.failures).toBe(2);
  });

  it("keeps each mode apart and ignores warm-ups", () => {
    const summary = buildSummary(
      [
        run({
          mode: "sequential",
          wallMs: 1,
          warmup: true,
          requests: [failed(0, 9, TIMEOUT, null)],
        }),
        run({ mode: "sequential", wallMs: 1, requests: [100] }),
        run({ mode: "concurrent", wallMs: 1, requests: [120] }),
      ],
      BOTH,
    );
    expect(summary.targets[0]?.modes).toEqual({
      sequential: { ok: true, status: 200, latencyMs: 100, error: null, failures: 0 },
      concurrent: { ok: true, status: 200, latencyMs: 120, error: null, failures: 0 },
    });
  });

  it("takes the median over the runs that reached a URL, and lists only their modes", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1, iteration: 1, requests: [request(0, 10)] }),
        run({ mode: "sequential", wallMs: 1, iteration: 2, requests: [100, 30] }),
        run({ mode: "sequential", wallMs: 1, iteration: 3, requests: [request(1, 50)] }),
        run({ mode: "concurrent", wallMs: 1, requests: [request(1, 7)] }),
      ],
      BOTH,
    );
    expect(summary.targets.map((target) => Object.keys(target.modes))).toEqual([
      ["sequential"],
      ["sequential", "concurrent"],
    ]);
    expect(summary.targets[0]?.modes.sequential?.latencyMs).toBe(55);
    expect(summary.targets[1]?.modes.sequential?.latencyMs).toBe(40);
  });
});

describe("buildSummary: warnings", () => {
  it("warns of outliers among the wall times", () => {
    const summary = buildSummary(runs("sequential", [1000, 1010, 990, 1005, 5000]), BOTH);
    expect(kinds(summary)).toEqual(["outliers"]);
    expect(summary.warnings[0]?.message).toContain("sequential: ");
    expect(summary.warnings[0]?.message).toContain("'--warmup'");
  });

  it("does not warn of outliers among close wall times", () => {
    expect(buildSummary(runs("sequential", [1000, 1010, 990, 1005, 1020]), BOTH).warnings).toEqual(
      [],
    );
  });

  it("warns when the first run is much slower than the rest, instead of outliers", () => {
    const summary = buildSummary(runs("sequential", [5000, 1000, 1010, 990, 1005]), BOTH);
    expect(kinds(summary)).toEqual(["slow-first-run"]);
    // In the units the reports print walls in (formatMs), not a formatter of its own.
    expect(summary.warnings[0]?.message).toContain("(5.00 s, against a median of 1.00 s)");
    expect(summary.warnings[0]?.message).toContain("'--warmup'");
  });

  it("lets a first run that is slower by a statistically clear but tiny margin pass", () => {
    // Steady runs make the MAD a few ms, so 1% scores far above the threshold.
    const walls = [3045, 3019, 3020, 3018, 3021];
    expect(buildSummary(runs("sequential", walls), BOTH).warnings).toEqual([]);
  });

  it("still warns of a steady set's first run when it is materially slower", () => {
    const walls = [3400, 3019, 3020, 3018, 3021];
    expect(kinds(buildSummary(runs("sequential", walls), BOTH))).toEqual(["slow-first-run"]);
  });

  it("lets an outlier within 5% of the median pass", () => {
    const walls = [1000, 1001, 999, 1000, 1040];
    expect(buildSummary(runs("sequential", walls), BOTH).warnings).toEqual([]);
  });

  it("does not call a much faster first run slow", () => {
    expect(kinds(buildSummary(runs("sequential", [100, 1000, 1010, 990, 1005]), BOTH))).toEqual([
      "outliers",
    ]);
  });

  it("does not judge the first run with only two runs", () => {
    expect(buildSummary(runs("sequential", [5000, 1000]), BOTH).warnings).toEqual([]);
  });

  it("suggests more warm-up when warm-up runs were already made", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 9000, warmup: true }),
        ...runs("sequential", [5000, 1000, 1010, 990, 1005]),
      ],
      BOTH,
    );
    expect(summary.warnings[0]?.message).toContain("already using the '--warmup' option");
  });

  it("reports failed requests with their kinds, most frequent first", () => {
    const summary = buildSummary(
      [
        run({
          mode: "sequential",
          wallMs: 1,
          requests: [
            failed(0, 1, TIMEOUT, null),
            ...[1, 2, 3, 4].map((i) => request(i, 1)),
            failed(5, 1, HTTP_503, 503),
            failed(6, 1, HTTP_503, 503),
            ...[7, 8, 9].map((i) => request(i, 1)),
          ],
        }),
      ],
      BOTH,
    );
    expect(summary.warnings).toEqual([
      { kind: "failures", message: "sequential: 3 of 10 requests failed (2 http, 1 timeout)" },
    ]);
  });

  it("names the client machine, not the server, for failures of kind local", () => {
    const emfile: RequestError = { kind: "local", code: "EMFILE", message: "too many open files" };
    const ports: RequestError = { kind: "local", code: "EADDRNOTAVAIL", message: "no port" };
    const summary = buildSummary(
      [
        run({
          mode: "concurrent",
          wallMs: 1,
          requests: [
            failed(0, 1, emfile, null),
            failed(1, 1, ports, null),
            failed(2, 1, emfile, null),
            failed(3, 1, HTTP_503, 503),
            request(4, 1),
          ],
        }),
      ],
      BOTH,
    );
    expect(summary.warnings).toEqual([
      { kind: "failures", message: "concurrent: 4 of 5 requests failed (3 local, 1 http)" },
      {
        kind: "local",
        message:
          "concurrent: 3 requests failed on this machine, not at the server: 2 × too many open files (EMFILE); 1 × no port (EADDRNOTAVAIL)",
      },
    ]);
  });

  it("reports failures across several runs", () => {
    const summary = buildSummary(
      [
        run({
          mode: "concurrent",
          wallMs: 1,
          iteration: 1,
          requests: [failed(0, 1, TIMEOUT, null)],
        }),
        run({ mode: "concurrent", wallMs: 1, iteration: 2, requests: [request(0, 1)] }),
      ],
      BOTH,
    );
    expect(summary.warnings).toEqual([
      {
        kind: "failures",
        message: "concurrent: 1 of 2 requests failed across 2 runs (1 timeout)",
      },
    ]);
  });

  it("does not report failures when every request was ok", () => {
    const summary = buildSummary([run({ mode: "sequential", wallMs: 1, requests: [1, 2] })], BOTH);
    expect(summary.warnings).toEqual([]);
  });

  it("does not report failures of warm-up runs", () => {
    const summary = buildSummary(
      [
        run({
          mode: "sequential",
          wallMs: 1,
          warmup: true,
          requests: [failed(0, 1, TIMEOUT, null)],
        }),
        run({ mode: "sequential", wallMs: 1, requests: [1] }),
      ],
      BOTH,
    );
    expect(summary.warnings).toEqual([]);
  });

  it("calls a speed-up within its uncertainty of 1 inconclusive", () => {
    const summary = buildSummary(
      [...runs("sequential", [1000, 1200, 800]), ...runs("concurrent", [950, 1050, 1000])],
      BOTH,
    );
    expect(kinds(summary)).toEqual(["inconclusive"]);
    expect(summary.warnings[0]?.message).toContain("1.00 ± 0.21");
  });

  it("does not call a clear speed-up inconclusive", () => {
    const summary = buildSummary(
      [...runs("sequential", [1000, 1100, 900]), ...runs("concurrent", [400, 420, 380])],
      BOTH,
    );
    expect(summary.warnings).toEqual([]);
  });

  it("does not call a single-run speed-up inconclusive", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 1000, requests: [100] }),
        run({ mode: "concurrent", wallMs: 1000, requests: [100] }),
      ],
      BOTH,
    );
    expect(summary.comparison?.speedup).toBe(1);
    expect(summary.warnings).toEqual([]);
  });
});

describe("buildSummary: beyond the bound", () => {
  it("warns when the concurrent wall beat the bound from the baseline's latencies", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 30, requests: [10, 10, 10] }),
        run({ mode: "concurrent", wallMs: 5, requests: [4, 4, 4] }),
      ],
      BOTH,
    );
    expect(summary.comparison?.efficiency).toBe(2);
    expect(kinds(summary)).toEqual(["beyond-bound"]);
    expect(summary.warnings[0]?.message).toContain("beat the bound of 10.0 ms");
  });

  it("lets noise within 5% of the bound pass without a warning", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 300, requests: [100, 100, 100] }),
        run({ mode: "concurrent", wallMs: 96, requests: [96, 96, 96] }),
      ],
      BOTH,
    );
    expect(summary.comparison?.efficiency).toBeCloseTo(1.0417, 3);
    expect(summary.warnings).toEqual([]);
  });
});

describe("buildSummary: nothing measured", () => {
  it("is empty when every run was a warm-up", () => {
    expect(
      buildSummary([run({ mode: "sequential", wallMs: 1, warmup: true, requests: [1] })], BOTH),
    ).toEqual({ modes: {}, comparison: null, targets: [], warnings: [] });
  });
});

describe("buildSummary: an interrupted run", () => {
  const ABORTED: RequestError = {
    kind: "aborted",
    code: "UND_ERR_ABORTED",
    message: "request aborted (interrupted)",
  };
  const cut = run({
    mode: "sequential",
    wallMs: 900,
    requests: [
      request(0, 100),
      failed(1, 50, HTTP_503, 503),
      request(2, 750, { ok: false, status: null, bytes: 0, error: ABORTED }),
    ],
  });

  it("counts a request cut by Ctrl-C as aborted, neither failed nor in the latency figures", () => {
    const s = buildSummary([cut], { modes: ["sequential"], concurrency: "all" }).modes.sequential;
    expect(s).toMatchObject({ ok: 1, failed: 1, aborted: 1, sumMs: 150, slowestMs: 100 });
    expect(s?.latencyMs?.max).toBe(100);
  });

  it("leaves the aborted request out of the failures warning and the target's failure count", () => {
    const summary = buildSummary([cut], { modes: ["sequential"], concurrency: "all" });
    const failures = summary.warnings.filter((w) => w.kind === "failures");
    expect(failures.map((w) => w.message)).toEqual(["sequential: 1 of 2 requests failed (1 http)"]);
    expect(summary.targets[2]?.modes.sequential).toMatchObject({ ok: false, failures: 0 });
  });

  it("counts per mode the requests of the measured runs that never completed", () => {
    const concurrentWarmup = run({ mode: "concurrent", wallMs: 10, warmup: true, requests: [5] });
    expect(notRunByMode([cut, concurrentWarmup], ["sequential", "concurrent"], 2, 5)).toEqual({
      sequential: 8,
      concurrent: 10,
    });
  });
});

describe("buildSummary: latency under concurrency", () => {
  it("gives the concurrent median latency against the baseline's", () => {
    const summary = buildSummary(
      [
        run({ mode: "sequential", wallMs: 300, requests: [100, 100, 100] }),
        run({ mode: "concurrent", wallMs: 480, requests: [480, 480, 480] }),
      ],
      BOTH,
    );
    expect(summary.comparison?.latencyRatio).toBeCloseTo(4.8, 6);
  });
});

describe("buildSummary: what each mode's figures are made of", () => {
  it("averages each phase over the requests that have it; wait is ttfb less connect", () => {
    const fresh = request(0, 40, {
      queuedMs: 2,
      dnsMs: 1,
      tcpMs: 3,
      tlsMs: 5,
      connectMs: 9,
      ttfbMs: 30,
      downloadMs: 10,
    });
    const reused = request(1, 20, { queuedMs: 4, ttfbMs: 16, downloadMs: 4 });
    const summary = buildSummary(
      [run({ mode: "sequential", wallMs: 70, requests: [fresh, reused] })],
      {
        modes: ["sequential"],
        concurrency: "all",
      },
    );
    expect(summary.modes.sequential?.phases).toEqual({
      queuedMs: 3,
      dnsMs: 1,
      tcpMs: 3,
      tlsMs: 5,
      connectMs: 9,
      // (30 − 9) and (16 − 0)
      waitMs: 18.5,
      ttfbMs: 23,
      downloadMs: 7,
    });
  });

  it("has no phase figure where no request has that phase", () => {
    const summary = buildSummary([run({ mode: "sequential", wallMs: 70, requests: [50] })], {
      modes: ["sequential"],
      concurrency: "all",
    });
    expect(summary.modes.sequential?.phases).toMatchObject({ dnsMs: null, tlsMs: null });
  });

  it("counts the protocols the responses came in, leaving out requests without one", () => {
    const requests = [
      request(0, 10, { httpVersion: "2" }),
      request(1, 10, { httpVersion: "2" }),
      request(2, 10, { httpVersion: "1.1" }),
      request(3, 10, { httpVersion: null }),
    ];
    const summary = buildSummary([run({ mode: "sequential", wallMs: 50, requests })], {
      modes: ["sequential"],
      concurrency: "all",
    });
    expect(summary.modes.sequential?.httpVersions).toEqual({ "2": 2, "1.1": 1 });
  });

  it("averages the connections opened, unless a run did not count them", () => {
    const counted = [run({ mode: "sequential", wallMs: 10, requests: [5], iteration: 1 })].map(
      (r) => ({ ...r, connectionsOpened: 1 }),
    );
    const second = { ...run({ mode: "sequential", wallMs: 10, requests: [5], iteration: 2 }) };
    const options = { modes: ["sequential"] as Mode[], concurrency: "all" as const };
    expect(
      buildSummary([...counted, { ...second, connectionsOpened: 4 }], options).modes.sequential
        ?.connectionsOpened,
    ).toBe(2.5);
    expect(
      buildSummary([...counted, { ...second, connectionsOpened: null }], options).modes.sequential
        ?.connectionsOpened,
    ).toBeNull();
  });

  it("takes the highest peak in flight over the runs", () => {
    const runsWithPeaks = [3, 7, 5].map((peakInFlight, i) => ({
      ...run({ mode: "concurrent", wallMs: 10, requests: [5], iteration: i + 1 }),
      peakInFlight,
    }));
    const summary = buildSummary(runsWithPeaks, { modes: ["concurrent"], concurrency: "all" });
    expect(summary.modes.concurrent?.peakInFlight).toBe(7);
  });

  it("gives every mode its wall against the fastest's, the fastest 1", () => {
    const summary = buildSummary(
      [
        ...runs("sequential", [400, 420]),
        ...runs("blocking", [800, 840]),
        ...runs("concurrent", [200, 210]),
      ],
      { modes: ["sequential", "blocking", "concurrent"], concurrency: "all" },
    );
    expect(summary.modes.concurrent?.relative).toEqual({ ratio: 1, stddev: null });
    expect(summary.modes.sequential?.relative.ratio).toBeCloseTo(410 / 205, 12);
    expect(summary.modes.blocking?.relative.ratio).toBeCloseTo(820 / 205, 12);
    expect(summary.modes.sequential?.relative.stddev).toBeGreaterThan(0);
  });

  it("compares concurrent with blocking when sequential did not run", () => {
    const summary = buildSummary([...runs("blocking", [400]), ...runs("concurrent", [200])], {
      modes: ["blocking", "concurrent"],
      concurrency: "all",
    });
    expect(summary.comparison?.baseline).toBe("blocking");
    expect(summary.comparison?.speedup).toBe(2);
  });

  it("has no comparison for a concurrent wall of 0, and no latency ratio without a baseline median", () => {
    const zeroWall = buildSummary([...runs("sequential", [400]), ...runs("concurrent", [0])], BOTH);
    expect(zeroWall.comparison).toBeNull();
    const noLatencies = buildSummary(
      [
        run({ mode: "sequential", wallMs: 400, requests: [] }),
        run({ mode: "concurrent", wallMs: 200, requests: [100] }),
      ],
      BOTH,
    );
    expect(noLatencies.comparison?.latencyRatio ?? null).toBeNull();
    const both = buildSummary(
      [...runs("sequential", [400], [100]), ...runs("concurrent", [200], [150])],
      BOTH,
    );
    expect(both.comparison?.latencyRatio).toBe(1.5);
  });

  it("keeps the worst of each event-loop figure over the runs", () => {
    const summary = buildSummary(
      [
        run({
          mode: "blocking",
          wallMs: 10,
          iteration: 1,
          eventLoop: eventLoop(40, 20, 0.5, 10, 2),
        }),
        run({
          mode: "blocking",
          wallMs: 10,
          iteration: 2,
          eventLoop: eventLoop(null, 30, 0.9, 10, 8),
        }),
        run({
          mode: "blocking",
          wallMs: 10,
          iteration: 3,
          eventLoop: eventLoop(25, null, 0.2, 0, 0),
        }),
      ],
      { modes: ["blocking"], concurrency: "all" },
    );
    expect(summary.modes.blocking?.eventLoop).toEqual(eventLoop(40, 30, 0.9, 10, 2));
  });

  it("counts what a sweep's concurrent mode did not run once per concurrency", () => {
    const done = runs("concurrent", [10], [5, 5]);
    expect(notRunByMode(done, ["concurrent", "sequential"], 1, 2, 3)).toEqual({
      concurrent: 4,
      sequential: 2,
    });
  });
});

describe("buildSummary: warnings at their edges", () => {
  it("names each resource the machine ran out of, most frequent first", () => {
    const local = (index: number, code: string | null): RequestResult =>
      failed(index, 1, { kind: "local", code, message: localFailure(code) ?? "?" }, null);
    const summary = buildSummary(
      [
        run({
          mode: "concurrent",
          wallMs: 10,
          requests: [local(0, "ENOBUFS"), local(1, "ENFILE"), local(2, "ENFILE"), local(3, null)],
        }),
      ],
      { modes: ["concurrent"], concurrency: "all" },
    );
    const message = summary.warnings.find((w) => w.kind === "local")?.message;
    expect(message).toBe(
      "concurrent: 4 requests failed on this machine, not at the server: 2 × too many open files on this machine (its system-wide limit): lower --concurrency (ENFILE); 1 × no network buffers free on this machine: lower --concurrency (ENOBUFS); 1 × ? (unknown)",
    );
    const one = buildSummary(
      [run({ mode: "concurrent", wallMs: 10, requests: [local(0, "EMFILE"), request(1, 5)] })],
      { modes: ["concurrent"], concurrency: "all" },
    );
    expect(one.warnings.find((w) => w.kind === "local")?.message).toMatch(
      /^concurrent: 1 request failed on this machine/,
    );
  });

  it("counts a failure without an error as other", () => {
    const summary = buildSummary(
      [
        run({
          mode: "sequential",
          wallMs: 10,
          requests: [request(0, 5, { ok: false, status: 500 })],
        }),
      ],
      { modes: ["sequential"], concurrency: "all" },
    );
    expect(summary.warnings.find((w) => w.kind === "failures")?.message).toBe(
      "sequential: 1 of 1 requests failed (1 other)",
    );
  });

  it("calls a speed-up inconclusive when its uncertainty reaches 1, and clear when far from it", () => {
    // Walls 100 ± 10 and 50 (no spread): ratio 2, σ = 10/50 = 0.2.
    const clear = buildSummary(
      [...runs("sequential", [90, 110]), ...runs("concurrent", [50, 50])],
      BOTH,
    );
    expect(clear.comparison?.speedupStddev).toBeCloseTo(Math.sqrt(200) / 50, 12);
    expect(kinds(clear)).not.toContain("inconclusive");
    // Walls 60 and 50 ± σ: ratio 1.2 with σ above 0.2.
    const unclear = buildSummary(
      [...runs("sequential", [60, 60]), ...runs("concurrent", [35, 65])],
      BOTH,
    );
    expect(kinds(unclear)).toContain("inconclusive");
  });

  it("warns of a first run slow only when it is also materially slower", () => {
    // Steady walls with a first run 4% slower: a high score, but not material.
    const slight = buildSummary(runs("sequential", [1040, 1000, 1000, 1001, 1000]), {
      modes: ["sequential"],
      concurrency: "all",
    });
    expect(kinds(slight)).toEqual([]);
    const slow = buildSummary(runs("sequential", [1500, 1000, 1000, 1001, 1000]), {
      modes: ["sequential"],
      concurrency: "all",
    });
    expect(slow.warnings[0]?.message).toContain("(1.50 s, against a median of 1.00 s)");
  });

  it("suggests --warmup for outliers only when it was not used", () => {
    const walls = [1000, 1000, 1001, 1000, 1600];
    const options = { modes: ["sequential"] as Mode[], concurrency: "all" as const };
    const cold = buildSummary(runs("sequential", walls), options);
    expect(cold.warnings.find((w) => w.kind === "outliers")?.message).toMatch(
      /\(1 of 5 runs\).* It might help to use the '--warmup' option\.$/,
    );
    const warmed = buildSummary(
      [run({ mode: "sequential", wallMs: 900, warmup: true }), ...runs("sequential", walls)],
      options,
    );
    expect(warmed.warnings.find((w) => w.kind === "outliers")?.message).not.toContain("--warmup");
  });
});

describe("buildSummary: figures and warnings exactly at their edges", () => {
  const SEQUENTIAL_ONLY = { modes: ["sequential"] as Mode[], concurrency: "all" as const };

  it("a first run exactly 5% slower than the median is material, and the hint says what to do", () => {
    const slow = buildSummary(runs("sequential", [1050, 1000, 1000, 1001, 1000]), SEQUENTIAL_ONLY);
    expect(kinds(slow)).toEqual(["slow-first-run"]);
    expect(slow.warnings[0]?.message).toMatch(
      /This could be caused by caches \(DNS, server, JIT\) that were cold until after the first run\. You should consider using the '--warmup' option to warm them before the measured runs\.$/,
    );
  });

  it("after a warm-up, an outlier warning ends without suggesting one", () => {
    const warmed = buildSummary(
      [
        run({ mode: "sequential", wallMs: 900, warmup: true }),
        ...runs("sequential", [1000, 1000, 1001, 1000, 1600]),
      ],
      SEQUENTIAL_ONLY,
    );
    expect(warmed.warnings.find((w) => w.kind === "outliers")?.message).toMatch(
      /without interference from other programs\.$/,
    );
  });

  it("an efficiency of exactly 105% is noise, not beyond the bound; above it the share is named", () => {
    // Bound 21 ms (the slowest sequential latency), concurrent wall 20 ms: 105%.
    const edge = buildSummary(
      [
        run({ mode: "sequential", wallMs: 21, requests: [21] }),
        run({ mode: "concurrent", wallMs: 20, requests: [20] }),
      ],
      BOTH,
    );
    expect(edge.comparison?.efficiency).toBe(1.05);
    expect(kinds(edge)).not.toContain("beyond-bound");
    const beyond = buildSummary(
      [
        run({ mode: "sequential", wallMs: 22, requests: [22] }),
        run({ mode: "concurrent", wallMs: 20, requests: [20] }),
      ],
      BOTH,
    );
    expect(beyond.warnings.find((w) => w.kind === "beyond-bound")?.message).toContain(
      "(110% of the bound)",
    );
  });

  it("has no efficiency for a wall of 0 ms, and no latency ratio against a median of 0 ms", () => {
    const zeroWall = buildSummary(
      [
        run({ mode: "sequential", wallMs: 10, requests: [10] }),
        run({ mode: "concurrent", wallMs: 0, requests: [10] }),
      ],
      BOTH,
    );
    expect(zeroWall.modes.concurrent?.efficiency).toBeNull();
    // Baseline median 0 ms with a slowest of 5 ms: a speed-up exists, a latency ratio does not.
    const zeroMedian = buildSummary(
      [
        run({ mode: "sequential", wallMs: 5, requests: [0, 0, 5] }),
        run({ mode: "concurrent", wallMs: 5, requests: [1, 1, 5] }),
      ],
      BOTH,
    );
    expect(zeroMedian.comparison?.speedup).toBe(1);
    expect(zeroMedian.comparison?.latencyRatio).toBeNull();
  });
});
