import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare } from "../src/index.js";
import type { Report } from "../src/report/model.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { runCli } from "./helpers.js";

let server: LocalServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-sweep-"));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a sweep against a server that works on 4 requests at once", () => {
  it("finds the knee at 4 or 8, and latency at 16 well above latency at 2", async () => {
    const targets = Array.from({ length: 16 }, (_, index) => ({
      index,
      line: index + 1,
      url: `${server.url}/delay/100?capacity=4`,
    }));
    const report = await compare(targets, {
      modes: ["concurrent"],
      concurrency: 16,
      sweep: [1, 2, 4, 8, 16],
      runs: 1,
      warmup: 0,
      timeoutMs: 30_000,
      maxRedirects: 10,
      method: "GET",
      headers: {},
      source: "test",
    });
    const variants = report.summary.variants ?? {};
    expect(Object.keys(variants)).toEqual([
      "concurrent@1",
      "concurrent@2",
      "concurrent@4",
      "concurrent@8",
      "concurrent@16",
    ]);
    expect(report.runs.map((run) => run.variant)).toEqual(Object.keys(variants));
    expect(Object.values(variants).every((v) => v.failed === 0)).toBe(true);
    expect([4, 8]).toContain(report.summary.sweep?.knee?.concurrency);
    const p99At2 = variants["concurrent@2"]?.latencyMs?.p99 ?? Number.NaN;
    const p99At16 = variants["concurrent@16"]?.latencyMs?.p99 ?? Number.NaN;
    // Queued four deep at 16 (≈ 400 ms), not queued at 2 (≈ 100 ms).
    expect(p99At16).toBeGreaterThan(2 * p99At2);
  }, 60_000);
});

describe("the CLI", () => {
  it("rejects a bad concurrency list with exit 2 before fetching", async () => {
    const file = join(dir, "bad.txt");
    await writeFile(file, `${server.url}/delay/0\n`);
    const result = await runCli([file, "-c", "1,0"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'fetchbench: Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "0"',
    );
    expect(result.stdout).toBe("");
  });

  it("refuses a threshold at a concurrency the run does not measure, before any request", async () => {
    const recorder = await startServer({ port: 0, record: true });
    try {
      const file = join(dir, "refused.txt");
      await writeFile(file, `${recorder.url}/delay/0\n${recorder.url}/delay/0\n`);
      const wall = await runCli([file, "-c", "1,4,16", "--max-wall", "concurrent@32=2s"]);
      expect(wall.code).toBe(2);
      expect(wall.stderr.trim()).toBe(
        "fetchbench: `--max-wall concurrent@32=2s` names -c 32, which this run does not measure (it measures -c 1,4,16)",
      );
      expect(wall.stdout).toBe("");
      // `fetchbench sweep` chooses its values from the list's length (1, all): checked against those.
      const speedup = await runCli(["sweep", file, "--min-speedup", "2@4"]);
      expect(speedup.code).toBe(2);
      expect(speedup.stderr.trim()).toBe(
        "fetchbench: `--min-speedup 2@4` names -c 4, which this run does not measure (it measures -c 1,all)",
      );
      expect(recorder.received).toEqual([]);
      // A value the run measures is accepted and checked after it.
      const met = await runCli([file, "-c", "1,2", "--max-wall", "concurrent@2=1m", "-q"]);
      expect(met.stderr).toBe("");
      expect(met.code).toBe(0);
    } finally {
      await recorder.close();
    }
  }, 60_000);

  it("fetchbench sweep runs the default range and prints the knee", async () => {
    const file = join(dir, "list.txt");
    const urls = Array.from({ length: 4 }, () => `${server.url}/delay/20`);
    await writeFile(file, `${urls.join("\n")}\n`);
    const result = await runCli(["sweep", file, "--export-json", join(dir, "sweep.json")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("concurrency 1,2,all");
    expect(result.stdout).toContain("concurrency sweep");
    // Four 20 ms requests rarely saturate anything: the curve may still be growing at `all`.
    expect(result.stdout).toMatch(
      /throughput (stops growing at about|was still growing at) -c (1|2|all)[ ,]/,
    );
    const saved = JSON.parse(
      await (await import("node:fs/promises")).readFile(join(dir, "sweep.json"), "utf8"),
    ) as Report;
    expect(saved.schemaVersion).toBe(2);
    expect(saved.options.sweep).toEqual([1, 2, "all"]);
  }, 60_000);
});
