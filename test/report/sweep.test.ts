import { describe, expect, test } from "vitest";
import { schedule } from "../../src/index.js";
import { assembleReport } from "../../src/report/assemble.js";
import {
  type Concurrency,
  type Mode,
  type Report,
  type RunResult,
  variantKey,
} from "../../src/report/model.js";
import { parseReport } from "../../src/report/reader.js";
import { FORMATS, render } from "../../src/report/render.js";
import { renderJunit } from "../../src/report/render-junit.js";
import { missedThresholds, type Thresholds } from "../../src/thresholds.js";
import { fakeResult } from "../helpers.js";
import { singleRun } from "./fixtures.js";

const URLS = 8;

/** A run of `URLS` requests of `latencyMs` each, finishing in `wallMs`. */
function run(mode: Mode, concurrency: Concurrency, wallMs: number, latencyMs: number): RunResult {
  return {
    mode,
    variant: variantKey(mode, concurrency, true),
    iteration: 1,
    warmup: false,
    concurrency,
    wallMs,
    connectionsOpened: 1,
    peakInFlight: concurrency === "all" ? URLS : concurrency,
    eventLoop: null,
    requests: Array.from({ length: URLS }, (_, index) =>
      fakeResult(index, latencyMs, {
        url: `http://127.0.0.1:1/delay/${index}`,
        bytes: 2,
        httpVersion: "1.1",
        ttfbMs: latencyMs - 1,
      }),
    ),
  };
}

const sweep: Concurrency[] = [1, 2, 4, 8, "all"];

/** Throughput 10, 20, 32, 33.3, 33.3 req/s: the knee is at 4 (96% of the best). */
function sweepReport(): Report {
  const runs = [
    run("sequential", 1, 800, 100),
    run("concurrent", 1, 800, 100),
    run("concurrent", 2, 400, 100),
    run("concurrent", 4, 250, 120),
    run("concurrent", 8, 240, 230),
    run("concurrent", "all", 240, 230),
  ];
  return assembleReport(runs, {
    startedAt: "2026-12-02T00:00:00.000Z",
    source: "urls.txt",
    options: {
      modes: ["sequential", "concurrent"],
      concurrency: "all",
      sweep,
      runs: 1,
      warmup: 0,
      timeoutMs: 30_000,
      maxRedirects: 10,
      method: "GET",
      headers: {},
      ratePerSecond: null,
      proxies: [],
      insecure: false,
    },
    shard: null,
    urlCount: URLS,
    interrupted: false,
  });
}

describe("schedule", () => {
  test("alternates every mode and variant run by run, warm-ups first", () => {
    const order = schedule({
      modes: ["sequential", "concurrent", "blocking"],
      concurrency: 16,
      sweep: [1, 4, 16],
      runs: 2,
      warmup: 1,
    }).map((r) => `${r.warmup ? "w" : ""}${r.variant}#${r.iteration}`);
    const round = ["sequential", "concurrent@1", "concurrent@4", "concurrent@16", "blocking"];
    expect(order).toEqual([
      ...round.map((v) => `w${v}#1`),
      ...round.map((v) => `${v}#1`),
      ...round.map((v) => `${v}#2`),
    ]);
  });

  test("a single value keeps the modes as they were", () => {
    const runs = schedule({
      modes: ["sequential", "concurrent"],
      concurrency: 8,
      runs: 1,
      warmup: 0,
    });
    expect(runs).toEqual([
      { mode: "sequential", concurrency: 1, variant: "sequential", iteration: 1, warmup: false },
      { mode: "concurrent", concurrency: 8, variant: "concurrent", iteration: 1, warmup: false },
    ]);
  });
});

describe("a sweep's summary", () => {
  test("keys the concurrent mode by variant and leaves the single comparison out", () => {
    const { summary } = sweepReport();
    expect(Object.keys(summary.modes)).toEqual(["sequential"]);
    expect(Object.keys(summary.variants ?? {})).toEqual([
      "concurrent@1",
      "concurrent@2",
      "concurrent@4",
      "concurrent@8",
      "concurrent@all",
    ]);
    expect(summary.comparison).toBeNull();
    const at4 = summary.variants?.["concurrent@4"];
    expect(at4?.throughputRps).toBeCloseTo(32, 6);
    expect(at4?.speedup).toBeCloseTo(800 / 250, 6);
    expect(summary.variants?.["concurrent@all"]?.effectiveConcurrency).toBe(URLS);
  });

  test("finds the knee and its latency against the unloaded one", () => {
    const knee = sweepReport().summary.sweep?.knee;
    expect(knee).toMatchObject({ variant: "concurrent@4", concurrency: 4, p99Ms: 120 });
    expect(knee?.share).toBeCloseTo(32 / (8000 / 240), 6);
    expect(knee?.p99Ratio).toBeCloseTo(1.2, 6);
  });

  test("counts what a sweep did not run per variant", () => {
    const report = sweepReport();
    expect(report.notRun).toEqual({ sequential: 0, concurrent: 0 });
  });
});

