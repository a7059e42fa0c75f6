import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMATS } from "../../src/report/render.js";
import { type ServerHandle, startServer } from "../../src/server.js";
import { runMain } from "../helpers.js";
import { junitSchemaErrors } from "../junit-schema.js";

const FORMAT_NAMES = FORMATS.map((spec) => spec.name);

let server: ServerHandle;
let dir: string;
let saved: string;
let runOutputs: Map<string, string>;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-report-"));
  const list = join(dir, "urls.txt");
  await writeFile(
    list,
    `${server.url}/delay/10\n${server.url}/bytes/100\n${server.url}/status/404\n`,
  );
  saved = join(dir, "run.json");
  // One run, every format written from it: what `report` must reproduce.
  const outputs = join(dir, "run");
  const result = await runMain([
    list,
    "--runs",
    "2",
    "--ignore-failures",
    "--export-json",
    saved,
    "--export-markdown",
    `${outputs}.md`,
    "--export-csv",
    `${outputs}.csv`,
    "--export-html",
    `${outputs}.html`,
    "--export-har",
    `${outputs}.har`,
  ]);
  expect(result.code).toBe(0);
  runOutputs = new Map([
    ["table", result.stdout],
    ["json", await readFile(saved, "utf8")],
    ["markdown", await readFile(`${outputs}.md`, "utf8")],
    ["csv", await readFile(`${outputs}.csv`, "utf8")],
    ["html", await readFile(`${outputs}.html`, "utf8")],
    ["har", await readFile(`${outputs}.har`, "utf8")],
  ]);
}, 30_000);
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("fetchbench report", () => {
  it.each(FORMAT_NAMES)("renders a saved report as %s exactly as the run did", async (format) => {
    const result = await runMain(["report", saved, "--format", format]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(runOutputs.get(format));
  });

  it("writes exports too, JUnit included", async () => {
    const target = join(dir, "again.md");
    const junit = join(dir, "junit.xml");
    const result = await runMain([
      "report",
      saved,
      "--format",
      "json",
      "--export-markdown",
      target,
      "--export-junit",
      junit,
    ]);
    expect(result.code).toBe(0);
    expect(await readFile(target, "utf8")).toBe(runOutputs.get("markdown"));
    // The list's /status/404 failed in both modes: one failure of kind http per mode.
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/<testsuites name="fetchbench" tests="6" failures="2"/);
    expect(await junitSchemaErrors(xml)).toEqual([]);
  });

  it("reads a report without the fields later versions added, filling them in", async () => {
    const report = JSON.parse(await readFile(saved, "utf8"));
    delete report.options.method;
    delete report.options.headers;
    delete report.shard;
    delete report.summary;
    const old = join(dir, "old.json");
    await writeFile(old, JSON.stringify(report));
    const result = await runMain(["report", old, "--json"]);
    expect(result.code).toBe(0);
    const upgraded = JSON.parse(result.stdout);
    expect(upgraded.options.method).toBe("GET");
    expect(upgraded.options.headers).toEqual({});
    expect(upgraded.shard).toBeNull();
    expect(upgraded.summary).toEqual(JSON.parse(runOutputs.get("json") ?? "").summary);
  });

  it("refuses two outputs to one file, JUnit included, and an output over the report it reads", async () => {
    const target = join(dir, "twice.out");
    for (const [args, message] of [
      [
        ["--export-csv", target, "--export-junit", target],
        `\`--export-junit\` ${target}: is also the \`--export-csv\` file; give each output its own file`,
      ],
      [
        ["--export-junit", saved],
        `\`--export-junit\` ${saved}: is also the report being read; give each output its own file`,
      ],
    ] as const) {
      const result = await runMain(["report", saved, ...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`fetchbench: ${message}\n`);
    }
    expect(JSON.parse(await readFile(saved, "utf8")).tool.name).toBe("fetchbench");
  });

  describe("refuses with one line and exit 2", () => {
    const cases: [string, (json: string) => string, string][] = [
      ["a missing file", () => "", "no such file"],
      ["an empty file", () => "\n", "is empty, expected a fetchbench JSON report"],
      ["text that is not JSON", () => "hello\n", "is not JSON ("],
      [
        "a truncated report",
        (json) => json.slice(0, json.length / 2),
        "is not complete JSON (it ends early: truncated?)",
      ],
      [
        "another tool's JSON",
        () => '{"results":[]}',
        'is JSON but not a fetchbench report (no `tool.name` "fetchbench")',
      ],
      [
        "a newer schema",
        (json) => json.replace('"schemaVersion": 2', '"schemaVersion": 99'),
        "has schema version 99, newer than this fetchbench reads (up to 2); upgrade fetchbench",
      ],
      [
        "a broken field",
        (json) => json.replace(/"wallMs": [\d.]+/, '"wallMs": "fast"'),
        "`runs[0].wallMs` is missing or not a number",
      ],
    ];
    it.each(cases)("%s", async (name, make, message) => {
      const file = join(dir, `${name.replaceAll(" ", "-")}.json`);
      if (name !== "a missing file") await writeFile(file, make(runOutputs.get("json") ?? ""));
      const result = await runMain(["report", file]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${file}: ${message}`);
    });
  });
});
