/**
 * Benchmarks of the measuring client itself: what it costs per request next to a bare undici
 * request, how much memory a large body takes (it must be streamed, never buffered), how close
 * the concurrent mode comes to the bound, and what the blocking mode's thread hand-off adds.
 * The server always runs in its own process.
 */
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { createAgent, createRequester, type RequestOptions } from "../../src/client.js";
import { compare } from "../../src/index.js";
import { createProgress } from "../../src/progress.js";
import type { Report, Target } from "../../src/report/model.js";
import { spawnServer } from "../../src/server-process.js";
import { median as medianOf } from "../../src/stats.js";
import type { BenchResult } from "./server-connections.js";

const options: RequestOptions = { method: "GET", headers: {}, timeoutMs: 30_000, maxRedirects: 10 };

/** The project's median; a bench with no samples has nothing to compare. */
function median(values: number[]): number {
  return medianOf(values) ?? Number.NaN;
}

function targetsFor(base: string, paths: string[]): Target[] {
  return paths.map((path, index) => ({ index, line: index + 1, url: `${base}${path}` }));
}

/** Per-request cost of fetchbench's request function against a bare `undici.request`. */
export async function benchRequestOverhead(): Promise<BenchResult> {
  const server = await spawnServer();
  const url = `${server.url}/bytes/0`;
  const rounds = 5;
  const perRound = 400;
  const bare: number[] = [];
  const ours: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const bareAgent = new Agent();
      let start = performance.now();
      for (let i = 0; i < perRound; i++) {
        const response = await request(url, { dispatcher: bareAgent });
        await response.body.dump();
      }
      bare.push((performance.now() - start) / perRound);
      await bareAgent.destroy();

      const agent = createAgent(options);
      const fetchOne = createRequester(agent, options);
      const target = { index: 0, line: 1, url };
      start = performance.now();
      for (let i = 0; i < perRound; i++) {
        await fetchOne(target, { runStart: start, enqueuedAt: performance.now() });
      }
      ours.push((performance.now() - start) / perRound);
      await agent.destroy();
    }
  } finally {
    await server.close();
  }
  const ratio = median(ours) / median(bare);
  return {
    name: "request overhead",
    value: ratio,
    unit: "×",
    target: "≤ 1.30×",
    pass: ratio <= 1.3,
    detail: `median per request: fetchbench ${median(ours).toFixed(3)} ms, bare undici ${median(bare).toFixed(3)} ms (${rounds}×${perRound} sequential requests for 0 bytes)`,
  };
}

/** Memory growth while one 200 MB body is counted: it must stay far below the body's size. */
export async function benchBodyMemory(): Promise<BenchResult> {
  const server = await spawnServer();
  const size = 200_000_000;
  const agent = createAgent(options);
  const fetchOne = createRequester(agent, options);
  let peak = process.memoryUsage().rss;
  const before = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  let bytes = 0;
  try {
    const now = performance.now();
    const result = await fetchOne(
      { index: 0, line: 1, url: `${server.url}/bytes/${size}` },
      { runStart: now, enqueuedAt: now },
    );
    bytes = result.bytes;
  } finally {
    clearInterval(sampler);
    await agent.destroy();
    await server.close();
  }
  const growthMb = (peak - before) / 1e6;
  const ratio = (peak - before) / size;
  return {
    name: "memory for a 200 MB body",
    value: ratio,
    unit: "× body",
    target: "≤ 0.25× body (streamed, not buffered)",
    pass: bytes === size && ratio <= 0.25,
    detail: `RSS grew ${growthMb.toFixed(1)} MB while ${(bytes / 1e6).toFixed(0)} MB were counted`,
  };
}

