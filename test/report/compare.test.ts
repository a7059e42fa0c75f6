import { describe, expect, it } from "vitest";
import { assembleReport } from "../../src/report/assemble.js";
import { compareReports, regressions } from "../../src/report/compare.js";
import type { Mode, Report, RequestResult, RunResult } from "../../src/report/model.js";
import { fakeResult } from "../helpers.js";

const BASE = "http://127.0.0.1:41234";

function request(index: number, url: string, latencyMs: number, ok = true): RequestResult {
  const failed = { status: 500, error: { kind: "http", code: null, message: "500" } } as const;
  return fakeResult(index, latencyMs, { url, bytes: 2, ...(ok ? {} : failed) });
}

/** A report whose runs are given as [wall, latencies per URL] per iteration. */
function report(
  runs: { mode: Mode; wallMs: number; latencies: number[] }[],
  overrides: { paths?: string[]; concurrency?: number | "all" } = {},
): Report {
  const modes = [...new Set(runs.map((run) => run.mode))];
  const count = new Map<Mode, number>();
  const results: RunResult[] = runs.map((run) => {
    const iteration = (count.get(run.mode) ?? 0) + 1;
    count.set(run.mode, iteration);
    return {
      mode: run.mode,
      iteration,
      warmup: false,
      concurrency: run.mode === "concurrent" ? (overrides.concurrency ?? "all") : 1,
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
    options: {
      modes,
      concurrency: overrides.concurrency ?? "all",
      runs: Math.max(...count.values()),
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