describe("reading reports", () => {
  test("a version-1 report is upgraded: each run's variant is its mode", () => {
    const v1 = JSON.parse(JSON.stringify(singleRun)) as Record<string, unknown>;
    v1.schemaVersion = 1;
    for (const r of v1.runs as Record<string, unknown>[]) delete r.variant;
    const report = parseReport(JSON.stringify(v1), "old.json");
    expect(report.schemaVersion).toBe(2);
    expect(report.runs.map((r) => r.variant)).toEqual(report.runs.map((r) => r.mode));
    expect(report.summary.comparison).toEqual(singleRun.summary.comparison);
    expect(report.summary.variants).toBeUndefined();
  });

  test("a version-2 sweep reads back to the same summary", () => {
    const report = sweepReport();
    const read = parseReport(JSON.stringify(report), "sweep.json");
    expect(read.options.sweep).toEqual(sweep);
    expect(read.summary.variants).toEqual(report.summary.variants);
    expect(read.summary.sweep).toEqual(report.summary.sweep);
  });
});

// Each test builds its own report, inside the test: mutation testing maps what each test runs.
describe("rendering a sweep", () => {
  const options = { color: false, allRows: true, width: 200 };

  test.each(FORMATS.map((f) => f.name))("renders in %s", (format) => {
    const text = render(sweepReport(), format, options);
    expect(text.length).toBeGreaterThan(0);
    if (format === "json") {
      expect((JSON.parse(text) as Report).summary.sweep?.knee?.variant).toBe("concurrent@4");
    } else if (format === "csv") {
      expect(text).toContain("\nconcurrent@4,1,false,");
    } else if (format === "har") {
      // HAR has pages and entries, no findings: each variant's runs are its pages.
      expect(text).toContain("concurrent@4");
    } else {
      expect(text).toContain(
        "throughput stops growing at about -c 4 (96% of the best, p99 latency 1.2× the unloaded latency): use -c 4",
      );
    }
  });

  test("the terminal report has the sweep table and the chart", () => {
    const text = render(sweepReport(), "table", options);
    expect(text).toMatch(
      /concurrency sweep\n {2}-c +wall +req\/s +speed-up +efficiency +p50 +p99\n/,
    );
    expect(text).toMatch(/\n {2}4 +250 ms +32\.0 +3\.2× .*◀ knee\n/);
    expect(text).toContain("throughput (req/s)");
    expect(text).toContain("│ p99 latency");
    expect(text).toMatch(/Universal Scalability Law: (contention σ|no fit)/);
  });

  test("the Markdown report has the sweep table", () => {
    const text = render(sweepReport(), "markdown", options);
    expect(text).toContain("| Concurrency | Mean [ms] | Req/s | Speed-up |");
    expect(text).toContain("| **4** (knee) | 250.0 | 32.0 | 3.20 |");
  });

  test("JUnit has one suite per variant", () => {
    const xml = renderJunit(sweepReport(), { thresholds: [], comparison: null });
    for (const key of ["sequential", "concurrent@1", "concurrent@4", "concurrent@all"]) {
      expect(xml).toContain(`<testsuite name="fetchbench ${key}" tests="${URLS}"`);
    }
  });
});

describe("thresholds in a sweep", () => {
  const base: Thresholds = {
    minSpeedup: null,
    maxWall: [],
    maxFailures: 0,
    maxFailuresExplicit: false,
  };

  test("--max-wall names a variant with @c", () => {
    expect(
      missedThresholds(sweepReport(), {
        ...base,
        maxWall: [{ mode: "concurrent", concurrency: 4, ms: 200 }],
      }),
    ).toEqual([
      "--max-wall concurrent@4=200ms: concurrent@4 took 250 ms (mean wall), above 200 ms",
    ]);
    expect(
      missedThresholds(sweepReport(), {
        ...base,
        maxWall: [{ mode: "concurrent", concurrency: 8, ms: 300 }],
      }),
    ).toEqual([]);
  });

  test("--min-speedup counts the best variant unless @c is given", () => {
    expect(missedThresholds(sweepReport(), { ...base, minSpeedup: 3 })).toEqual([]);
    expect(missedThresholds(sweepReport(), { ...base, minSpeedup: 3, minSpeedupAt: 2 })).toEqual([
      "--min-speedup 3@2: concurrent@2 was 2.00× faster than sequential, below 3×",
    ]);
  });
});
