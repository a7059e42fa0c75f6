import { describe, expect, test } from "vitest";
import { schedule } from "../../src/index.js";
import { assembleReport } from "../../src/report/assemble.js";
import {
  type Concurrency,
  type Mode,
  type Report,
  type RequestResult,
  type RunResult,
  variantKey,
} from "../../src/report/model.js";
import { parseReport } from "../../src/report/reader.js";
import { FORMATS, render } from "../../src/report/render.js";
import { renderJunit } from "../../src/report/render-junit.js";
import type { UslFit } from "../../src/report/scalability.js";
import { buildSummary } from "../../src/report/summary.js";
import {
  missedThresholds,
  type Thresholds,
  validateThresholdConcurrency,
} from "../../src/thresholds.js";
import { fakeResult } from "../helpers.js";
import { reportOptions, singleRun } from "./fixtures.js";

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
function sweepReport(edit: (runs: RunResult[]) => void = () => {}): Report {
  const runs = [
    run("sequential", 1, 800, 100),
    run("concurrent", 1, 800, 100),
    run("concurrent", 2, 400, 100),
    run("concurrent", 4, 250, 120),
    run("concurrent", 8, 240, 230),
    run("concurrent", "all", 240, 230),
  ];
  edit(runs);
  return assembleReport(runs, {
    startedAt: "2026-12-02T00:00:00.000Z",
    source: "urls.txt",
    options: reportOptions({ sweep }),
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

  test("takes the unloaded latency as the median at the lowest concurrency measured", () => {
    const summaryOf = (modes: Mode[], values: Concurrency[], runs: RunResult[]) =>
      buildSummary(runs, { modes, concurrency: "all", sweep: values }).sweep;
    const variants = [run("concurrent", 2, 400, 90), run("concurrent", 4, 250, 150)];
    // -c 1 is measured: it is the unloaded one, though sequential also ran one at a time.
    expect(sweepReport().summary.sweep).toMatchObject({
      unloadedFrom: "concurrent@1",
      unloadedMs: 100,
    });
    // The sweep starts at 2: sequential, at 1, is the lowest concurrency measured.
    expect(
      summaryOf(["sequential", "concurrent"], [2, 4], [run("sequential", 1, 800, 80), ...variants]),
    ).toMatchObject({ unloadedFrom: "sequential", unloadedMs: 80, knee: { p99Ratio: 150 / 80 } });
    // No mode one at a time: the sweep's smallest value. Its median, not its slowest request
    // (a cold first one).
    const [coldFirst, warm] = variants as [RunResult, RunResult];
    const cold = {
      ...coldFirst,
      requests: coldFirst.requests.map((r, i) => (i === 0 ? { ...r, latencyMs: 500 } : r)),
    };
    expect(summaryOf(["concurrent"], [2, 4], [cold, warm])).toMatchObject({
      unloadedFrom: "concurrent@2",
      unloadedMs: 90,
    });
  });

  test("finds the knee and its latency against the unloaded one", () => {
    const knee = sweepReport().summary.sweep?.knee;
    expect(knee).toMatchObject({ variant: "concurrent@4", concurrency: 4, p99Ms: 120 });
    expect(knee?.share).toBeCloseTo(32 / (8000 / 240), 6);
    expect(knee?.p99Ratio).toBeCloseTo(1.2, 6);
  });

  test("gives every URL a cell per variant, beside the modes", () => {
    const { targets } = sweepReport().summary;
    expect(targets).toHaveLength(URLS);
    for (const target of targets) {
      expect(Object.keys(target.modes)).toEqual(["sequential"]);
      expect(
        Object.entries(target.variants ?? {}).map(([key, cell]) => [key, cell.latencyMs]),
      ).toEqual([
        ["concurrent@1", 100],
        ["concurrent@2", 100],
        ["concurrent@4", 120],
        ["concurrent@8", 230],
        ["concurrent@all", 230],
      ]);
    }
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
        "throughput stops growing at about -c 4 (96% of the best, p99 latency 1.2× the unloaded median at -c 1): use -c 4",
      );
    }
  });

  test("says so when throughput was still growing at the highest concurrency", () => {
    // 80 req/s at 8 (and at all, the same 8 requests), 32 at 4: the curve never flattened.
    const growing = sweepReport((runs) => {
      for (const at of [runs[4], runs[5]]) if (at !== undefined) at.wallMs = 100;
    });
    expect(growing.summary.sweep?.knee?.variant).toBe("concurrent@8");
    expect(render(growing, "markdown", options)).toContain(
      "throughput was still growing at -c 8, the highest concurrency measured (p99 latency 2.3× the unloaded median at -c 1): the knee, if there is one, lies beyond it",
    );
  });

  test("the terminal report has the sweep table and the chart", () => {
    const text = render(sweepReport(), "table", options);
    expect(text).toMatch(
      /concurrency sweep\n {2}-c +wall +req\/s +speed-up +efficiency +p50 +p99 +requests\n/,
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

  test("the HTML report has the sweep table and draws the curve on a log axis", () => {
    const report = sweepReport();
    const page = render(report, "html", options);
    const keys = Object.keys(report.summary.variants ?? {});
    expect(page).toContain('<table class="sweep">');
    expect([...page.matchAll(/<tr data-variant="([^"]+)"/g)].map((m) => m[1])).toEqual(keys);
    const points = [...page.matchAll(/<g class="point" data-variant="([^"]+)">/g)];
    expect(points.map((m) => m[1])).toEqual(keys);
    // 1, 2, 4, 8 double: equal steps on a log axis (8 and all share the last).
    const xs = [...page.matchAll(/<circle class="tput" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    const steps = xs.slice(1).map((x, i) => x - (xs[i] ?? 0));
    expect(steps[0]).toBeGreaterThan(0);
    for (const step of steps.slice(1, 3)) expect(step).toBeCloseTo(steps[0] ?? 0, 0);
    expect(steps[3]).toBe(0);
    expect(page).toContain('<g class="knee" data-variant="concurrent@4">');
    expect(page).toContain("knee · -c 4");
  });

  test("the HTML curve draws the USL prediction only where the fit was kept", () => {
    const report = sweepReport();
    const sweepOf = (usl: UslFit | null): Report => {
      const copy = structuredClone(report);
      if (copy.summary.sweep !== undefined) {
        copy.summary.sweep.usl = usl;
        copy.summary.sweep.uslReason = usl === null ? "the fit is poor" : null;
      }
      return copy;
    };
    const fit: UslFit = {
      lambda: 10,
      sigma: 0.1,
      kappa: 0.01,
      peakConcurrency: Math.sqrt(0.9 / 0.01),
      peakThroughputRps: 40,
      rSquared: 0.97,
    };
    const kept = render(sweepOf(fit), "html", options);
    expect(kept.match(/<path class="usl" d="M[^"]+"\/>/g)).toHaveLength(1);
    expect(kept).toContain("USL prediction");
    const left = render(sweepOf(null), "html", options);
    expect(left).not.toContain('class="usl"');
    expect(left).not.toContain("USL prediction");
    expect(left).toContain("Universal Scalability Law: no fit, the fit is poor.");
  });

  describe("per URL, every variant has its own cell", () => {
    // At -c 8, URL #3 timed out after 900 ms; everywhere else it was ok.
    const failing = sweepReport((runs) => {
      const at8 = runs[4] as RunResult;
      at8.requests[2] = {
        ...(at8.requests[2] as RequestResult),
        ok: false,
        status: null,
        latencyMs: 900,
        error: {
          kind: "timeout",
          code: "UND_ERR_HEADERS_TIMEOUT",
          message: "Headers Timeout Error",
        },
      };
    });
    const failingOptions = { ...options, allRows: false, maxRows: 2 };

    test("in the terminal table, with the failure named under the variant it happened in", () => {
      const text = render(failing, "table", failingOptions);
      expect(text).toMatch(
        / {2}# +URL +sequential +concurrent@1 +concurrent@2 +concurrent@4 +concurrent@8 +concurrent@all\n/,
      );
      expect(text).toMatch(
        / 3 +http:\/\/127\.0\.0\.1:1\/delay\/2 +200 +100 ms +200 +100 ms +200 +100 ms +200 +120 ms +timeout +900 ms +200 +230 ms\n/,
      );
      expect(text).toContain(
        "1 × timeout  Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT)  (concurrent@8)",
      );
    });

    test("too narrow for the columns side by side, each URL's cells go under it", () => {
      const text = render(failing, "table", { ...failingOptions, width: 50 });
      for (const key of ["sequential", "concurrent@1", "concurrent@8", "concurrent@all"]) {
        expect(text).toContain(key);
      }
      expect(text).toMatch(/\n {7}concurrent@8 +timeout +900 ms/);
      // Every line fits, the sweep's table and chart included.
      for (const line of text.split("\n")) expect(Array.from(line).length).toBeLessThanOrEqual(50);
      expect(text).toMatch(/concurrency sweep\n {2}-c +wall +req\/s +speed-up +efficiency\n/);
    });

    test("the row budget and --sort see the variants' failures and latencies", () => {
      // Budget of 2: the URL that failed only at -c 8 is kept, then the slowest ok one.
      const budget = render(failing, "markdown", failingOptions);
      expect(budget).toContain(
        "| 3 | http://127.0.0.1:1/delay/2 | 200 · 100 ms | 200 · 100 ms | 200 · 100 ms | 200 · 120 ms | **timeout** · 900 ms | 200 · 230 ms |",
      );
      expect(budget).toContain(
        "- 1 × timeout: Headers Timeout Error (UND_ERR_HEADERS_TIMEOUT) (`concurrent@8`; #3)",
      );
      const byLatency = render(failing, "markdown", {
        ...failingOptions,
        sort: "latency",
        maxRows: 1,
      });
      expect(byLatency).toMatch(/\n\| 3 \| http:\/\/127\.0\.0\.1:1\/delay\/2 \|/);
      const byStatus = render(failing, "markdown", {
        ...failingOptions,
        sort: "status",
        maxRows: 1,
      });
      expect(byStatus).toMatch(/\n\| 3 \| http:\/\/127\.0\.0\.1:1\/delay\/2 \|/);
    });

    test("in the HTML table, a status and a latency column per variant", () => {
      const page = render(failing, "html", failingOptions);
      for (const key of Object.keys(failing.summary.variants ?? {})) {
        expect(page).toContain(`<button type="button">${key} status</button>`);
        expect(page).toContain(`<button type="button">${key} latency</button>`);
      }
      expect(page).toMatch(
        /<td class="bad" data-v="timeout"[^>]*>timeout<div class="muted">Headers Timeout Error/,
      );
    });
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

  test("--max-wall without @c holds the fastest variant to the limit, and says so", () => {
    const missed = missedThresholds(sweepReport(), {
      ...base,
      maxWall: [{ mode: "concurrent", ms: 1 }],
    });
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatch(/^--max-wall concurrent=1ms: concurrent@\d+ \(the fastest\) took /);
    expect(
      missedThresholds(sweepReport(), { ...base, maxWall: [{ mode: "concurrent", ms: 60_000 }] }),
    ).toEqual([]);
  });

  test("a @c the run does not measure is refused up front, naming the values it does", () => {
    const speedup = { ...base, minSpeedup: 2, minSpeedupAt: 32 as Concurrency };
    expect(() => validateThresholdConcurrency(speedup, sweep)).toThrow(
      "`--min-speedup 2@32` names -c 32, which this run does not measure (it measures -c 1,2,4,8,all)",
    );
    expect(() =>
      validateThresholdConcurrency({ ...speedup, minSpeedupAt: 8 }, sweep),
    ).not.toThrow();
    const wall = (concurrency: Concurrency) => ({
      ...base,
      maxWall: [{ mode: "concurrent" as Mode, concurrency, ms: 2000 }],
    });
    expect(() => validateThresholdConcurrency(wall("all"), sweep)).not.toThrow();
    expect(() => validateThresholdConcurrency(wall(16), sweep)).toThrow(
      "`--max-wall concurrent@16=2s` names -c 16, which this run does not measure (it measures -c 1,2,4,8,all)",
    );
    // A single value: only that one.
    expect(() => validateThresholdConcurrency(wall(8), [8])).not.toThrow();
    expect(() => validateThresholdConcurrency(wall("all"), [8])).toThrow(/\(it measures -c 8\)$/);
  });

  test("--min-speedup counts the best variant unless @c is given", () => {
    expect(missedThresholds(sweepReport(), { ...base, minSpeedup: 3 })).toEqual([]);
    expect(missedThresholds(sweepReport(), { ...base, minSpeedup: 3, minSpeedupAt: 2 })).toEqual([
      "--min-speedup 3@2: concurrent@2 was 2.00× faster than sequential, below 3×",
    ]);
  });
});
