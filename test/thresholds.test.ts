import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mode, Report, RequestResult, RunResult } from "../src/report/model.js";
import { buildSummary } from "../src/report/summary.js";
import { type ServerHandle, startServer } from "../src/server.js";
import {
  checkedThresholds,
  missedThresholds,
  type Thresholds,
  validateThresholds,
} from "../src/thresholds.js";
import { fakeResult, runMain } from "./helpers.js";
import { singleRun } from "./report/fixtures.js";

const NONE: Thresholds = {
  minSpeedup: null,
  maxWall: [],
  maxFailures: null,
  maxFailuresExplicit: false,
};

function request(index: number, ok: boolean): RequestResult {
  const error = { kind: "http", code: null, message: "HTTP 503 Service Unavailable" } as const;
  return fakeResult(index, 10, ok ? {} : { status: 503, error });
}

/** One run of a mode with that wall; `failures` of its two requests failed. */
function run(mode: Mode, wallMs: number, iteration = 1, failures = 0, warmup = false): RunResult {
  return {
    mode,
    iteration,
    warmup,
    concurrency: mode === "concurrent" ? "all" : 1,
    wallMs,
    connectionsOpened: null,
    peakInFlight: 1,
    eventLoop: null,
    requests: [request(0, failures < 1), request(1, failures < 2)],
  };
}

/** A report summarised, as a real one is, from these runs. */
function reportOf(runs: RunResult[]): Report {
  const modes = [...new Set(runs.map((r) => r.mode))];
  return { ...singleRun, runs, summary: buildSummary(runs, { modes, concurrency: "all" }) };
}

// Sequential 1000 ms, concurrent 250 ms: a speed-up of exactly 4.
const FOUR_TIMES = reportOf([run("sequential", 1000), run("concurrent", 250)]);

describe("--min-speedup", () => {
  it("is met exactly at the limit and just below it, missed just above it", () => {
    expect(FOUR_TIMES.summary.comparison?.speedup).toBe(4);
    expect(missedThresholds(FOUR_TIMES, { ...NONE, minSpeedup: 4 })).toEqual([]);
    expect(missedThresholds(FOUR_TIMES, { ...NONE, minSpeedup: 3.99 })).toEqual([]);
    expect(missedThresholds(FOUR_TIMES, { ...NONE, minSpeedup: 4.01 })).toEqual([
      "--min-speedup 4.01: concurrent was 4.00× faster than sequential, below 4.01×",
    ]);
  });

  it("uses the mean walls over runs", () => {
    // Means 1000 and 400: 2.5, although the best pair of runs gives 1200 / 300 = 4.
    const report = reportOf([
      run("sequential", 800, 1),
      run("concurrent", 300, 1),
      run("sequential", 1200, 2),
      run("concurrent", 500, 2),
    ]);
    expect(missedThresholds(report, { ...NONE, minSpeedup: 2.5 })).toEqual([]);
    expect(missedThresholds(report, { ...NONE, minSpeedup: 2.51 })).toHaveLength(1);
  });

  it("is not checked when unset, nor when nothing was compared", () => {
    const slow = reportOf([run("sequential", 100), run("concurrent", 100)]);
    expect(missedThresholds(slow, NONE)).toEqual([]);
    const alone = reportOf([run("concurrent", 100)]);
    expect(alone.summary.comparison).toBeNull();
    expect(missedThresholds(alone, { ...NONE, minSpeedup: 2 })).toEqual([]);
  });

  it("needs the concurrent mode and a baseline", () => {
    const t = { ...NONE, minSpeedup: 2 };
    expect(() => validateThresholds(t, ["sequential", "concurrent"])).not.toThrow();
    expect(() => validateThresholds(t, ["blocking", "concurrent"])).not.toThrow();
    expect(() => validateThresholds(t, ["concurrent"])).toThrow(/--min-speedup/);
    expect(() => validateThresholds(t, ["sequential", "blocking"])).toThrow(/--min-speedup/);
  });
});

