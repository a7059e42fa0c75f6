import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { type ServerHandle, startServer } from "../../src/server.js";
import { runMain } from "../helpers.js";

let server: ServerHandle;
let dir: string;
let list: string;
const file = (name: string) => join(dir, name);
const read = async (name: string): Promise<Report> =>
  JSON.parse(await readFile(file(name), "utf8"));

/** The (line, url) of every request of a run of `mode`, as a sorted list. */
function requestSet(report: Report, mode: string): string[] {
  return report.runs
    .filter((run) => run.mode === mode && !run.warmup)
    .flatMap((run) =>
      run.requests.map((request) => `${run.iteration} ${request.line} ${request.url}`),
    )
    .sort();
}

beforeAll(async () => {
  server = await startServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-merge-"));
  list = file("urls.txt");
  const urls = Array.from(
    { length: 9 },
    (_, i) => `${server.url}/bytes/${i + 1}?delay=${(i % 3) * 10}`,
  );
  await writeFile(list, `# nine URLs\n${urls.join("\n")}\n`);
  const run = (args: string[]) => runMain([list, "--runs", "2", "-q", ...args]);
  // One after another: seven runs at once would crowd a small machine.
  const results = [];
  results.push(await run(["--export-json", file("all.json")]));
  for (const i of [1, 2, 3, 4]) {
    results.push(await run(["--shard", `${i}/4`, "--export-json", file(`shard-${i}.json`)]));
  }
  results.push(await run(["--shard", "1/3", "--export-json", file("other-split.json")]));
  results.push(
    await run(["--shard", "4/4", "--timeout", "5s", "--export-json", file("other-options.json")]),
  );
  for (const result of results) expect(result.code).toBe(0);
}, 300_000);
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("--shard", () => {
  it("covers every URL exactly once across the shards, every n-th by line, and is recorded", async () => {
    const lines: number[] = [];
    for (const i of [1, 2, 3, 4]) {
      const report = await read(`shard-${i}.json`);
      expect(report.shard).toEqual({ index: i, count: 4 });
      const shardLines = [...new Set(report.runs[0]?.requests.map((request) => request.line))];
      // Line 1 is the comment, so URL k (from 0) is on line k + 2.
      expect(shardLines).toEqual([i - 1, i + 3, i + 7].filter((k) => k < 9).map((k) => k + 2));
      lines.push(...shardLines);
    }
    expect(lines.sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe("fetchbench merge", () => {
  it("keeps every request, equal to one run's set, and combines walls by the README's rule", async () => {
    const result = await runMain([
      "merge",
      ...[3, 1, 4, 2].map((i) => file(`shard-${i}.json`)),
      "--output",
      file("merged.json"),
      "--format",
      "markdown",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("sequential");
    const merged = await read("merged.json");
    const whole = await read("all.json");
    const shards = await Promise.all([1, 2, 3, 4].map((i) => read(`shard-${i}.json`)));
    expect(merged.shard).toBeNull();
    for (const mode of ["sequential", "concurrent"]) {
      expect(requestSet(merged, mode)).toEqual(requestSet(whole, mode));
    }
    const wall = (report: Report, mode: string, iteration: number) =>
      report.runs.find((run) => run.mode === mode && run.iteration === iteration)?.wallMs ??
      Number.NaN;
    for (const iteration of [1, 2]) {
      const walls = (mode: string) => shards.map((shard) => wall(shard, mode, iteration));
      expect(wall(merged, "sequential", iteration)).toBeCloseTo(
        walls("sequential").reduce((a, b) => a + b, 0),
        6,
      );
      expect(wall(merged, "concurrent", iteration)).toBe(Math.max(...walls("concurrent")));
    }
    // Percentiles come from every request, not from the shards' percentiles.
    const latencies = merged.runs
      .filter((run) => run.mode === "sequential")
      .flatMap((run) => run.requests.map((request) => request.latencyMs));
    expect(merged.summary.modes.sequential?.latencyMs?.max).toBe(Math.max(...latencies));
    expect(merged.summary.modes.sequential?.ok).toBe(18);
  });

  describe("refuses with one line and exit 2", () => {
    const cases: [string, () => string[], () => string][] = [
      [
        "a missing shard",
        () => [1, 2, 4].map((i) => file(`shard-${i}.json`)),
        () => "missing shard 3/4: every shard's report is needed",
      ],
      [
        "a shard given twice",
        () => [1, 2, 2, 3, 4].map((i) => file(`shard-${i}.json`)),
        () => `${file("shard-2.json")} and ${file("shard-2.json")} are both shard 2/4`,
      ],
      [
        "shards of different splits",
        () => [file("shard-1.json"), file("other-split.json")],
        () =>
          `${file("other-split.json")} is shard 1/3, but ${file("shard-1.json")} is one of 4: the shards come from different splits`,
      ],
      [
        "shards run with different options",
        () => [1, 2, 3].map((i) => file(`shard-${i}.json`)).concat(file("other-options.json")),
        () =>
          `${file("shard-1.json")} and ${file("other-options.json")} were run with different options (timeoutMs: 30000 against 5000)`,
      ],
      [
        "--output over a shard's report",
        () =>
          [1, 2, 3, 4].map((i) => file(`shard-${i}.json`)).concat("--output", file("shard-2.json")),
        () =>
          `\`--output\` ${file("shard-2.json")}: is also a report being merged; give each output its own file`,
      ],
      [
        "a report that is not a shard",
        () => [file("all.json")],
        () => `${file("all.json")}: not a shard report (it was run without --shard)`,
      ],
    ];
    it.each(cases)("%s", async (_name, files, message) => {
      const result = await runMain(["merge", ...files()]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(`fetchbench: ${message()}`);
    });

    it.each([["5/4"], ["0/4"], ["two"]])("--shard %s", async (value) => {
      const result = await runMain([list, "--shard", value]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `fetchbench: Expected \`--shard\` to be <index>/<count> with 1 ≤ index ≤ count, such as 2/4, got "${value}"`,
      );
    });

    it("a shard with no URL", async () => {
      const result = await runMain([list, "--shard", "12/12"]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `fetchbench: ${list}: shard 12/12 has no URL (the list has 9)`,
      );
    });
  });
});
