import { describe, expect, it } from "vitest";
import { assembleReport } from "../../src/report/assemble.js";
import { compareReports, regressions } from "../../src/report/compare.js";
import {
  type Concurrency,
  type Mode,
  type Report,
  type RequestResult,
  type RunResult,
  variantKey,
} from "../../src/report/model.js";
import { renderComparison } from "../../src/report/render-comparison.js";
import { fakeResult } from "../helpers.js";
import { reportOptions } from "./fixtures.js";

const BASE = "http://127.0.0.1:41234";

function request(index: number, url: string, latencyMs: number, ok = true): RequestResult {
  const failed = { status: 500, error: { kind: "http", code: null, message: "500" } } as const;
  return fakeResult(index, latencyMs, { url, bytes: 2, ...(ok ? {} : failed) });
}

interface GivenRun {
  mode: Mode;
  wallMs: number;
  latencies: number[];
  /** The concurrent mode's concurrency in a sweep; else the report's. */
  concurrency?: Concurrency;
}

/**
 * A report whose runs are given as [wall, latencies per URL] per iteration; with `sweep`, the
 * concurrent runs each name their concurrency.
 */
function report(
  runs: GivenRun[],
  overrides: { paths?: string[]; concurrency?: Concurrency; sweep?: Concurrency[] } = {},
): Report {
  const modes = [...new Set(runs.map((run) => run.mode))];
  const sweeping = overrides.sweep !== undefined;
  const count = new Map<string, number>();
  const results: RunResult[] = runs.map((run) => {
    const concurrency =
      run.mode === "concurrent" ? (run.concurrency ?? overrides.concurrency ?? "all") : 1;
    const variant = variantKey(run.mode, concurrency, sweeping);
    const iteration = (count.get(variant) ?? 0) + 1;
    count.set(variant, iteration);
    return {
      mode: run.mode,
      iteration,
      warmup: false,
      concurrency,
      variant,
      wallMs: run.wallMs,
      connectionsOpened: 1,
      peakInFlight: 1,
      eventLoop: null,
      requests: run.latencies.map((ms, i) =>
        request(i, `${BASE}${overrides.paths?.[i] ?? `/u${i}`}`, ms),
      ),
    };
  });
  return assembleReport(results, {
    startedAt: "2026-11-21T12:00:00.000Z",
    source: "urls.txt",
    options: reportOptions({
      modes,
      concurrency: overrides.sweep?.at(-1) ?? overrides.concurrency ?? "all",
      ...(sweeping ? { sweep: overrides.sweep } : {}),
      runs: Math.max(...count.values()),
    }),
    shard: null,
    urlCount: Math.max(...runs.map((run) => run.latencies.length)),
    interrupted: false,
  });
}

const seq = (wallMs: number, latencies: number[]) => ({
  mode: "sequential" as Mode,
  wallMs,
  latencies,
});

