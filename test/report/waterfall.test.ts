import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { renderTable } from "../../src/report/render-table.js";
import { showWaterfall, waterfallLines } from "../../src/report/waterfall.js";
import { runCli } from "../helpers.js";
import { manyUrls, singleRun } from "./fixtures.js";

const plain = pc.createColors(false);
const ROW = /^\s+#(\d+)(?:–(\d+) \((\d+)\))? │(.*)│/;

function rows(lines: string[]): { label: string; bar: string; line: string }[] {
  return lines.flatMap((line) => {
    const match = ROW.exec(line);
    return match ? [{ label: match[1] ?? "", bar: match[4] ?? "", line }] : [];
  });
}

describe("waterfall", () => {
  it("draws one row per request per mode within the width", () => {
    const lines = waterfallLines(singleRun, ["sequential", "concurrent"], { width: 80 }, plain);
    expect(lines.filter((line) => line.startsWith("waterfall"))).toEqual([
      "waterfall (sequential)",
      "waterfall (concurrent)",
    ]);
    expect(rows(lines)).toHaveLength(20);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    // One bar width for every row: the axis is shared by the modes.
    expect(new Set(rows(lines).map((row) => Array.from(row.bar).length)).size).toBe(1);
    expect(lines.at(-1)).toContain("· queued  ░ connect  ▒ wait  █ download  ✗ failed");
  });

  it("draws the sequential mode as a staircase and the concurrent one as a stack", () => {
    const lines = waterfallLines(singleRun, ["sequential", "concurrent"], { width: 100 }, plain);
    const bars = rows(lines).map((row) => row.bar);
    const firstColumn = (bar: string) => bar.search(/\S/);
    const sequential = bars.slice(0, 10).map(firstColumn);
    const concurrent = bars.slice(10).map(firstColumn);
    expect(sequential).toEqual([...sequential].sort((a, b) => a - b));
    expect(sequential.at(-1)).toBeGreaterThan(sequential[0] ?? 0);
    expect(new Set(concurrent)).toEqual(new Set([0]));
  });

  it("marks failures with their kind", () => {
    const lines = waterfallLines(singleRun, ["sequential"], { width: 100 }, plain);
    const byIndex = new Map(rows(lines).map((row) => [row.label, row.line]));
    expect(byIndex.get("5")).toMatch(/✗ timeout$/);
    expect(byIndex.get("7")).toMatch(/✗ http$/);
    expect(byIndex.get("1")).not.toContain("✗");
  });

  it("groups many requests into buckets of neighbours with their count", () => {
    const lines = waterfallLines(manyUrls, ["concurrent"], { width: 100, maxRows: 5 }, plain);
    const labels = lines.filter((line) => ROW.test(line)).map((line) => ROW.exec(line)?.[3]);
    const total = manyUrls.runs.find((run) => run.mode === "concurrent")?.requests.length ?? 0;
    expect(labels.length).toBeLessThanOrEqual(5);
    expect(labels.reduce((sum, count) => sum + Number(count ?? 1), 0)).toBe(total);
  });

  it("uses colour only when allowed", () => {
    const coloured = waterfallLines(
      singleRun,
      ["sequential"],
      { width: 80 },
      pc.createColors(true),
    );
    expect(coloured.join("\n")).toContain("\u001b[");
    const uncoloured = waterfallLines(singleRun, ["sequential"], { width: 80 }, plain);
    expect(uncoloured.join("\n")).not.toContain("\u001b[");
  });

  it("is part of the terminal report only when asked", () => {
    const options = { color: false, allRows: false, width: 100 };
    expect(renderTable(singleRun, options)).not.toContain("waterfall (");
    expect(renderTable(singleRun, { ...options, waterfall: true })).toContain(
      "waterfall (concurrent)",
    );
  });

  it("is on by default on a terminal for short lists", () => {
    expect(showWaterfall(undefined, true, 30)).toBe(true);
    expect(showWaterfall(undefined, true, 31)).toBe(false);
    expect(showWaterfall(undefined, false, 3)).toBe(false);
    expect(showWaterfall(true, false, 1000)).toBe(true);
    expect(showWaterfall(false, true, 3)).toBe(false);
  });

  it("follows --waterfall and --no-waterfall on the command line", async () => {
    const args = ["demo", "--count", "3", "--delay", "10ms"];
    // One at a time, with room to spare: a busy machine starts node slowly.
    const run = (extra: string[]) => runCli([...args, ...extra], { timeoutMs: 60_000 });
    const off = await run([]);
    const on = await run(["--waterfall"]);
    const forcedOff = await run(["--waterfall", "--no-waterfall"]);
    expect(off.stdout).not.toContain("waterfall (");
    expect(on.stdout).toContain("waterfall (sequential)");
    // The demo runs three modes of three URLs each.
    expect(rows(on.stdout.split("\n"))).toHaveLength(9);
    expect(forcedOff.stdout).not.toContain("waterfall (");
  }, 200_000);
});
