import { describe, expect, it } from "vitest";
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
          "concurrent: 3 requests failed on this machine, not at the server: it ran out of 2 × open files for this process (EMFILE; raise `ulimit -n` or lower --concurrency); 1 × local ports or addresses (EADDRNOTAVAIL; ports still in TIME_WAIT, or a bad local address)",
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
