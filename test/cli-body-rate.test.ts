import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Report } from "../src/report/model.js";
import { parseReport } from "../src/report/reader.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { runMain } from "./helpers.js";

let dir: string;
let server: LocalServerHandle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fetchbench-body-rate-"));
  server = await startServer({ port: 0, record: true });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.received.length = 0;
});

const cli = runMain;

describe("-d, --data", () => {
  it("sends the file's body with every request of every mode, by curl's rules", async () => {
    const file = join(dir, "body.txt");
    // curl -d @file drops carriage returns and newlines: "name=an=1" goes out.
    await writeFile(file, "name=a\r\nn=1\n");
    const urls = [`${server.url}/echo`, `${server.url}/echo?delay=10`];
    const { code, stdout, stderr } = await cli([
      ...urls,
      "-d",
      `@${file}`,
      "--modes",
      "sequential,concurrent,blocking",
      "--json",
      "--quiet",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.options.method).toBe("POST");
    expect(report.runs.flatMap((run) => run.requests.map((r) => r.ok))).toEqual(
      Array(6).fill(true),
    );
    expect(server.received).toHaveLength(6);
    for (const seen of server.received) {
      expect(seen).toMatchObject({ method: "POST", bodyLength: "name=an=1".length });
      expect(seen.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
  });

  it("keeps the method of -X and the Content-Type of -H", async () => {
    const { code } = await cli([
      `${server.url}/echo`,
      "-X",
      "PUT",
      "-H",
      "Content-Type: application/json",
      "-d",
      '{"a":1}',
      "--modes",
      "sequential",
      "--json",
      "--quiet",
    ]);
    expect(code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]).toMatchObject({ method: "PUT", bodyLength: 7 });
    expect(server.received[0]?.headers["content-type"]).toBe("application/json");
  });

  it("sends it on a 307 and drops it where a 303 turns the request into a GET", async () => {
    const { code, stdout } = await cli([
      `${server.url}/status/307?location=/echo`,
      `${server.url}/status/303?location=/echo`,
      "-d",
      "a=1",
      "--modes",
      "sequential",
      "--json",
      "--quiet",
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.runs[0]?.requests.map((r) => r.redirects)).toEqual([1, 1]);
    expect(server.received.map((seen) => [seen.method, seen.target, seen.bodyLength])).toEqual([
      ["POST", "/status/307?location=/echo", 3],
      ["POST", "/echo", 3],
      ["POST", "/status/303?location=/echo", 3],
      ["GET", "/echo", 0],
    ]);
  });

  it("fetches nothing when the file is missing, and exits 2", async () => {
    const missing = join(dir, "missing.txt");
    const { code, stdout, stderr } = await cli([`${server.url}/echo`, "-d", `@${missing}`]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`fetchbench: \`--data\` file "${missing}": no such file\n`);
    expect(server.received).toHaveLength(0);
  });
});

describe("--rate", () => {
  it("records each request's schedule lag in the JSON and the CSV, in every mode", async () => {
    const urls = Array.from({ length: 4 }, (_, i) => `${server.url}/status/200?i=${i}`);
    const csv = join(dir, "rate.csv");
    const { code, stdout } = await cli([
      ...urls,
      "--rate",
      "50",
      "--modes",
      "sequential,concurrent,blocking",
      "--json",
      "--quiet",
      "--export-csv",
      csv,
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.options.ratePerSecond).toBe(50);
    expect(report.runs).toHaveLength(3);
    for (const run of report.runs) {
      // One every 20 ms from the start of each run: never earlier than planned.
      run.requests.forEach((r, i) => {
        expect(r.startMs).toBeGreaterThanOrEqual(i * 20 - 0.01);
        expect(r.scheduleLagMs).toBeGreaterThanOrEqual(0);
      });
      expect(run.wallMs).toBeGreaterThanOrEqual(60);
    }
    const rows = (await readFile(csv, "utf8")).trimEnd().split("\n");
    const column = rows[0]?.split(",").indexOf("schedule_lag_ms") ?? -1;
    expect(column).toBeGreaterThan(-1);
    // A number of milliseconds on every row, never an empty (null) field.
    expect(rows.slice(1).map((row) => /^\d+(\.\d+)?$/.test(row.split(",")[column] ?? ""))).toEqual(
      Array(12).fill(true),
    );
  });

  it("leaves scheduleLagMs null without it", async () => {
    const { code, stdout } = await cli([`${server.url}/status/200`, "--json", "--quiet"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.options.ratePerSecond).toBeNull();
    expect(report.runs.flatMap((run) => run.requests.map((r) => r.scheduleLagMs))).toEqual([
      null,
      null,
    ]);
  });

  it("says so at the top of the terminal report", async () => {
    const { code, stdout } = await cli([`${server.url}/status/200`, "--rate", "2.5", "--quiet"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/ · rate 2\.5\/s$/);
  });

  it("reads a saved report from before --rate as one without a rate", async () => {
    const { stdout } = await cli([`${server.url}/status/200`, "--json", "--quiet"]);
    const old = JSON.parse(stdout) as Record<string, unknown> & Report;
    delete (old.options as Partial<Report["options"]>).ratePerSecond;
    for (const run of old.runs) {
      for (const request of run.requests) delete (request as Partial<typeof request>).scheduleLagMs;
    }
    const report = parseReport(JSON.stringify(old), "old.json");
    expect(report.options.ratePerSecond).toBeNull();
    expect(report.runs[0]?.requests[0]?.scheduleLagMs).toBeNull();
  });
});
