import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerHandle } from "../../src/server.js";
import { spawnServer } from "../../src/server-process.js";
import { runMain } from "../helpers.js";
import { junitSchemaErrors } from "../junit-schema.js";

let server: ServerHandle;
let dir: string;
const file = (name: string) => join(dir, name);

/**
 * Twenty URLs on the built-in server, each answering after `delayMs`: 50 ms more a request is a
 * second more a run, more than a stall of a busy machine adds to one run (with ten, one such stall
 * in five runs left Welch's t unsure).
 */
async function list(name: string, delayMs: number): Promise<string> {
  const lines = Array.from(
    { length: 20 },
    (_, i) => `${server.url}/bytes/${i + 1}?delay=${delayMs}`,
  );
  await writeFile(file(name), `${lines.join("\n")}\n`);
  return file(name);
}

async function saveRun(listFile: string, out: string): Promise<void> {
  const result = await runMain([
    listFile,
    "--modes",
    "sequential",
    // Five runs a side: enough for Welch's t to see 50 ms a request through a busy machine's noise.
    "--runs",
    "5",
    "-q",
    "--export-json",
    file(out),
  ]);
  expect(result.code).toBe(0);
}

beforeAll(async () => {
  // The runs are timed: the server gets its own process, so a stall of the one running
  // fetchbench does not also hold up the answers it waits for.
  server = await spawnServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-compare-"));
  const fast = await list("fast.txt", 20);
  const slow = await list("slow.txt", 70);
  await saveRun(fast, "base.json");
  await saveRun(fast, "again.json");
  await saveRun(slow, "slow.json");
}, 60_000);
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("fetchbench compare", () => {
  it("calls 50 ms more per request slower, significant, and --max-regression exits 1", async () => {
    const result = await runMain([
      "compare",
      file("base.json"),
      file("slow.json"),
      "--match",
      "line",
      "--max-regression",
      "10",
    ]);
    expect(result.stdout).toContain("sequential: slower at 95% confidence");
    expect(result.stdout).toMatch(
      /wall \(mean\).*\+[\d.]+% ± [\d.]+%\s+slower \(Welch's t, p [=<] /,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^fetchbench: --max-regression 10%: sequential is slower by \+[\d.]+% ± [\d.]+% \(significant at 95% confidence\)$/m,
    );
  });

  it("a slowdown below --max-regression exits 0", async () => {
    const result = await runMain([
      "compare",
      file("base.json"),
      file("slow.json"),
      "--match",
      "line",
      "--max-regression",
      "100000",
    ]);
    expect(result.code).toBe(0);
  });

  it("two runs of the same settings are never a large regression", async () => {
    // A 5% test flags a chance difference now and then by design; 50% never comes from noise here.
    const result = await runMain([
      "compare",
      file("base.json"),
      file("again.json"),
      "--max-regression",
      "50",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("Differences");
  });

  it("without --match line, different URLs are listed and nothing is compared", async () => {
    const result = await runMain(["compare", file("base.json"), file("slow.json")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("20 URLs only in the baseline:");
    expect(result.stdout).toContain("20 URLs only in the current report:");
    expect(result.stdout).toContain("cannot tell: the URL lists differ");
  });

  it("prints JSON and Markdown", async () => {
    const json = await runMain([
      "compare",
      file("base.json"),
      file("slow.json"),
      "--match",
      "line",
      "--json",
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.confidence).toBe(0.95);
    expect(parsed.modes[0].verdict).toBe("slower");
    const markdown = await runMain([
      "compare",
      file("base.json"),
      file("slow.json"),
      "--match",
      "line",
      "--format",
      "markdown",
    ]);
    expect(markdown.stdout).toContain("| sequential | **slower** |");
  });

  it("run --baseline compares the fresh run and --max-regression sets the exit code", async () => {
    const result = await runMain([
      file("fast.txt"),
      "--modes",
      "sequential",
      "--runs",
      "2",
      "--baseline",
      file("base.json"),
      "--max-regression",
      "50",
      "--export-junit",
      file("junit.xml"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Comparing .*fast\.txt .* against the baseline /m);
    const junit = await readFile(file("junit.xml"), "utf8");
    expect(await junitSchemaErrors(junit)).toEqual([]);
    expect(junit).toMatch(/<testsuite name="fetchbench sequential" tests="20" failures="0"/);
    expect(junit).toContain(
      '<testcase name="no failed requests" classname="fetchbench.thresholds"',
    );
    expect(junit).toContain('<testcase name="sequential against the baseline"');
    expect(result.stdout).toMatch(
      /^sequential: (no significant change|slower|faster) at 95% confidence$/m,
    );
  });

  describe("refuses with one line and exit 2", () => {
    const cases: [string, () => string[], () => string][] = [
      [
        "a missing baseline",
        () => ["compare", file("none.json"), file("slow.json")],
        () => `${file("none.json")}: no such file`,
      ],
      [
        "an unknown format",
        () => ["compare", file("base.json"), file("slow.json"), "--format", "csv"],
        () => 'Expected `--format` to be one of table, markdown, json, got "csv"',
      ],
      [
        "a bad percentage",
        () => ["compare", file("base.json"), file("slow.json"), "--max-regression", "ten"],
        () => 'Expected `--max-regression` to be a percentage such as 10 or 2.5%, got "ten"',
      ],
      [
        "an unknown pairing",
        () => ["compare", file("base.json"), file("slow.json"), "--match", "host"],
        () => 'Expected `--match` to be one of url, line, got "host"',
      ],
      [
        "--max-regression without --baseline",
        () => [file("fast.txt"), "--max-regression", "5"],
        () => "`--max-regression` needs `--baseline <file.json>` to compare against",
      ],
      [
        "a broken --baseline, before anything is fetched",
        () => [file("fast.txt"), "--baseline", file("fast.txt")],
        () => `${file("fast.txt")}: is not JSON (`,
      ],
    ];
    it.each(cases)("%s", async (_name, args, message) => {
      const result = await runMain(args());
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(message());
    });
  });
});