/** Efficiency of the concurrent mode: bound / concurrent wall for 50 URLs of 200 ms. */
export async function benchConcurrentEfficiency(): Promise<BenchResult> {
  const server = await spawnServer();
  let report: Report;
  try {
    report = await compare(
      targetsFor(
        server.url,
        Array.from({ length: 50 }, () => "/delay/200"),
      ),
      {
        ...options,
        modes: ["sequential", "concurrent"],
        concurrency: "all",
        runs: 1,
        warmup: 0,
        source: "bench",
      },
    );
  } finally {
    await server.close();
  }
  const comparison = report.summary.comparison;
  const efficiency = comparison?.efficiency ?? 0;
  return {
    name: "concurrent efficiency",
    value: efficiency,
    unit: "of the bound",
    target: "≥ 0.90",
    pass: efficiency >= 0.9,
    detail: `50 URLs of 200 ms: speed-up ${comparison?.speedup.toFixed(1)}× of an ideal ${comparison?.idealSpeedup.toFixed(1)}× (bound ${comparison?.boundMs.toFixed(0)} ms)`,
  };
}

/**
 * What the blocking mode's hand-off to its worker adds per request: (wall − Σ latency) / N,
 * blocking minus the same figure for sequential, over 1,000 requests for 0 bytes.
 */
export async function benchBlockingHandoff(): Promise<BenchResult> {
  const server = await spawnServer();
  const count = 1000;
  let report: Report;
  try {
    report = await compare(
      targetsFor(
        server.url,
        Array.from({ length: count }, () => "/bytes/0"),
      ),
      {
        ...options,
        modes: ["sequential", "blocking"],
        concurrency: "all",
        runs: 3,
        warmup: 1,
        source: "bench",
      },
    );
  } finally {
    await server.close();
  }
  const gapPerRequest = (mode: "sequential" | "blocking") =>
    median(
      report.runs
        .filter((run) => run.mode === mode && !run.warmup)
        .map((run) => (run.wallMs - run.requests.reduce((sum, r) => sum + r.latencyMs, 0)) / count),
    );
  const handoffMs = gapPerRequest("blocking") - gapPerRequest("sequential");
  return {
    name: "blocking hand-off",
    value: handoffMs,
    unit: "ms per request",
    target: "< 1 ms",
    pass: handoffMs < 1,
    detail: `gap between requests: blocking ${gapPerRequest("blocking").toFixed(3)} ms, sequential ${gapPerRequest("sequential").toFixed(3)} ms (median of 3 runs of ${count} requests)`,
  };
}

/**
 * What the progress display costs a run: the wall of 2,000 sequential requests for 0 bytes
 * with the real display drawing (into a sink, at its usual 100 ms pace) against none, with
 * the two alternating over 5 rounds each.
 */
export async function benchProgressCost(): Promise<BenchResult> {
  const server = await spawnServer();
  const count = 2000;
  const targets = targetsFor(
    server.url,
    Array.from({ length: count }, () => "/bytes/0"),
  );
  const walls = { with: [] as number[], without: [] as number[] };
  let drawn = 0;
  try {
    for (let round = 0; round < 5; round++) {
      for (const kind of ["without", "with"] as const) {
        const progress =
          kind === "with"
            ? createProgress({
                write: (text) => {
                  drawn += text.length;
                },
                color: true,
                columns: 100,
              })
            : null;
        const report = await compare(targets, {
          ...options,
          modes: ["sequential"],
          concurrency: "all",
          runs: 1,
          warmup: 0,
          source: "bench",
          onProgress: progress?.onProgress,
        });
        progress?.stop();
        walls[kind].push(report.runs[0]?.wallMs ?? 0);
      }
    }
  } finally {
    await server.close();
  }
  const ratio = median(walls.with) / median(walls.without);
  return {
    name: "progress display cost",
    value: ratio,
    unit: "×",
    target: "≤ 1.05×",
    pass: ratio <= 1.05 && drawn > 0,
    detail: `median wall of ${count} sequential requests: ${median(walls.with).toFixed(0)} ms with the display, ${median(walls.without).toFixed(0)} ms without (5 rounds each, ${drawn} characters drawn)`,
  };
}
