import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientCounts, openClient, type RequestOptions } from "../../src/client.js";
import { startEventLoopMonitor } from "../../src/measure.js";
import type { Target } from "../../src/report/model.js";
import { type BlockingOptions, runBlocking } from "../../src/runners/blocking.js";
import { runSequential } from "../../src/runners/sequential.js";
import type { ServerHandle } from "../../src/server.js";
import { spawnServer } from "../../src/server-process.js";
import { deadPort } from "../helpers.js";

const requestOptions: RequestOptions = {
  method: "GET",
  headers: {},
  timeoutMs: 5000,
  maxRedirects: 10,
};

// A thread of this process blocks in this mode, so the server lives in another process.
let server: ServerHandle;
let scratch: string;

beforeAll(async () => {
  server = await spawnServer({ port: 0 });
  scratch = await mkdtemp(join(tmpdir(), "fetchbench-blocking-"));
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

function targets(paths: string[]) {
  return paths.map((path, index) => ({ index, line: index + 1, url: `${server.url}${path}` }));
}

async function runSequentialOver(paths: string[]) {
  const client = openClient({ ...requestOptions, maxInFlight: 1 });
  try {
    return await runSequential(targets(paths), { request: client.request });
  } finally {
    await client.close();
  }
}

/** A blocking run over its own client, as every mode gets one; also what the client counted. */
async function blocking(
  list: Target[],
  options: Partial<RequestOptions> & Omit<BlockingOptions, "request"> = {},
) {
  const { workerUrl, signal, ...overrides } = options;
  const client = openClient({ ...requestOptions, ...overrides, maxInFlight: 1 });
  let counts: ClientCounts | undefined;
  try {
    const outcome = await runBlocking(list, { request: client.request, signal, workerUrl });
    counts = await client.close();
    return { ...outcome, ...counts };
  } finally {
    if (counts === undefined) await client.close();
  }
}

describe("runBlocking", () => {
  it("freezes the blocking thread's event loop: its timer starves while the run goes on", async () => {
    const outcome = await blocking(targets(["/delay/100", "/delay/100", "/delay/100"]));
    const loop = outcome.eventLoop;
    expect(outcome.requests.every((r) => r.ok)).toBe(true);
    expect(loop?.heartbeat.expected).toBeGreaterThanOrEqual(25);
    expect(loop?.heartbeat.fired).toBeLessThan((loop?.heartbeat.expected ?? 0) / 4);
    expect(loop?.maxDelayMs).toBeGreaterThanOrEqual(250);
  });

  it("leaves the heartbeat alone when the same URLs are fetched sequentially", async () => {
    const monitor = await startEventLoopMonitor();
    await runSequentialOver(["/delay/100", "/delay/100", "/delay/100"]);
    const loop = await monitor.stop();
    // A frozen loop fires none; a busy machine may steal many ticks from a free one.
    expect(loop.heartbeat.fired).toBeGreaterThan(loop.heartbeat.expected / 10);
  });

  it("takes about the sum of the latencies, like sequential", async () => {
    const outcome = await blocking(targets(["/delay/100", "/delay/100", "/delay/100"]));
    expect(outcome.wallMs).toBeGreaterThanOrEqual(290);
    expect(outcome.wallMs).toBeLessThan(3000);
    expect(outcome.peakInFlight).toBe(1);
  });

  it("gives the same statuses, bytes and redirects as the sequential mode", async () => {
    const paths = ["/bytes/1234", "/status/404", "/redirect/2", "/delay/20?bytes=77"];
    const blocked = await blocking(targets(paths));
    const sequential = await runSequentialOver(paths);
    const shape = (r: {
      status: number | null;
      bytes: number;
      redirects: number;
      ok: boolean;
    }) => ({
      status: r.status,
      bytes: r.bytes,
      redirects: r.redirects,
      ok: r.ok,
    });
    expect(blocked.requests.map(shape)).toEqual(sequential.requests.map(shape));
  });

  it("reports offsets in the main thread's timeline", async () => {
    const outcome = await blocking(targets(["/delay/50", "/delay/50"]));
    const [first, second] = outcome.requests;
    expect(first?.startMs).toBeGreaterThanOrEqual(0);
    // Near 0, with room for a busy machine to deschedule the test between two clock readings.
    expect(first?.startMs).toBeLessThan(1000);
    expect(second?.startMs).toBeGreaterThanOrEqual((first?.endMs ?? 0) - 1);
    expect(second?.endMs).toBeLessThanOrEqual(outcome.wallMs + 1);
  });

  it("turns a refused port, a timeout and a 500 into failures and goes on", async () => {
    const port = await deadPort();
    const list = [
      { index: 0, line: 1, url: `http://127.0.0.1:${port}/` },
      { index: 1, line: 2, url: `${server.url}/delay/3000` },
      { index: 2, line: 3, url: `${server.url}/status/500` },
      { index: 3, line: 4, url: `${server.url}/bytes/10` },
    ];
    const outcome = await blocking(list, { timeoutMs: 300 });
    expect(outcome.requests.map((r) => r.error?.kind ?? "ok")).toEqual([
      "connect",
      "timeout",
      "http",
      "ok",
    ]);
  });

  it("keeps to one connection, as the sequential mode does", async () => {
    const outcome = await blocking(targets(["/bytes/1", "/bytes/1", "/bytes/1"]));
    expect(outcome.connectionsOpened).toBe(1);
  });

  it("carries on with a new blocking thread when one dies mid-run", async () => {
    const realWorker = new URL("../../dist/runners/blocking-worker.js", import.meta.url);
    const crashing = join(scratch, "crashing-worker.mjs");
    // Dies right after asking for the second request, before it can wait for the answer.
    await writeFile(
      crashing,
      [
        'import { parentPort } from "node:worker_threads";',
        "const post = parentPort.postMessage.bind(parentPort);",
        "parentPort.postMessage = (m) => {",
        "  post(m);",
        '  if (m.type === "request" && m.index === 1) throw new Error("boom");',
        "};",
        `await import(${JSON.stringify(realWorker.href)});`,
      ].join("\n"),
    );
    const list = targets(["/bytes/5", "/bytes/6", "/bytes/7"]);
    const outcome = await blocking(list, { workerUrl: pathToFileURL(crashing) });
    expect(outcome.requests.map((r) => r.bytes)).toEqual([5, 6, 7]);
    expect(outcome.requests.every((r) => r.ok)).toBe(true);
    // The dead thread's event-loop figures are lost: unknown, never half a run's.
    expect(outcome.eventLoop).toBeNull();
  });

  it("records the rest of the list as failures when the blocking thread cannot start", async () => {
    const broken = join(scratch, "broken-worker.mjs");
    await writeFile(broken, 'throw new Error("cannot start");\n');
    const outcome = await blocking(targets(["/bytes/1", "/bytes/2"]), {
      workerUrl: pathToFileURL(broken),
    });
    expect(outcome.requests).toHaveLength(2);
    expect(outcome.requests.every((r) => !r.ok)).toBe(true);
    expect(outcome.requests[0]?.error?.message).toBe("the blocking worker died: cannot start");
    expect(outcome.eventLoop).toBeNull();
  });

  it("keeps the main thread free: progress advances while the run blocks", async () => {
    let settled = 0;
    const seen: number[] = [];
    const monitor = await startEventLoopMonitor();
    const sampler = setInterval(() => seen.push(settled), 20);
    const client = openClient({ ...requestOptions, maxInFlight: 1 }, () => {
      settled += 1;
    });
    try {
      await runBlocking(targets(Array(5).fill("/delay/100")), { request: client.request });
    } finally {
      clearInterval(sampler);
      await client.close();
    }
    const loop = await monitor.stop();
    expect(settled).toBe(5);
    // Samples taken during the run saw it part-way: the count moved while the worker blocked.
    expect(seen.some((count) => count > 0 && count < 5)).toBe(true);
    expect(loop.heartbeat.fired).toBeGreaterThan(loop.heartbeat.expected / 2);
  });

  it("stops soon after an abort, running none of the remaining requests", async () => {
    const controller = new AbortController();
    let abortedAt: number | null = null;
    // Cut while the second request waits on the server: timed from the first one's end, not
    // from the start, which a worker slow to start on a busy machine could outrun.
    const client = openClient({ ...requestOptions, maxInFlight: 1 }, () => {
      if (abortedAt !== null) return;
      abortedAt = 0;
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, 200);
    });
    let outcome: Awaited<ReturnType<typeof runBlocking>>;
    try {
      const list = targets(Array(20).fill("/delay/500"));
      outcome = await runBlocking(list, { request: client.request, signal: controller.signal });
    } finally {
      await client.close();
    }
    const stoppedAfter = performance.now() - (abortedAt ?? Number.NaN);
    // The request in flight ends at the abort and no other starts: nine seconds of requests
    // were left. What remains is the worker thread's exit, up to 3 s on a busy machine.
    expect(stoppedAfter).toBeLessThan(5000);
    expect(outcome.requests.length).toBeGreaterThanOrEqual(2);
    expect(outcome.requests.length).toBeLessThan(5);
    expect(outcome.requests[0]?.ok).toBe(true);
    expect(outcome.requests.at(-1)?.error?.kind).toBe("aborted");
  });
});
