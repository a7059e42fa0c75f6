/**
 * The side-by-side suite: fetchbench next to curl, a bare undici `dispatch()` loop and Python's
 * aiohttp, each run as a fresh process on the same URL files against the same server, the
 * tools alternating run by run. Prints each scenario's medians and fetchbench's ratios to every
 * peer, checks the targets, and writes everything to a JSON file under `results/`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, hostname, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median as medianOf } from "../../../src/stats.js";
import { VERSION } from "../../../src/version.js";
import { aptInstall, startTarget } from "./target.js";
import {
  CURL_PARALLEL_MAX,
  killAll,
  type Measurement,
  PYTHON,
  runStartup,
  runTool,
  type Tool,
} from "./tools.js";

export interface SuiteOptions {
  /** Scenario ids to run; empty runs all. */
  only: string[];
  /** Runs per tool in each scenario. */
  runs: number;
  /** A tenth of the URLs in every scenario, for a short look. */
  quick: boolean;
  write: (text: string) => void;
}

export interface Scenario {
  id: string;
  title: string;
  count: number;
  delayMs: number;
  cap: number | "all";
  sequential: boolean;
  tools: Tool[];
}

export interface TargetCheck {
  target: string;
  scenario: string;
  status: "PASS" | "MISS" | "SKIP";
  detail: string;
}

interface ScenarioResult extends Scenario {
  measurements: Measurement[];
  medians: Partial<Record<Tool, ToolMedians>>;
}

interface ToolMedians {
  wallMs: number;
  requestsPerSecond: number | null;
  peakRssMb: number | null;
  medianLatencyMs: number | null;
  ok: number | null;
  failed: number | null;
}

const CONCURRENT_PEERS: Tool[] = ["fetchbench", "curl", "undici", "aiohttp"];
const SEQUENTIAL_PEERS: Tool[] = ["fetchbench", "curl"];

/** The scenarios of the suite, at full size or at a tenth. */
export function scenarios(quick: boolean): Scenario[] {
  const n = (count: number) => (quick ? Math.max(10, count / 10) : count);
  const concurrent = (id: string, count: number, delayMs: number, cap: number | "all") => ({
    id,
    title: `${n(count).toLocaleString("en")} URLs × ${delayMs} ms, ${cap === "all" ? "no cap" : `at ${cap}`}`,
    count: n(count),
    delayMs,
    cap,
    sequential: false,
    tools: CONCURRENT_PEERS,
  });
  return [
    concurrent("latency", 100, 100, "all"),
    concurrent("fan-out", 1_000, 100, "all"),
    concurrent("throughput", 10_000, 0, 64),
    concurrent("scale-10k", 10_000, 0, 256),
    concurrent("scale-50k", 50_000, 0, 256),
    concurrent("scale-100k", 100_000, 0, 256),
    {
      id: "sequential",
      title: `${n(10_000).toLocaleString("en")} URLs × 0 ms, one at a time`,
      count: n(10_000),
      delayMs: 0,
      cap: 1,
      sequential: true,
      tools: SEQUENTIAL_PEERS,
    },
    {
      id: "accuracy",
      title: "50 URLs × 100 ms, one at a time: median latency − server delay",
      count: 50,
      delayMs: 100,
      cap: 1,
      sequential: true,
      tools: SEQUENTIAL_PEERS,
    },
    {
      id: "start-up",
      title: "`fetchbench --version` next to `node -e 0`",
      count: 0,
      delayMs: 0,
      cap: 1,
      sequential: true,
      tools: ["fetchbench", "node"],
    },
  ];
}

