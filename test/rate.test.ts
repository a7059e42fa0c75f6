import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient, type RequestOptions } from "../src/client.js";
import type { RequestResult } from "../src/report/model.js";
import { runBlocking } from "../src/runners/blocking.js";
import { runConcurrent } from "../src/runners/concurrent.js";
import { runSequential } from "../src/runners/sequential.js";
import { type ServerHandle, startServer } from "../src/server.js";

const options: RequestOptions = { method: "GET", headers: {}, timeoutMs: 10_000, maxRedirects: 0 };
/** `--rate 50`: one planned start every 20 ms. */
const RATE = 50;
const INTERVAL_MS = 1000 / RATE;

let server: ServerHandle;
beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

function targets(path: string, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    index,
    line: index + 1,
    url: `${server.url}${path}`,
  }));
}

type Mode = "sequential" | "concurrent" | "blocking";

async function runAtRate(mode: Mode, path: string, count: number, signal?: AbortSignal) {
  const client = openClient({
    ...options,
    maxInFlight: mode === "concurrent" ? undefined : 1,
    ratePerSecond: RATE,
  });
  const list = targets(path, count);
  try {
    if (mode === "sequential")
      return await runSequential(list, { request: client.request, signal });
    if (mode === "concurrent") {
      return await runConcurrent(list, { request: client.request, signal, concurrency: "all" });
    }
    return await runBlocking(list, { request: client.request, signal });
  } finally {
    await client.close();
  }
}

/** Starts never come before their plan (i × 20 ms) and, on a fast server, not long after it. */
function expectOnSchedule(requests: RequestResult[], count: number) {
  expect(requests).toHaveLength(count);
  expect(requests.every((r) => r.ok)).toBe(true);
  for (const [i, r] of requests.entries()) {
    expect(r.startMs).toBeGreaterThanOrEqual(i * INTERVAL_MS - 0.01);
    // Generous: a busy machine may run a timer late, but not by a second.
    expect(r.startMs).toBeLessThan(i * INTERVAL_MS + 1000);
    expect(r.scheduleLagMs).not.toBeNull();
    expect(r.scheduleLagMs).toBeGreaterThanOrEqual(0);
    expect(r.scheduleLagMs ?? 0).toBeCloseTo(r.startMs - i * INTERVAL_MS, 6);
  }
  // About 20 ms apart: the mean gap between starts, with room for a busy machine's timers.
  const span = (requests.at(-1)?.startMs ?? 0) - (requests[0]?.startMs ?? 0);
  const meanGap = span / (count - 1);
  expect(meanGap).toBeGreaterThan(INTERVAL_MS / 2);
  expect(meanGap).toBeLessThan(INTERVAL_MS + 200);
}

describe("--rate", () => {
  it.each(["sequential", "concurrent", "blocking"] as const)(
    "starts the %s mode's requests about 20 ms apart at --rate 50",
    async (mode) => {
      const count = 8;
      const outcome = await runAtRate(mode, "/status/200", count);
      expectOnSchedule(outcome.requests, count);
      expect(outcome.wallMs).toBeGreaterThanOrEqual((count - 1) * INTERVAL_MS);
    },
  );

  it("keeps the concurrent mode concurrent: requests overlap when the server is slower than the rate", async () => {
    const outcome = await runAtRate("concurrent", "/delay/300", 6);
    expectOnSchedule(outcome.requests, 6);
    expect(outcome.peakInFlight).toBeGreaterThan(1);
    // Each latency is dispatch to last byte, the schedule's wait not included.
    for (const r of outcome.requests) expect(r.latencyMs).toBeGreaterThanOrEqual(295);
  });

  it("records growing schedule lag when a slow server holds the sequential mode back", async () => {
    // 100 ms per request against a plan of one every 20 ms: request i starts about 80 ms × i late.
    const outcome = await runAtRate("sequential", "/delay/100", 5);
    const lags = outcome.requests.map((r) => r.scheduleLagMs ?? Number.NaN);
    expect(lags.slice(1).every((lag) => lag > 0)).toBe(true);
    expect(lags[4]).toBeGreaterThan(200);
    for (const [i, lag] of lags.entries()) if (i > 0) expect(lag).toBeGreaterThan(lags[i - 1] ?? 0);
    // The latency stays the server's: dispatch to last byte, the lag not included.
    for (const r of outcome.requests) {
      expect(r.latencyMs).toBeGreaterThanOrEqual(95);
      expect(r.latencyMs).toBeLessThan(2000);
      // Sequential waits for no slot: its time in line is not the lag.
      expect(r.queuedMs).toBeLessThan(50);
    }
  });

  it("stops waiting for planned starts at once when the run is aborted", async () => {
    const controller = new AbortController();
    const client = openClient({ ...options, ratePerSecond: 0.5 });
    const started = performance.now();
    const pending = runConcurrent(targets("/status/200", 5), {
      request: client.request,
      signal: controller.signal,
      concurrency: "all",
    });
    setTimeout(() => controller.abort(), 200);
    const outcome = await pending;
    await client.close();
    // At 0.5 per second the last would start 8 s in; the abort ends the run well before.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(outcome.requests[0]?.ok).toBe(true);
    expect(outcome.requests.slice(1).map((r) => r.error?.kind)).toEqual(Array(4).fill("aborted"));
  });

  it("leaves scheduleLagMs null without a rate", async () => {
    const client = openClient({ ...options, maxInFlight: 1 });
    const outcome = await runSequential(targets("/status/200", 2), { request: client.request });
    await client.close();
    expect(outcome.requests.map((r) => r.scheduleLagMs)).toEqual([null, null]);
  });
});
