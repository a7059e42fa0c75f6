import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, createRequester, type RequestOptions } from "../../src/client.js";
import { createEventLoopMonitor, startEventLoopMonitor } from "../../src/measure.js";
import type { EventLoopStats } from "../../src/report/model.js";
import { runBlocking } from "../../src/runners/blocking.js";
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

// The main thread blocks in this mode, so the server must live in another process.
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
  const agent = createAgent(requestOptions);
  try {
    return await runSequential(targets(paths), { request: createRequester(agent, requestOptions) });
  } finally {
    await agent.destroy();
  }
}

describe("runBlocking", () => {
  it("freezes the event loop: a concurrent timer starves while it runs", async () => {
    const monitor = createEventLoopMonitor();
    await monitor.ready;
    let stopped: Promise<EventLoopStats> | null = null;
    const outcome = await runBlocking(targets(["/delay/100", "/delay/100", "/delay/100"]), {
      requestOptions,
      onRunStart: () => monitor.start(),
      onRunEnd: () => {
        stopped = monitor.stop();
      },
    });
    const loop = await (stopped as Promise<EventLoopStats> | null);
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
    const outcome = await runBlocking(targets(["/delay/100", "/delay/100", "/delay/100"]), {
      requestOptions,
    });
    expect(outcome.wallMs).toBeGreaterThanOrEqual(290);
    expect(outcome.wallMs).toBeLessThan(3000);
    expect(outcome.peakInFlight).toBe(1);
  });

  it("gives the same statuses, bytes and redirects as the sequential mode", async () => {
    const paths = ["/bytes/1234", "/status/404", "/redirect/2", "/delay/20?bytes=77"];
    const blocking = await runBlocking(targets(paths), { requestOptions });
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
    expect(blocking.requests.map(shape)).toEqual(sequential.requests.map(shape));
  });

  it("reports offsets in the main thread's timeline", async () => {
    const outcome = await runBlocking(targets(["/delay/50", "/delay/50"]), { requestOptions });
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
    const outcome = await runBlocking(list, {
      requestOptions: { ...requestOptions, timeoutMs: 300 },
    });
    expect(outcome.requests.map((r) => r.error?.kind ?? "ok")).toEqual([
      "connect",
      "timeout",
      "http",
      "ok",
    ]);
  });

  it("counts the connections its worker's Agent opened", async () => {
    const outcome = await runBlocking(targets(["/bytes/1", "/bytes/1", "/bytes/1"]), {
      requestOptions,
    });
    expect(outcome.connectionsOpened).toBe(1);
  });

  it("turns a worker that dies mid-request into a failure and carries on with a new one", async () => {
    const realWorker = new URL("../../dist/runners/blocking-worker.js", import.meta.url);
    const crashing = join(scratch, "crashing-worker.mjs");
    await writeFile(
      crashing,
      [
        'import { workerData } from "node:worker_threads";',
        'workerData.port.on("message", (m) => {',
        '  if (m.type === "request" && m.target.url.includes("crash")) throw new Error("boom");',
        "});",
        `await import(${JSON.stringify(realWorker.href)});`,
      ].join("\n"),
    );
    const list = targets(["/bytes/5", "/status/200?crash=1", "/bytes/6"]);
    const outcome = await runBlocking(list, {
      requestOptions,
      workerUrl: pathToFileURL(crashing),
    });
    expect(outcome.requests).toHaveLength(3);
    expect(outcome.requests.map((r) => r.ok)).toEqual([true, false, true]);
    expect(outcome.requests[1]?.error?.message).toMatch(/^the blocking worker died/);
    expect(outcome.requests[2]?.bytes).toBe(6);
    expect(outcome.connectionsOpened).toBeNull();
  });
});
