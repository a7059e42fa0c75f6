/**
 * How each tool of the side-by-side suite is run: one fresh process per run, its peak RSS
 * taken by `/usr/bin/time`, its wall measured from outside and, where the tool reports one,
 * from inside too. Every child runs in a process group of its own, so that the whole group
 * (time and the tool under it) can be ended on Ctrl-C or on error.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { median as medianOf } from "../../../src/stats.js";

export const TOOLS = ["fetchbench", "curl", "undici", "aiohttp", "node"] as const;
export type Tool = (typeof TOOLS)[number];

/** What one run of one tool measured; `null` where the tool could not tell. */
export interface Measurement {
  tool: Tool;
  run: number;
  /** The wall the suite compares: the tool's own when it reports one, else `processWallMs`. */
  wallMs: number;
  /** From spawn to exit, measured by the suite: includes the tool's start-up. */
  processWallMs: number;
  peakRssKb: number | null;
  ok: number | null;
  failed: number | null;
  /** Median per-request latency, where the tool gives per-request figures (accuracy). */
  medianLatencyMs: number | null;
}

/** What a run is asked to do. */
export interface Work {
  /** A file of URLs, one a line. */
  urlFile: string;
  /** The same URLs as a curl `-K` config, each with `output = "/dev/null"`. */
  curlConfig: string;
  /** Requests in flight at once; `all` is no cap, 1 is one at a time (sequential). */
  cap: number | "all";
  sequential: boolean;
  /** A private directory for reports and RSS figures, removed by the caller. */
  dir: string;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FETCHBENCH = `${ROOT}bin/fetchbench.js`;
const UNDICI_FLOOR = fileURLToPath(new URL("./undici-floor.mjs", import.meta.url));
const AIOHTTP_GATHER = fileURLToPath(new URL("./aiohttp_gather.py", import.meta.url));
export const PYTHON = "/usr/bin/python3";
const TIME = "/usr/bin/time";
/** curl refuses a larger `--parallel-max`. */
export const CURL_PARALLEL_MAX = 300;
const KILL_AFTER_MS = 2_000;

const live = new Set<number>();

/** Ends every process group this module started and that is still running. */
export function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

/** Runs one tool once on `work` and returns what it measured; throws when the tool failed. */
export async function runTool(tool: Tool, work: Work, run: number): Promise<Measurement> {
  switch (tool) {
    case "fetchbench":
      return runFetchbench(work, run);
    case "curl":
      return runCurl(work, run);
    case "undici":
      return runSelfTimed(
        tool,
        process.execPath,
        [UNDICI_FLOOR, work.urlFile, capText(work)],
        work,
        run,
      );
    case "aiohttp":
      return runSelfTimed(tool, PYTHON, [AIOHTTP_GATHER, work.urlFile, capText(work)], work, run);
    case "node":
      throw new Error("node runs only in the start-up scenario");
  }
}

/** Start-up: `fetchbench --version` or `node -e 0`, wall from outside. */
export async function runStartup(
  tool: "fetchbench" | "node",
  run: number,
  dir: string,
): Promise<Measurement> {
  const args = tool === "fetchbench" ? [FETCHBENCH, "--version"] : ["-e", "0"];
  const done = await timed(process.execPath, args, dir, null);
  return measurement(tool, run, done, done.wallMs, null, null, null);
}

async function runFetchbench(work: Work, run: number): Promise<Measurement> {
  const mode = work.sequential ? "sequential" : "concurrent";
  const args = [FETCHBENCH, "run", work.urlFile, "--modes", mode, "--format", "json", "--quiet"];
  if (!work.sequential) args.push("-c", String(work.cap));
  const reportFile = join(work.dir, "report.json");
  const done = await timed(process.execPath, args, work.dir, reportFile);
  try {
    const report = JSON.parse(await readFile(reportFile, "utf8")) as FetchbenchReport;
    const measured = report.runs.find((entry) => entry.mode === mode && !entry.warmup);
    const summary = report.summary.modes[mode];
    if (measured === undefined || summary === undefined) {
      throw new Error(`its JSON report has no ${mode} run`);
    }
    return measurement(
      "fetchbench",
      run,
      done,
      measured.wallMs,
      summary.ok,
      summary.failed,
      summary.latencyMs.p50,
    );
  } catch (error) {
    throw new Error(`fetchbench (exit ${done.code}): ${(error as Error).message}; ${done.stderr}`);
  } finally {
    await rm(reportFile, { force: true });
  }
}

async function runCurl(work: Work, run: number): Promise<Measurement> {
  const args = ["--silent", "-K", work.curlConfig, "-w", "%{http_code} %{time_total}\\n"];
  if (!work.sequential) {
    const max = work.cap === "all" ? CURL_PARALLEL_MAX : Math.min(work.cap, CURL_PARALLEL_MAX);
    args.unshift("--parallel", "--parallel-immediate", "--parallel-max", String(max));
  }
  const done = await timed("curl", args, work.dir, null);
  let ok = 0;
  let failed = 0;
  const times: number[] = [];
  for (const line of done.stdout.split("\n")) {
    if (line === "") continue;
    const [code, total] = line.split(" ");
    const status = Number(code);
    if (status >= 200 && status < 400) ok += 1;
    else failed += 1;
    times.push(Number(total) * 1000);
  }
  return measurement("curl", run, done, done.wallMs, ok, failed, medianOf(times));
}

/** A script that fetches the list and prints `{"wallMs","ok","failed"}`. */
async function runSelfTimed(
  tool: Tool,
  command: string,
  args: string[],
  work: Work,
  run: number,
): Promise<Measurement> {
  const done = await timed(command, args, work.dir, null);
  try {
    const said = JSON.parse(done.stdout) as { wallMs: number; ok: number; failed: number };
    return measurement(tool, run, done, said.wallMs, said.ok, said.failed, null);
  } catch {
    throw new Error(`${tool} (exit ${done.code}) printed no result; ${done.stderr}`);
  }
}

function capText(work: Work): string {
  return work.sequential ? "1" : String(work.cap);
}

function measurement(
  tool: Tool,
  run: number,
  done: Timed,
  wallMs: number,
  ok: number | null,
  failed: number | null,
  medianLatencyMs: number | null,
): Measurement {
  return {
    tool,
    run,
    wallMs,
    processWallMs: done.wallMs,
    peakRssKb: done.peakRssKb,
    ok,
    failed,
    medianLatencyMs,
  };
}

interface Timed {
  code: number | null;
  wallMs: number;
  peakRssKb: number | null;
  stdout: string;
  /** The end of standard error, for messages. */
  stderr: string;
}

/**
 * Runs `command` under `/usr/bin/time` (where it exists) in its own process group, with
 * standard output collected or written to `stdoutFile`; `/usr/bin/time` writes into `dir`.
 */
async function timed(
  command: string,
  args: string[],
  dir: string,
  stdoutFile: string | null,
): Promise<Timed> {
  const rssFile = join(dir, "peak-rss.txt");
  const withTime = existsSync(TIME);
  const [file, argv] = withTime
    ? [TIME, ["-f", "%M", "-o", rssFile, command, ...args]]
    : [command, args];
  const out = stdoutFile === null ? "pipe" : openSync(stdoutFile, "w");
  const start = performance.now();
  const child = spawn(file, argv, { stdio: ["ignore", out, "pipe"], detached: true });
  if (typeof out === "number") closeSync(out);
  if (child.pid !== undefined) live.add(child.pid);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (text: string) => {
    stdout += text;
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const [code, wallMs] = await new Promise<[number | null, number]>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve([exitCode, performance.now() - start]));
  });
  // Wait for the pipes to drain, but never hang on a grandchild that kept them open.
  await Promise.race([
    new Promise((resolve) => child.once("close", resolve)),
    new Promise((resolve) => setTimeout(resolve, KILL_AFTER_MS).unref()),
  ]);
  if (child.pid !== undefined) live.delete(child.pid);
  let peakRssKb: number | null = null;
  if (withTime) {
    const text = await readFile(rssFile, "utf8").catch(() => "");
    // GNU time writes "Command exited with non-zero status N" first when the tool failed.
    const last = text.trim().split("\n").at(-1) ?? "";
    peakRssKb = /^\d+$/.test(last) ? Number(last) : null;
    await rm(rssFile, { force: true });
  }
  return { code, wallMs, peakRssKb, stdout, stderr: stderr.trim() };
}

/** The few fields of a fetchbench JSON report the suite reads. */
interface FetchbenchReport {
  runs: { mode: string; warmup: boolean; wallMs: number }[];
  summary: {
    modes: Record<string, { ok: number; failed: number; latencyMs: { p50: number } } | undefined>;
  };
}