/** Runs the suite; returns the target checks (the caller decides what a miss means). */
export async function runSuite(options: SuiteOptions): Promise<TargetCheck[]> {
  const { write } = options;
  const chosen = scenarios(options.quick).filter(
    (scenario) =>
      options.only.length === 0 || options.only.some((word) => scenario.id.startsWith(word)),
  );
  if (chosen.length === 0) throw new Error(`no scenario matches ${options.only.join(", ")}`);
  const workDir = await mkdtemp(join(tmpdir(), "fetchbench-bench-"));
  const onSignal = () => {
    // process.exit skips the finally below; the exit hooks still end nginx and the tools.
    killAll();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", killAll);
  const log = (line: string) => write(`  ${line}\n`);
  const server = await startTarget(workDir, log);
  const aiohttp = aiohttpAvailable(log);
  try {
    write(
      `\nside by side against ${server.name} at ${server.url}; ${options.runs} runs per tool\n`,
    );
    if (!aiohttp) write("  aiohttp: not available, its columns are left out\n");
    const results: ScenarioResult[] = [];
    for (const scenario of chosen) {
      const tools = scenario.tools.filter((tool) => tool !== "aiohttp" || aiohttp);
      const result = await runScenario({ ...scenario, tools }, server.url, workDir, options.runs);
      results.push(result);
      printScenario(result, write);
    }
    const checks = checkTargets(results);
    write("\ntargets\n");
    for (const check of checks) {
      write(`  ${check.status.padEnd(4)}  ${check.target} [${check.scenario}]: ${check.detail}\n`);
    }
    const file = await writeResults(results, checks, server.name, options);
    write(`\nresults written to ${file}\n`);
    return checks;
  } finally {
    killAll();
    await server.close();
    await rm(workDir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", killAll);
  }
}

/** Whether /usr/bin/python3 has aiohttp, installing Debian's package when root and it is missing. */
function aiohttpAvailable(log: (line: string) => void): boolean {
  // Exit 3 means "not installed"; anything else failing (a signal, a broken Python) is not
  // a reason to install.
  const probe =
    "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('aiohttp') else 3)";
  const status = () => spawnSync(PYTHON, ["-c", probe], { stdio: "ignore" }).status;
  if (status() === 3 && process.getuid?.() === 0) {
    log(`${PYTHON} has no aiohttp: installing python3-aiohttp with apt`);
    aptInstall(["python3-aiohttp"], log);
  }
  return status() === 0;
}

async function runScenario(
  scenario: Scenario,
  base: string,
  workDir: string,
  runs: number,
): Promise<ScenarioResult> {
  const measurements: Measurement[] = [];
  if (scenario.id === "start-up") {
    // Start-up is a few tens of milliseconds: more runs for a steady median.
    for (let run = 1; run <= runs * 5; run++) {
      for (const tool of ["node", "fetchbench"] as const) {
        measurements.push(await runStartup(tool, run, workDir));
      }
    }
  } else {
    const urlFile = join(workDir, `${scenario.id}.txt`);
    const curlConfig = join(workDir, `${scenario.id}.curl`);
    const url = `${base}/delay/${scenario.delayMs}`;
    await writeFile(urlFile, `${url}\n`.repeat(scenario.count));
    await writeFile(curlConfig, `url = "${url}"\noutput = "/dev/null"\n`.repeat(scenario.count));
    const work = {
      urlFile,
      curlConfig,
      cap: scenario.cap,
      sequential: scenario.sequential,
      dir: workDir,
    };
    for (let run = 1; run <= runs; run++) {
      // Alternate the order too, so no tool always runs right after the same other one.
      const order = run % 2 === 1 ? scenario.tools : [...scenario.tools].reverse();
      for (const tool of order) measurements.push(await runTool(tool, work, run));
    }
  }
  const medians: Partial<Record<Tool, ToolMedians>> = {};
  for (const tool of scenario.tools) {
    const mine = measurements.filter((entry) => entry.tool === tool);
    const wallMs = medianOf(mine.map((entry) => entry.wallMs)) ?? Number.NaN;
    const rss = mine.flatMap((entry) => (entry.peakRssKb === null ? [] : [entry.peakRssKb]));
    const latencies = mine.flatMap((entry) =>
      entry.medianLatencyMs === null ? [] : [entry.medianLatencyMs],
    );
    medians[tool] = {
      wallMs,
      requestsPerSecond: scenario.count > 0 ? scenario.count / (wallMs / 1000) : null,
      peakRssMb: rss.length > 0 ? (medianOf(rss) ?? 0) / 1024 : null,
      medianLatencyMs: medianOf(latencies),
      ok: sumOrNull(mine.map((entry) => entry.ok)),
      failed: sumOrNull(mine.map((entry) => entry.failed)),
    };
  }
  return { ...scenario, measurements, medians };
}

function sumOrNull(values: (number | null)[]): number | null {
  return values.some((value) => value === null)
    ? null
    : values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

function printScenario(result: ScenarioResult, write: (text: string) => void): void {
  const noCap = result.cap === "all" && !result.sequential && result.count > CURL_PARALLEL_MAX;
  write(
    `\n${result.id}: ${result.title}${noCap ? ` (curl at most --parallel-max ${CURL_PARALLEL_MAX})` : ""}\n`,
  );
  const ours = result.medians.fetchbench;
  const accuracy = result.id === "accuracy";
  write(
    `  ${"tool".padEnd(11)} ${"wall".padStart(10)} ${"req/s".padStart(9)} ${"peak RSS".padStart(9)} ${accuracy ? `${"latency − delay".padStart(16)} ` : ""}${"failed".padStart(7)}   fetchbench ÷ tool: wall, RSS\n`,
  );
  for (const tool of result.tools) {
    const figures = result.medians[tool];
    if (figures === undefined) continue;
    const ratio =
      tool === "fetchbench" || ours === undefined
        ? ""
        : `${times(ours.wallMs / figures.wallMs)}, ${figures.peakRssMb && ours.peakRssMb ? times(ours.peakRssMb / figures.peakRssMb) : "–"}`;
    const overDelay =
      figures.medianLatencyMs === null
        ? "–"
        : `${(figures.medianLatencyMs - result.delayMs).toFixed(2)} ms`;
    write(
      `  ${tool.padEnd(11)} ${ms(figures.wallMs).padStart(10)} ${(figures.requestsPerSecond === null ? "–" : Math.round(figures.requestsPerSecond).toLocaleString("en")).padStart(9)} ${(figures.peakRssMb === null ? "–" : `${figures.peakRssMb.toFixed(0)} MB`).padStart(9)} ${accuracy ? `${overDelay.padStart(16)} ` : ""}${String(figures.failed ?? "–").padStart(7)}   ${ratio}\n`,
    );
  }
}

function ms(value: number): string {
  return value >= 10_000
    ? `${(value / 1000).toFixed(2)} s`
    : `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** The issue's targets, each checked against this run's medians; a missing peer skips it. */
export function checkTargets(results: ScenarioResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const byId = new Map(results.map((result) => [result.id, result]));
  const wallRatio = (id: string, peer: Tool, limit: number, target: string, strictly = false) => {
    const result = byId.get(id);
    if (result === undefined) return;
    const ours = result.medians.fetchbench;
    const theirs = result.medians[peer];
    if (ours === undefined || theirs === undefined) {
      checks.push({ target, scenario: id, status: "SKIP", detail: `${peer} did not run` });
      return;
    }
    const ratio = ours.wallMs / theirs.wallMs;
    const pass = strictly ? ratio < limit : ratio <= limit;
    checks.push({
      target,
      scenario: id,
      status: pass ? "PASS" : "MISS",
      detail: `fetchbench ${ms(ours.wallMs)}, ${peer} ${ms(theirs.wallMs)}: ${times(ratio)}`,
    });
  };
  for (const id of ["fan-out", "throughput", "scale-10k", "scale-50k", "scale-100k"]) {
    wallRatio(id, "undici", 1.15, "overhead ≤ 1.15 × bare dispatch() loop");
  }
  for (const id of ["latency", "fan-out"]) {
    wallRatio(id, "curl", 1, "no slower than curl");
    wallRatio(id, "aiohttp", 1, "faster than aiohttp", true);
  }
  wallRatio("throughput", "curl", 1.25, "≤ 1.25 × curl");
  wallRatio("scale-100k", "curl", 1, "no slower than curl");
  const scale = byId.get("scale-100k");
  const ours = scale?.medians.fetchbench;
  if (scale !== undefined && ours !== undefined) {
    const runs = scale.measurements.filter((entry) => entry.tool === "fetchbench");
    const expected = scale.count * runs.length;
    checks.push({
      target: "every request ok",
      scenario: scale.id,
      status: ours.ok === expected ? "PASS" : "MISS",
      detail: `${ours.ok ?? "?"} of ${expected} ok over ${runs.length} runs`,
    });
    const peak = Math.max(...runs.map((entry) => entry.peakRssKb ?? Number.NaN)) / 1024;
    checks.push({
      target: "peak RSS ≤ 200 MB, JSON report written to a file",
      scenario: scale.id,
      status: Number.isNaN(peak) ? "SKIP" : peak <= 200 ? "PASS" : "MISS",
      detail: Number.isNaN(peak) ? "no RSS figure" : `highest peak RSS ${peak.toFixed(0)} MB`,
    });
    const small = byId.get("scale-10k");
    const smallRss = small?.medians.fetchbench?.peakRssMb;
    if (small !== undefined && smallRss != null && ours.peakRssMb !== null) {
      const perRequest = ((ours.peakRssMb - smallRss) * 1024 * 1024) / (scale.count - small.count);
      checks.push({
        target: "memory slope < 1 KB per request",
        scenario: `${small.id} → ${scale.id}`,
        status: perRequest < 1024 ? "PASS" : "MISS",
        detail: `${perRequest.toFixed(0)} bytes per request (${smallRss.toFixed(0)} → ${ours.peakRssMb.toFixed(0)} MB)`,
      });
    }
  }
  wallRatio("sequential", "curl", 1.3, "≤ 1.3 × one curl walking the list");
  const accuracy = byId.get("accuracy");
  const mine = accuracy?.medians.fetchbench?.medianLatencyMs;
  if (accuracy !== undefined && mine != null) {
    const over = mine - accuracy.delayMs;
    checks.push({
      target: "median latency within +2 ms of the server delay",
      scenario: accuracy.id,
      status: over <= 2 ? "PASS" : "MISS",
      detail: `${mine.toFixed(2)} ms for ${accuracy.delayMs} ms: +${over.toFixed(2)} ms`,
    });
    const curl = accuracy.medians.curl?.medianLatencyMs;
    if (curl != null) {
      const gap = mine - curl;
      checks.push({
        target: "within 1 ms of curl's time_total",
        scenario: accuracy.id,
        status: Math.abs(gap) <= 1 ? "PASS" : "MISS",
        detail: `fetchbench ${mine.toFixed(2)} ms, curl ${curl.toFixed(2)} ms: ${gap >= 0 ? "+" : ""}${gap.toFixed(2)} ms`,
      });
    }
  }
  wallRatio("start-up", "node", 1.5, "`fetchbench --version` ≤ 1.5 × `node -e 0`");
  return checks;
}

async function writeResults(
  results: ScenarioResult[],
  checks: TargetCheck[],
  server: string,
  options: SuiteOptions,
): Promise<string> {
  const now = new Date();
  const host = hostname();
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = join(
    dir,
    // Date and time to the second, so a second run on the same day keeps the first one's figures.
    `${now.toISOString().slice(0, 19).replaceAll(":", "")}-${host}${options.quick ? "-quick" : ""}.json`,
  );
  const document = {
    date: now.toISOString(),
    commit: quietly("git", ["rev-parse", "--short", "HEAD"]),
    fetchbench: VERSION,
    machine: {
      host,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      node: process.version,
      /** The 1-minute load average when the run ended: other work on the machine shows here. */
      loadAverage: loadavg()[0],
      curl: quietly("curl", ["--version"])?.split("\n")[0] ?? null,
      python: quietly(PYTHON, ["--version"]),
      aiohttp: quietly(PYTHON, ["-c", "import aiohttp; print(aiohttp.__version__)"]),
    },
    server,
    runsPerTool: options.runs,
    quick: options.quick,
    scenarios: results,
    targets: checks,
  };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

function quietly(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch {
    return null;
  }
}
