/**
 * `compare` and `run --baseline` with concurrency sweeps: real reports of small sweeps
 * (`-c 1,4`) made against the built-in server, compared variant by variant.
 */

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportComparison } from "../../src/report/compare.js";
import type { ServerHandle } from "../../src/server.js";
import { spawnServer } from "../../src/server-process.js";
import { runMain } from "../helpers.js";
import { junitSchemaErrors } from "../junit-schema.js";

let server: ServerHandle;
let dir: string;
const file = (name: string) => join(dir, name);

/** Eight URLs on the built-in server, each answering after `delayMs`. */
async function list(name: string, delayMs: number): Promise<string> {
  const lines = Array.from(
    { length: 8 },
    (_, i) => `${server.url}/bytes/${i + 1}?delay=${delayMs}`,
  );
  await writeFile(file(name), `${lines.join("\n")}\n`);
  return file(name);
}

async function save(listFile: string, concurrency: string, out: string): Promise<void> {
  const result = await runMain([
    listFile,
    "--modes",
    "sequential,concurrent",
    "-c",
    concurrency,
    "--runs",
    "3",
    "-q",
    "--export-json",
    file(out),
  ]);
  expect(result.code).toBe(0);
}

async function compareJson(...args: string[]): Promise<ReportComparison> {
  const result = await runMain(["compare", ...args, "--json"]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  // Timed runs: the server has its own process, so a stall of this one does not hold it up.
  server = await spawnServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-compare-sweep-"));
  const fast = await list("fast.txt", 20);
  const slow = await list("slow.txt", 70);
  await save(fast, "1,4", "base.json");
  await save(slow, "1,4", "slow.json");
  await save(fast, "4", "single.json");
}, 60_000);
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("compare of sweeps", () => {
  it("compares two sweeps variant by variant and names the variants in every output", async () => {
    const args = [file("base.json"), file("slow.json"), "--match", "line"];
    const comparison = await compareJson(...args);
    expect(comparison.notCompared).toEqual([]);
    expect(comparison.modes.map((m) => [m.variant, m.concurrency])).toEqual([
      ["sequential", 1],
      ["concurrent@1", 1],
      ["concurrent@4", 4],
    ]);
    for (const mode of comparison.modes) {
      // 70 ms against 20 ms a request: the median latency of every variant shows it.
      expect(mode.latency.ratio).toBeGreaterThan(1.3);
    }
    expect(new Set(comparison.urls.map((url) => url.variant))).toEqual(
      new Set(["sequential", "concurrent@1", "concurrent@4"]),
    );

    const text = await runMain(["compare", ...args, "--all"]);
    expect(text.code).toBe(0);
    for (const variant of ["concurrent@1", "concurrent@4"]) {
      expect(text.stdout).toMatch(
        new RegExp(`^${variant}: (slower|faster|no significant change|cannot tell)`, "m"),
      );
      expect(text.stdout).toMatch(new RegExp(`^ {2}${variant} +line 1 `, "m"));
    }
    const markdown = await runMain(["compare", ...args, "--format", "markdown"]);
    expect(markdown.stdout).toMatch(/^\| concurrent@4 \| \*\*/m);
  });

  it("--max-regression exits 1 exactly when a variant is significantly slower beyond it, and names it", async () => {
    const args = [file("base.json"), file("slow.json"), "--match", "line"];
    const comparison = await compareJson(...args);
    const regressed = comparison.modes.filter(
      (m) => m.verdict === "slower" && m.ratio !== null && m.ratio > 1.1,
    );
    const result = await runMain(["compare", ...args, "--max-regression", "10"]);
    expect(result.code).toBe(regressed.length > 0 ? 1 : 0);
    const named = [...result.stderr.matchAll(/--max-regression 10%: (\S+) is slower by/g)].map(
      (match) => match[1],
    );
    expect(named).toEqual(regressed.map((m) => m.variant));
    const lenient = await runMain(["compare", ...args, "--max-regression", "100000"]);
    expect(lenient.code).toBe(0);
  });

  it("compares a sweep with a single run at the concurrency they share, and says what is left out", async () => {
    const comparison = await compareJson(file("base.json"), file("single.json"));
    expect(comparison.differences).toEqual(["option concurrency: baseline [1,4], current 4"]);
    expect(comparison.modes.map((m) => m.variant)).toEqual(["sequential", "concurrent@4"]);
    expect(comparison.notCompared).toEqual([
      {
        variant: "concurrent@1",
        side: "baseline",
        reason: "only in the baseline; the current report ran the concurrent mode at -c 4",
      },
    ]);
    const text = await runMain(["compare", file("base.json"), file("single.json")]);
    expect(text.stdout).toContain(
      "Not compared:\n  concurrent@1: only in the baseline; the current report ran the concurrent mode at -c 4\n",
    );
    expect(text.stdout).toMatch(/^concurrent@4: /m);
  });

  it("run --baseline compares a fresh sweep, and its JUnit validates against the schema", async () => {
    const junit = file("sweep-junit.xml");
    const result = await runMain([
      file("fast.txt"),
      "--modes",
      "sequential,concurrent",
      "-c",
      "1,4",
      "--runs",
      "2",
      "-q",
      "--baseline",
      file("single.json"),
      "--max-regression",
      "100000",
      "--export-junit",
      junit,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Not compared:\n  concurrent@1: only in the current report; the baseline ran the concurrent mode at -c 4\n",
    );
    expect(result.stdout).toMatch(/^concurrent@4: /m);
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain('<testsuite name="fetchbench concurrent@1"');
    expect(xml).toContain('<testcase name="concurrent@4 against the baseline"');
    expect(xml).toContain(
      '<skipped message="not compared: only in the current report; the baseline ran the concurrent mode at -c 4"/>',
    );
    expect(await junitSchemaErrors(xml)).toEqual([]);
  });
});