describe("compareReports", () => {
  const baseline = report([seq(100, [20, 30, 50]), seq(104, [21, 31, 52]), seq(98, [19, 29, 50])]);

  it("calls a clear slowdown slower, with Welch's t on the walls", () => {
    const slower = report([seq(150, [40, 50, 60]), seq(154, [41, 52, 61]), seq(149, [40, 49, 60])]);
    const [mode] = compareReports(baseline, slower).modes;
    expect(mode?.verdict).toBe("slower");
    expect(mode?.wall.test).toBe("welch-t");
    expect(mode?.wall.pValue).toBeLessThan(0.05);
    expect(mode?.ratio).toBeCloseTo(151 / (302 / 3), 10);
    expect(mode?.wall.ratioStddev).toBeGreaterThan(0);
  });

  it("says no significant change when the runs overlap", () => {
    const same = report([seq(99, [20, 30, 50]), seq(105, [22, 30, 51]), seq(101, [20, 31, 50])]);
    const [mode] = compareReports(baseline, same).modes;
    expect(mode?.verdict).toBe("no significant change");
    expect(mode?.wall.pValue).toBeGreaterThan(0.05);
  });

  it("cannot tell the wall with one run, and says why; the rank test judges sequential latencies", () => {
    const one = report([seq(100, [20, 21, 22, 23, 24, 25, 26, 27])]);
    const slow = report([seq(500, [70, 71, 72, 73, 74, 75, 76, 77])]);
    const [mode] = compareReports(one, slow).modes;
    expect(mode?.wall.verdict).toBe("cannot tell");
    expect(mode?.wall.reason).toBe(
      "one measured run on each side; a wall verdict needs --runs 2 or more",
    );
    expect(mode?.latency.test).toBe("mann-whitney-u");
    expect(mode?.verdict).toBe("slower");
  });

  it("cannot tell a concurrent mode from one run: its requests are not independent samples", () => {
    const c = (wallMs: number, latencies: number[]) => ({
      mode: "concurrent" as Mode,
      wallMs,
      latencies,
    });
    const [mode] = compareReports(
      report([c(30, [20, 25, 30])]),
      report([c(80, [70, 75, 80])]),
    ).modes;
    expect(mode?.verdict).toBe("cannot tell");
    expect(mode?.ratio).toBeNull();
  });

  it("lists differing options and URLs exactly and compares only the shared URLs", () => {
    const other = report([seq(150, [20, 30, 90]), seq(150, [20, 30, 90])], {
      paths: ["/u0", "/u1", "/new"],
      concurrency: 5,
    });
    const comparison = compareReports(baseline, other);
    expect(comparison.differences).toEqual([
      'option concurrency: baseline "all", current 5',
      `1 URL only in the baseline: ${BASE}/u2`,
      `1 URL only in the current report: ${BASE}/new`,
    ]);
    const [mode] = comparison.modes;
    expect(mode?.wall.verdict).toBe("cannot tell");
    expect(mode?.wall.reason).toBe("the URL lists differ, so the walls cover different work");
    expect(comparison.urls.map((url) => url.url)).toEqual([`${BASE}/u0`, `${BASE}/u1`]);
  });

  it("pairs by line when asked, and says how many lines changed URL", () => {
    const moved = report([seq(100, [20, 30, 50]), seq(100, [20, 30, 50])], {
      paths: ["/a", "/b", "/c"],
    });
    const comparison = compareReports(baseline, moved, "line");
    expect(comparison.differences).toEqual([
      "3 lines have another URL in the current report (paired by line, as --match line asks)",
    ]);
    expect(comparison.urls.map((url) => url.url)).toEqual(["line 1", "line 2", "line 3"]);
  });

  it("counts as a regression only what is significant and beyond the limit", () => {
    const slower = report([seq(150, [40, 50, 60]), seq(154, [41, 52, 61]), seq(149, [40, 49, 60])]);
    const comparison = compareReports(baseline, slower);
    expect(regressions(comparison, 10).map((mode) => mode.mode)).toEqual(["sequential"]);
    expect(regressions(comparison, 60)).toEqual([]);
    expect(regressions(compareReports(baseline, baseline), 0)).toEqual([]);
  });
});

const conc = (concurrency: Concurrency, wallMs: number, latencies: number[]): GivenRun => ({
  mode: "concurrent",
  concurrency,
  wallMs,
  latencies,
});

/** Three rounds of sequential, concurrent@1 and concurrent@4, as a sweep `-c 1,4` runs them. */
function sweepOf(walls: { seq: number[]; c1: number[]; c4: number[] }, c4Latency = 40): Report {
  const runs = [0, 1, 2].flatMap((i) => [
    seq(walls.seq[i] ?? 0, [20 + i, 30, 50]),
    conc(1, walls.c1[i] ?? 0, [20, 30 + i, 50]),
    conc(4, walls.c4[i] ?? 0, [c4Latency + i, c4Latency + 10, c4Latency + 30]),
  ]);
  return report(runs, { sweep: [1, 4] });
}

