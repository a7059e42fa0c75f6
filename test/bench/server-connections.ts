/**
 * Benchmark: does the built-in server stay responsive with 10,000 idle connections open?
 * The server runs in its own process (spawnServer), so this process's work of opening and
 * holding sockets cannot slow it down through a shared event loop.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import type { ServerHandle } from "../../src/server.js";
import { spawnServer } from "../../src/server-process.js";
import { median as medianOf } from "../../src/stats.js";

/** One benchmark's outcome, as the bench runner prints and checks it. */
export interface BenchResult {
  /** Stable identifier of the benchmark. */
  name: string;
  /** Median latency with the connections open ÷ median latency with none open. */
  value: number;
  /** Unit of `value`: `×`, a ratio. */
  unit: string;
  /** The threshold `value` must meet, for people: `≤ 5×`. */
  target: string;
  /** Whether `value` met the target, every connection opened and every request succeeded. */
  pass: boolean;
  /** What was measured: connections opened and both medians, in milliseconds. */
  detail: string;
}

/** Options of {@link benchServerConnections}. */
export interface BenchServerConnectionsOptions {
  /** Idle TCP connections to hold open during the loaded measurement; default 10,000, at most 10,000. */
  connections?: number;
}

const MAX_CONNECTIONS = 10_000;
const REQUESTS = 50;
/** Untimed requests first, so neither phase pays for a cold JIT or a cold connection. */
const WARMUP_REQUESTS = 20;
const TARGET_RATIO = 5;
const CONNECT_BATCH = 500;
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 5_000;
/** Upper bound on tearing everything down, so a stuck server cannot hang the bench run. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Median latency of 50 sequential `/delay/0` requests, first with no other connection
 * open, then with `connections` idle TCP connections held open against the same server.
 */
export async function benchServerConnections(
  options: BenchServerConnectionsOptions = {},
): Promise<BenchResult> {
  const connections = options.connections ?? MAX_CONNECTIONS;
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    // The bench process has `ulimit -n` 20000; one socket per connection must fit beside the rest.
    throw new RangeError(
      `Expected \`connections\` to be a whole number from 1 to ${MAX_CONNECTIONS}, got ${connections}`,
    );
  }

  const server = await spawnServer();
  const held: Socket[] = [];
  try {
    const baseline = await measure(server.url);
    const opened = await openConnections(server, connections, held);
    const loaded = await measure(server.url);
    const stillOpen = held.filter((socket) => !socket.destroyed).length;

    const ratio = loaded.medianMs / baseline.medianMs;
    const failedRequests = baseline.failed + loaded.failed;
    const pass =
      ratio <= TARGET_RATIO &&
      opened.failed === 0 &&
      stillOpen === connections &&
      failedRequests === 0;
    return {
      name: "server-connections",
      value: round(ratio, 2),
      unit: "×",
      target: `≤ ${TARGET_RATIO}×`,
      pass,
      detail:
        `${opened.ok}/${connections} connections opened (${opened.failed} failed, ` +
        `${stillOpen} still open at the end); median of ${REQUESTS} sequential /delay/0 ` +
        `requests on one keep-alive connection: ${round(baseline.medianMs, 3)} ms with none open, ` +
        `${round(loaded.medianMs, 3)} ms with them open` +
        (failedRequests > 0 ? `; ${failedRequests} requests failed` : ""),
    };
  } finally {
    for (const socket of held) socket.destroy();
    await withTimeout(server.close(), CLOSE_TIMEOUT_MS);
  }
}

/** Median latency of sequential requests, each from dispatch to the last body byte. */
async function measure(base: string): Promise<{ medianMs: number; failed: number }> {
  // A fresh Agent per phase: the loaded phase must not profit from the baseline's connection.
  const agent = new Agent({ connections: 1 });
  const latencies: number[] = [];
  let failed = 0;
  try {
    for (let i = 0; i < WARMUP_REQUESTS + REQUESTS; i++) {
      const start = performance.now();
      try {
        const response = await request(`${base}/delay/0`, {
          dispatcher: agent,
          headersTimeout: REQUEST_TIMEOUT_MS,
          bodyTimeout: REQUEST_TIMEOUT_MS,
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      } catch {
        // A failure still counts, with the time it took to fail: dropping it would flatter the median.
        if (i >= WARMUP_REQUESTS) failed += 1;
      }
      if (i >= WARMUP_REQUESTS) latencies.push(performance.now() - start);
    }
  } finally {
    await withTimeout(agent.destroy(), CLOSE_TIMEOUT_MS);
  }
  return { medianMs: median(latencies), failed };
}

/** Opens idle connections in batches, pushing each open one to `held`. */
async function openConnections(
  server: ServerHandle,
  count: number,
  held: Socket[],
): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  // Batches keep each burst of SYNs inside the server's listen backlog.
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const size = Math.min(CONNECT_BATCH, count - start);
    const results = await Promise.all(
      Array.from({ length: size }, () => openOne(server.host, server.port)),
    );
    for (const socket of results) {
      if (socket === null) failed += 1;
      else {
        ok += 1;
        held.push(socket);
      }
    }
  }
  return { ok, failed };
}

function openOne(host: string, port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    // Stays attached: a held socket that errors later is counted as no longer open, not thrown.
    socket.on("error", () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** The project's median; a bench with no samples has nothing to compare. */
function median(values: number[]): number {
  return medianOf(values) ?? Number.NaN;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Waits for `promise`, but no longer than `ms`; teardown must not hang the run. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
