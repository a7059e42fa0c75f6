import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../src/report/model.js";
import { EXPORT_FORMATS, formatList } from "../src/report/render.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { runCli, runMain, untilReceived } from "./helpers.js";

let server: LocalServerHandle;
let dir: string;

beforeAll(async () => {
  // Recording lets a test wait until the fetchbench process got as far as a given request.
  server = await startServer({ port: 0, record: true });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-ci-"));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function list(name: string, paths: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${paths.map((p) => `${server.url}${p}`).join("\n")}\n`);
  return path;
}

describe("repeated runs", () => {
  it("alternates the modes run by run, warm-ups first, and summarises the measured ones", async () => {
    const file = await list("runs.txt", ["/delay/20", "/delay/40"]);
    const result = await runMain([file, "--json", "--runs", "3", "--warmup", "1"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runs.map((r) => `${r.mode[0]}${r.warmup ? "w" : ""}${r.iteration}`)).toEqual([
      "sw1",
      "cw1",
      "s1",
      "c1",
      "s2",
      "c2",
      "s3",
      "c3",
    ]);
    expect(report.summary.modes.sequential?.runs).toBe(3);
    expect(report.summary.modes.sequential?.wallMs.stddev).not.toBeNull();
    expect(report.summary.comparison?.speedupStddev).not.toBeNull();
    expect(report.summary.modes.concurrent?.ok).toBe(6);
  });

  it("prints the hyperfine-style block for several runs", async () => {
    const file = await list("runs-table.txt", ["/delay/20", "/delay/40"]);
    const result = await runMain([file, "--runs", "2"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Time \(mean ± σ\):/);
    expect(result.stdout).toMatch(/Range \(min … max\):/);
    expect(result.stdout).toMatch(
      /concurrent ran [\d.]+ ± [\d.]+ times (faster than|as fast as) sequential/,
    );
  });
});

describe("formats and exports", () => {
  it("writes JSON, Markdown and CSV exports next to the terminal report", async () => {
    const file = await list("exports.txt", ["/bytes/10", "/status/200"]);
    const json = join(dir, "report.json");
    const markdown = join(dir, "report.md");
    const csv = join(dir, "report.csv");
    const result = await runMain([
      file,
      "--runs",
      "2",
      "--export-json",
      json,
      "--export-markdown",
      markdown,
      "--export-csv",
      csv,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/concurrent ran/);
    const report = JSON.parse(await readFile(json, "utf8")) as Report;
    expect(report.runs).toHaveLength(4);
    expect(await readFile(markdown, "utf8")).toMatch(
      /^\| Mode \| Mean \[ms\] \| Min \[ms\] \| Max \[ms\] \| Relative \| p50 \[ms\] \| p90 \[ms\] \| p99 \[ms\] \|$/m,
    );
    const rows = (await readFile(csv, "utf8")).trimEnd().split("\n");
    expect(rows[0]).toMatch(/^mode,run,warmup,index,/);
    expect(rows).toHaveLength(1 + 4 * 2);
  });

  it("sends an export to standard output with -", async () => {
    const file = await list("export-stdout.txt", ["/bytes/1"]);
    const result = await runMain([file, "--format", "csv", "--export-markdown", "-"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^mode,run,warmup/);
    expect(result.stdout).toMatch(/\| Mode \| Mean \[ms\]/);
  });

  it("prints Markdown and CSV as the main format", async () => {
    const file = await list("formats.txt", ["/bytes/1"]);
    expect((await runMain([file, "--format", "markdown"])).stdout).toMatch(/\| Mode \| Mean/);
    expect((await runMain([file, "--format", "csv"])).stdout).toMatch(/^mode,run,/);
  });

  it("refuses an export path it cannot write before fetching anything", async () => {
    const file = await list("bad-export.txt", ["/bytes/1"]);
    const target = join(dir, "no-such-dir", "r.json");
    const result = await runMain([file, "--export-json", target]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `fetchbench: \`--export-json\` ${target}: no such folder ${join(dir, "no-such-dir")}\n`,
    );
  });

  it("streams a long report to a file whole, replacing the old one and leaving no temporary file", async () => {
    const folder = await mkdtemp(join(dir, "long-"));
    const file = await list(
      "long.txt",
      Array.from({ length: 400 }, (_, i) => `/bytes/${i % 7}`),
    );
    const json = join(folder, "report.json");
    const csv = join(folder, "report.csv");
    await writeFile(json, "old\n");
    const result = await runCli([
      file,
      "--modes",
      "concurrent",
      "--concurrency",
      "50",
      "--format",
      "json",
      "--export-json",
      json,
      "--export-csv",
      csv,
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(json, "utf8")) as Report;
    expect(report.runs[0]?.requests).toHaveLength(400);
    expect(JSON.parse(result.stdout)).toEqual(report);
    expect((await readFile(csv, "utf8")).trimEnd().split("\n")).toHaveLength(401);
    expect((await readdir(folder)).sort()).toEqual(["report.csv", "report.json"]);
  });

  it("makes --format and an --export-* flag of every exportable format from the registry", async () => {
    // Commander wraps long descriptions; compare with the line breaks folded.
    const help = (await runMain(["run", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain(`--format <format>`);
    expect(help).toContain(formatList());
    for (const format of EXPORT_FORMATS) {
      expect(help).toContain(`--export-${format.name} <file>`);
      expect(help).toContain(`also write ${format.description} to a file`);
    }
    expect(help).not.toContain("--export-table");
  });

  it("refuses a folder as an export path", async () => {
    const file = await list("dir-export.txt", ["/bytes/1"]);
    const result = await runMain([file, "--export-csv", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a directory, expected a file to write/);
  });
});

describe("thresholds", () => {
  it("exits 1 and names the threshold, the measured value and the limit for --min-speedup", async () => {
    const file = await list("speedup.txt", ["/delay/50", "/delay/50"]);
    const result = await runMain([file, "--min-speedup", "100"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^fetchbench: --min-speedup 100: concurrent was [\d.]+× faster than sequential, below 100×$/m,
    );
  });

  it("exits 0 when the speed-up is met", async () => {
    const file = await list(
      "speedup-ok.txt",
      Array.from({ length: 5 }, () => "/delay/200"),
    );
    const result = await runMain([file, "--min-speedup", "1.5"]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/min-speedup/);
  });

  it("exits 1 when a mode's mean wall is above --max-wall", async () => {
    const file = await list("wall.txt", ["/delay/100"]);
    const result = await runMain([
      file,
      "--max-wall",
      "concurrent=10ms",
      "--max-wall",
      "sequential=1m",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^fetchbench: --max-wall concurrent=10ms: concurrent took \d+ ms \(mean wall\), above 10 ms$/m,
    );
    expect(result.stderr).not.toMatch(/sequential=/);
  });

  it("counts failed requests over every mode against --max-failures", async () => {
    const file = await list("failures.txt", ["/status/500", "/bytes/1"]);
    expect((await runMain([file, "--max-failures", "2"])).code).toBe(0);
    const strict = await runMain([file, "--max-failures", "1"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^fetchbench: --max-failures 1: 2 requests failed, above 1$/m);
  });

  it("keeps an explicit --max-failures even with --ignore-failures", async () => {
    const file = await list("failures-ignored.txt", ["/status/500"]);
    expect((await runMain([file, "--ignore-failures"])).code).toBe(0);
    expect((await runMain([file, "--ignore-failures", "--max-failures", "0"])).code).toBe(1);
  });

  it("refuses --min-speedup when there is nothing to compare", async () => {
    const file = await list("speedup-one-mode.txt", ["/bytes/1"]);
    const result = await runMain([file, "--modes", "concurrent", "--min-speedup", "2"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--min-speedup/);
    expect(result.stdout).toBe("");
  });

  it("refuses --max-wall for a mode that does not run", async () => {
    const file = await list("wall-mode.txt", ["/bytes/1"]);
    const result = await runMain([file, "--max-wall", "blocking=1s"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/`--max-wall` names blocking, which is not in `--modes`/);
  });
});

describe("terminal niceties", () => {
  it("prints no runtime warnings with many requests in flight", async () => {
    const file = await list(
      "many.txt",
      Array.from({ length: 40 }, (_, i) => `/delay/${i}`),
    );
    const result = await runCli([file, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/\(node:\d+\)|MaxListeners/);
  });

  it("writes no progress and no escape codes when nothing is a terminal", async () => {
    const file = await list("plain.txt", ["/delay/30", "/status/404"]);
    const result = await runCli([file, "--runs", "2"]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes.
    expect(result.stdout + result.stderr).not.toMatch(/[\u001b\r]/);
  });

  it("colours the report when FORCE_COLOR asks for it", async () => {
    const file = await list("forced.txt", ["/bytes/1"]);
    const result = await runCli([file], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes.
    expect(result.stdout).toMatch(/\u001b\[/);
  });

  it("prints no colour with --no-color even when forced", async () => {
    const file = await list("no-color.txt", ["/bytes/1"]);
    const result = await runMain([file, "--no-color"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes.
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it("prints warnings on standard error, not in the report, and none with --quiet", async () => {
    const file = await list("warned.txt", ["/status/500"]);
    const loud = await runMain([file, "--ignore-failures"]);
    expect(loud.stderr).toMatch(/^Warning: sequential: 1 of 1 requests failed \(1 http\)$/m);
    expect(loud.stdout).not.toMatch(/Warning/);
    const quiet = await runMain([file, "--ignore-failures", "--quiet"]);
    expect(quiet.stderr).toBe("");
  });
});

describe("blocking mode from the CLI", () => {
  it("starves the heartbeat while sequential does not, and the process ends on its own", async () => {
    const path = join(dir, "blocking.txt");
    await writeFile(path, Array.from({ length: 3 }, () => `${server.url}/delay/100\n`).join(""));
    const result = await runCli([path, "--json", "--modes", "sequential,blocking"], {
      timeoutMs: 15_000,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const loop = (mode: string) => report.runs.find((run) => run.mode === mode)?.eventLoop;
    const blocking = loop("blocking");
    const sequential = loop("sequential");
    const share = (stats: typeof blocking) =>
      (stats?.heartbeat.fired ?? Number.NaN) / (stats?.heartbeat.expected ?? Number.NaN);
    // A busy machine steals ticks from a free loop too (it has read just under half), so the
    // bounds only hold the two apart: a blocked thread fires next to none, a free one plenty.
    expect(blocking?.heartbeat.expected).toBeGreaterThanOrEqual(25);
    expect(share(blocking)).toBeLessThan(0.1);
    expect(share(sequential)).toBeGreaterThan(0.2);
    expect(blocking?.maxDelayMs).toBeGreaterThanOrEqual(250);
    expect(report.runs.find((run) => run.mode === "blocking")?.requests.every((r) => r.ok)).toBe(
      true,
    );
  });

  it("reports the event loop in the terminal report with its explanation", async () => {
    const path = join(dir, "blocking-table.txt");
    await writeFile(path, `${server.url}/delay/100\n${server.url}/delay/100\n`);
    const result = await runMain([path, "--modes", "sequential,blocking"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/event loop\s+max delay/);
    expect(result.stdout).toMatch(
      /While blocking, the thread that waited on each request could run nothing else/,
    );
  });
});

describe("Ctrl-C", () => {
  it("prints what finished, says it was interrupted, and exits 130", async () => {
    const file = await list("interrupted.txt", [
      "/delay/100",
      "/delay/8000?cut=json",
      "/delay/8000?cut=json",
      "/delay/8000?cut=json",
    ]);
    // Once the second request has reached the server, the first has finished.
    const { code, stdout, stderr } = await runCli([file, "--json"], {
      interruptWhen: untilReceived(server, 1, /\?cut=json$/),
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const report = JSON.parse(stdout) as Report;
    expect(report.interrupted).toBe(true);
    expect(report.urlCount).toBe(4);
    // Sequential got through the first URL and was cut on the second; concurrent never started.
    expect(report.notRun).toEqual({ sequential: 3, concurrent: 4 });
    const requests = report.runs[0]?.requests ?? [];
    expect(requests[0]?.ok).toBe(true);
    expect(requests[1]?.error?.kind).toBe("aborted");
    expect(requests).toHaveLength(2);
    // The cut request is neither a failure nor a latency.
    expect(report.summary.modes.sequential).toMatchObject({ ok: 1, failed: 0, aborted: 1 });
    expect(report.summary.modes.sequential?.latencyMs?.max).toBeLessThan(3000);
    expect(stderr).not.toMatch(/requests? failed/);
  });

  it("heads the terminal report with how much of the list it got to", async () => {
    const file = await list("interrupted-table.txt", [
      "/delay/100",
      "/delay/8000?cut=table",
      "/delay/8000?cut=table",
    ]);
    const { code, stdout } = await runCli([file], {
      interruptWhen: untilReceived(server, 1, /\?cut=table$/),
    });
    expect(code).toBe(130);
    expect(stdout.split("\n")[0]).toMatch(/^fetchbench · 2 of 3 URLs from .* \(interrupted\) · /);
  });
});