describe("compareReports of sweeps", () => {
  const sweepBase = sweepOf({ seq: [100, 104, 98], c1: [101, 99, 103], c4: [50, 52, 49] });

  it("compares a sweep variant by variant, each with its own verdict", () => {
    const current = sweepOf({ seq: [101, 103, 99], c1: [100, 102, 98], c4: [90, 93, 88] }, 80);
    const comparison = compareReports(sweepBase, current);
    expect(comparison.differences).toEqual([]);
    expect(comparison.notCompared).toEqual([]);
    expect(comparison.modes.map((m) => [m.variant, m.concurrency, m.verdict])).toEqual([
      ["sequential", 1, "no significant change"],
      ["concurrent@1", 1, "no significant change"],
      ["concurrent@4", 4, "slower"],
    ]);
    const c4 = comparison.modes[2];
    expect(c4?.ratio).toBeCloseTo((90 + 93 + 88) / (50 + 52 + 49), 10);
    expect(regressions(comparison, 10).map((m) => m.variant)).toEqual(["concurrent@4"]);
    expect(regressions(comparison, 90)).toEqual([]);
    expect(new Set(comparison.urls.map((url) => url.variant))).toEqual(
      new Set(["sequential", "concurrent@1", "concurrent@4"]),
    );
  });

  it("lists a variant on one side only as not compared, with the reason", () => {
    const runs = [0, 1, 2].flatMap(() => [
      seq(100, [20, 30, 50]),
      conc(4, 50, [30, 40, 60]),
      conc(16, 40, [30, 40, 70]),
    ]);
    const comparison = compareReports(sweepBase, report(runs, { sweep: [4, 16] }));
    expect(comparison.differences).toEqual(["option concurrency: baseline [1,4], current [4,16]"]);
    expect(comparison.modes.map((m) => m.variant)).toEqual(["sequential", "concurrent@4"]);
    expect(comparison.notCompared).toEqual([
      {
        variant: "concurrent@1",
        side: "baseline",
        reason: "only in the baseline; the current report ran the concurrent mode at -c 4,16",
      },
      {
        variant: "concurrent@16",
        side: "current",
        reason: "only in the current report; the baseline ran the concurrent mode at -c 1,4",
      },
    ]);
  });

  it("compares a sweep with a single run at the concurrency they share, either way round", () => {
    const single = report(
      [0, 1, 2].flatMap(() => [seq(100, [20, 30, 50]), conc(4, 51, [30, 40, 60])]),
      { concurrency: 4 },
    );
    const forward = compareReports(sweepBase, single);
    expect(forward.differences).toEqual(["option concurrency: baseline [1,4], current 4"]);
    expect(forward.modes.map((m) => m.variant)).toEqual(["sequential", "concurrent@4"]);
    expect(forward.notCompared).toEqual([
      {
        variant: "concurrent@1",
        side: "baseline",
        reason: "only in the baseline; the current report ran the concurrent mode at -c 4",
      },
    ]);
    const backward = compareReports(single, sweepBase);
    expect(backward.modes.map((m) => m.variant)).toEqual(["sequential", "concurrent@4"]);
    expect(backward.notCompared).toEqual([
      {
        variant: "concurrent@1",
        side: "current",
        reason: "only in the current report; the baseline ran the concurrent mode at -c 4",
      },
    ]);
  });

  it("says why single runs at other concurrencies, or of other modes, are not compared", () => {
    const before = report([seq(100, [20]), conc("all", 30, [20])], { concurrency: "all" });
    const after = report([conc(5, 30, [20])], { concurrency: 5 });
    const comparison = compareReports(before, after);
    expect(comparison.modes).toEqual([]);
    expect(comparison.notCompared).toEqual([
      {
        variant: "sequential",
        side: "baseline",
        reason: "only in the baseline; the current report did not run the sequential mode",
      },
      {
        variant: "concurrent@all",
        side: "baseline",
        reason: "only in the baseline; the current report ran the concurrent mode at -c 5",
      },
      {
        variant: "concurrent@5",
        side: "current",
        reason: "only in the current report; the baseline ran the concurrent mode at -c all",
      },
    ]);
  });

  it("keeps the plain mode name when both ran one concurrency, the same", () => {
    const one = report([conc(4, 30, [20, 25]), conc(4, 31, [21, 25])], { concurrency: 4 });
    expect(compareReports(one, one).modes.map((m) => m.variant)).toEqual(["concurrent"]);
  });

  it("shows the variants and what was not compared in text, Markdown and JSON", () => {
    const single = report(
      [0, 1, 2].flatMap(() => [seq(100, [20, 30, 50]), conc(4, 51, [30, 40, 60])]),
      { concurrency: 4 },
    );
    const comparison = compareReports(sweepBase, single);
    const text = renderComparison(comparison, "table", { allRows: true });
    expect(text).toContain(
      "Not compared:\n  concurrent@1: only in the baseline; the current report ran the concurrent mode at -c 4\n",
    );
    expect(text).toMatch(
      /^concurrent@4: (no significant change|slower|faster) at 95% confidence$/m,
    );
    expect(text).toMatch(/^ {2}concurrent@4 +http:\/\/127\.0\.0\.1:41234\/u0 /m);
    const markdown = renderComparison(comparison, "markdown", { allRows: true });
    expect(markdown).toContain(
      "- concurrent@1: only in the baseline; the current report ran the concurrent mode at -c 4",
    );
    expect(markdown).toMatch(/^\| concurrent@4 \| \*\*/m);
    const json = JSON.parse(renderComparison(comparison, "json", { allRows: true }));
    expect(json.modes.map((m: { variant: string }) => m.variant)).toEqual([
      "sequential",
      "concurrent@4",
    ]);
    expect(json.notCompared).toEqual(comparison.notCompared);
  });
});