describe("--max-wall", () => {
  it("is met exactly at the limit and just above it, missed just below it", () => {
    const wall = (ms: number) => ({ ...NONE, maxWall: [{ mode: "concurrent" as Mode, ms }] });
    expect(missedThresholds(FOUR_TIMES, wall(250))).toEqual([]);
    expect(missedThresholds(FOUR_TIMES, wall(251))).toEqual([]);
    expect(missedThresholds(FOUR_TIMES, wall(249))).toEqual([
      "--max-wall concurrent=249ms: concurrent took 250 ms (mean wall), above 249 ms",
    ]);
  });

  it("with several runs holds the mean to the limit, not the slowest run", () => {
    // Walls 100 and 300: mean 200, max 300.
    const report = reportOf([run("sequential", 100, 1), run("sequential", 300, 2)]);
    const limit = (ms: number) => ({ ...NONE, maxWall: [{ mode: "sequential" as Mode, ms }] });
    expect(missedThresholds(report, limit(200))).toEqual([]);
    expect(missedThresholds(report, limit(250))).toEqual([]);
    expect(missedThresholds(report, limit(199))).toHaveLength(1);
  });

  it("names a mode with no measured run, and rounds a short wall to a tenth", () => {
    const only = reportOf([run("sequential", 12.345)]);
    const limits = {
      ...NONE,
      maxWall: [
        { mode: "sequential" as Mode, ms: 10 },
        { mode: "concurrent" as Mode, ms: 10 },
      ],
    };
    expect(missedThresholds(only, limits)).toEqual([
      "--max-wall sequential=10ms: sequential took 12.3 ms (mean wall), above 10 ms",
      "--max-wall concurrent=10ms: concurrent has no measured run",
    ]);
  });

  it("leaves warm-up runs out of the mean", () => {
    const report = reportOf([run("sequential", 5000, 1, 0, true), run("sequential", 100)]);
    const limit = { ...NONE, maxWall: [{ mode: "sequential" as Mode, ms: 100 }] };
    expect(missedThresholds(report, limit)).toEqual([]);
  });

  it("checks each mode named against its own limit", () => {
    const limits = {
      ...NONE,
      maxWall: [
        { mode: "sequential" as Mode, ms: 999 },
        { mode: "concurrent" as Mode, ms: 250 },
      ],
    };
    const missed = missedThresholds(FOUR_TIMES, limits);
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatch(/^--max-wall sequential=999ms: sequential took .+ \(mean wall\)/);
  });

  it("refuses a mode that does not run", () => {
    const t = { ...NONE, maxWall: [{ mode: "blocking" as Mode, ms: 10 }] };
    expect(() => validateThresholds(t, ["sequential", "concurrent"])).toThrow(
      "`--max-wall` names blocking, which is not in `--modes` (sequential,concurrent)",
    );
    expect(() => validateThresholds(t, ["blocking"])).not.toThrow();
  });
});

describe("--max-failures", () => {
  // Failures: sequential 1 + 2 over its two runs, concurrent 1: 4 in all; warm-up ones don't count.
  const failing = reportOf([
    run("sequential", 100, 1, 1, true),
    run("sequential", 100, 1, 1),
    run("concurrent", 50, 1, 1),
    run("sequential", 100, 2, 2),
    run("concurrent", 50, 2, 0),
  ]);
  const explicit = (n: number) => ({ ...NONE, maxFailures: n, maxFailuresExplicit: true });

  it("counts failed requests over every mode and every measured run", () => {
    expect(missedThresholds(failing, explicit(4))).toEqual([]);
    expect(missedThresholds(failing, explicit(5))).toEqual([]);
    expect(missedThresholds(failing, explicit(3))).toEqual([
      "--max-failures 3: 4 requests failed, above 3",
    ]);
  });

  it("by default allows none and says how to allow them", () => {
    const byDefault = { ...NONE, maxFailures: 0 };
    expect(missedThresholds(FOUR_TIMES, byDefault)).toEqual([]);
    expect(missedThresholds(failing, byDefault)).toEqual([
      "4 requests failed (use --ignore-failures or --max-failures <n> to allow failures)",
    ]);
    const one = reportOf([run("sequential", 100, 1, 1)]);
    expect(missedThresholds(one, byDefault)).toEqual([
      "1 request failed (use --ignore-failures or --max-failures <n> to allow failures)",
    ]);
  });

  it("allows any number when null (--ignore-failures)", () => {
    expect(missedThresholds(failing, NONE)).toEqual([]);
  });
});

describe("several thresholds at once", () => {
  it("names every one missed, and only those", () => {
    const report = reportOf([run("sequential", 1000, 1, 1), run("concurrent", 250)]);
    const all: Thresholds = {
      minSpeedup: 5,
      maxWall: [
        { mode: "sequential", ms: 900 },
        { mode: "concurrent", ms: 300 },
      ],
      maxFailures: 0,
      maxFailuresExplicit: true,
    };
    expect(missedThresholds(report, all).map((line) => line.split(":")[0])).toEqual([
      "--min-speedup 5",
      "--max-wall sequential=900ms",
      "--max-failures 0",
    ]);
    expect(missedThresholds(report, { ...all, minSpeedup: 4, maxFailures: 1 })).toHaveLength(1);
  });
});

describe("thresholds from the command line, near their limits", () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });
  const input = (paths: string[]) => ({ input: paths.map((p) => `${server.url}${p}\n`).join("") });

  it("--max-wall misses a limit just under a wall the delays make certain", async () => {
    const result = await runMain(
      ["--modes", "sequential", "--max-wall", "sequential=290ms", "-q", "-"],
      input(["/delay/150", "/delay/150"]),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /--max-wall sequential=290ms: sequential took \d+ ms \(mean wall\)/,
    );
  });

  it("--min-speedup misses a limit just above what a cap of 2 allows", async () => {
    // 4 × 250 ms with two slots: 1000 ms against at least 500 ms, a speed-up of about 2.
    const paths = ["/delay/250", "/delay/250", "/delay/250", "/delay/250"];
    const missed = await runMain(["-c", "2", "--min-speedup", "2.5", "-q", "-"], input(paths));
    expect(missed.code).toBe(1);
    expect(missed.stderr).toMatch(/--min-speedup 2\.5: concurrent was [\d.]+× faster/);
    const met = await runMain(["-c", "2", "--min-speedup", "1.2", "-q", "-"], input(paths));
    expect(met.stderr).toBe("");
    expect(met.code).toBe(0);
  });

  it("--max-failures counts over every run: 2 runs × 2 modes × 1 failure", async () => {
    const paths = ["/status/503", "/bytes/1"];
    const args = (n: string) => ["--runs", "2", "--max-failures", n, "-q", "-"];
    expect((await runMain(args("4"), input(paths))).code).toBe(0);
    const missed = await runMain(args("3"), input(paths));
    expect(missed.code).toBe(1);
    expect(missed.stderr).toMatch(/--max-failures 3: 4 requests failed, above 3/);
  });
});

describe("checkedThresholds (one JUnit case each)", () => {
  it("names every threshold as its flag reads, with its missed line or null", () => {
    const failing = reportOf([run("sequential", 1000), run("concurrent", 250, 1, 1)]);
    const checked = checkedThresholds(failing, {
      minSpeedup: 5,
      maxWall: [
        { mode: "concurrent", ms: 200 },
        { mode: "sequential", ms: 2000 },
      ],
      maxFailures: 0,
      maxFailuresExplicit: false,
    });
    expect(checked.map((c) => c.name)).toEqual([
      "--min-speedup 5",
      "--max-wall concurrent=200ms",
      "--max-wall sequential=2s",
      "no failed requests",
    ]);
    expect(checked.map((c) => c.missed === null)).toEqual([false, false, true, false]);
    expect(checked[0]?.missed).toMatch(/^--min-speedup 5: /);
    expect(checked[1]?.missed).toMatch(/^--max-wall concurrent=200ms: /);
    expect(checked[3]?.missed).toMatch(/ failed \(use /);
  });

  it("names an explicit --max-failures by its flag, and lists nothing not asked for", () => {
    const checked = checkedThresholds(FOUR_TIMES, {
      ...NONE,
      maxFailures: 3,
      maxFailuresExplicit: true,
    });
    expect(checked).toEqual([{ name: "--max-failures 3", missed: null }]);
    expect(checkedThresholds(FOUR_TIMES, NONE)).toEqual([]);
  });
});
