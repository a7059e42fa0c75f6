import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/report/model.js";
import { buildSummary } from "../../src/report/summary.js";
import { peakOverlap, runConcurrent } from "../../src/runners/concurrent.js";
import { runSequential } from "../../src/runners/sequential.js";
import { fakeRequest, targetsOf } from "./fake-request.js";

describe("runConcurrent", () => {
  it("starts every request before any settles when the concurrency is all", async () => {
    const fake = fakeRequest([30, 10, 20]);
    const outcome = await runConcurrent(targetsOf(3), {
      request: fake.request,
      concurrency: "all",
    });
    expect(fake.started).toEqual([0, 1, 2]);
    expect(fake.finished).toEqual([1, 2, 0]);
    expect(outcome.peakInFlight).toBe(3);
  });

  it("returns the results in list order, not in order of completion", async () => {
    const outcome = await runConcurrent(targetsOf(3), {
      request: fakeRequest([30, 10, 20]).request,
      concurrency: "all",
    });
    expect(outcome.requests.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it("takes about as long as the slowest request", async () => {
    const delays = Array.from({ length: 10 }, () => 100);
    const outcome = await runConcurrent(targetsOf(10), {
      request: fakeRequest(delays).request,
      concurrency: "all",
    });
    expect(outcome.wallMs).toBeGreaterThanOrEqual(95);
    expect(outcome.wallMs).toBeLessThan(500);
  });

  it("with a cap of 4 takes about as long as the slowest request of each batch", async () => {
    const alone = await runConcurrent(targetsOf(4), {
      request: fakeRequest([100, 100, 100, 100]).request,
      concurrency: 4,
    });
    expect(alone.wallMs).toBeGreaterThanOrEqual(95);
    expect(alone.wallMs).toBeLessThan(190);
    // Eight: two batches, so the cap shows; neither one-at-a-time (800) nor all at once (100).
    const twice = await runConcurrent(targetsOf(8), {
      request: fakeRequest(Array(8).fill(100)).request,
      concurrency: 4,
    });
    expect(twice.wallMs).toBeGreaterThanOrEqual(195);
    expect(twice.wallMs).toBeLessThan(390);
    expect(twice.peakInFlight).toBe(4);
  });

  it("gives the bound, speed-up and efficiency of a numeric concurrency from the exact schedule", async () => {
    // Delays 100, 100, 100, 100, 200, 200 with 2 slots: pairs end at 100, 200 and 400 ms.
    // Sum 800; bound max(200, 800 / 2) = 400; the schedule meets it, so efficiency ≈ 1.
    const delays = [100, 100, 100, 100, 200, 200];
    const sequential = await runSequential(targetsOf(6), { request: fakeRequest(delays).request });
    const fake = fakeRequest(delays);
    const concurrent = await runConcurrent(targetsOf(6), { request: fake.request, concurrency: 2 });
    expect(fake.started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fake.maxActive).toBe(2);
    const at = (mode: "sequential" | "concurrent", outcome: typeof concurrent): RunResult => ({
      mode,
      iteration: 1,
      warmup: false,
      concurrency: mode === "concurrent" ? 2 : 1,
      connectionsOpened: null,
      eventLoop: null,
      ...outcome,
    });
    const summary = buildSummary([at("sequential", sequential), at("concurrent", concurrent)], {
      modes: ["sequential", "concurrent"],
      concurrency: 2,
    });
    const c = summary.comparison;
    expect(c?.boundMs).toBeGreaterThanOrEqual(400);
    expect(c?.boundMs).toBeLessThan(500);
    expect(concurrent.wallMs).toBeGreaterThanOrEqual(395);
    expect(c?.idealSpeedup).toBeGreaterThan(1.8);
    expect(c?.idealSpeedup).toBeLessThan(2.2);
    expect(c?.speedup).toBeGreaterThan(1.5);
    expect(c?.speedup).toBeLessThan(2.2);
    expect(c?.efficiency).toBeGreaterThan(0.75);
    expect(c?.efficiency).toBeLessThanOrEqual(1.05);
  });

  it("never has more requests in flight than the cap", async () => {
    const fake = fakeRequest(Array.from({ length: 12 }, (_, i) => 5 + (i % 4) * 5));
    const outcome = await runConcurrent(targetsOf(12), { request: fake.request, concurrency: 3 });
    expect(fake.maxActive).toBeLessThanOrEqual(3);
    expect(outcome.peakInFlight).toBe(3);
    expect(outcome.requests).toHaveLength(12);
  });

  it("counts the wait for a slot as queued time", async () => {
    const outcome = await runConcurrent(targetsOf(2), {
      request: fakeRequest([40, 40]).request,
      concurrency: 1,
    });
    expect(outcome.requests[0]?.queuedMs).toBeLessThan(10);
    expect(outcome.requests[1]?.queuedMs).toBeGreaterThanOrEqual(35);
  });

  it("does not reject the batch when a request fails", async () => {
    const outcome = await runConcurrent(targetsOf(4), {
      request: fakeRequest([5, 5, 5, 5], new Set([0, 2])).request,
      concurrency: "all",
    });
    expect(outcome.requests.map((r) => r.ok)).toEqual([false, true, false, true]);
  });

  it("rejects with a request function's own error once every other request has settled", async () => {
    // A request function resolves with failures as data; one that throws anyway is a bug that
    // must surface, after the requests already handed out (the waiting ones included) end.
    const fake = fakeRequest([5, 5, 5, 5, 5]);
    const broken = new Error("request function broke");
    const request: typeof fake.request = (target, clock, signal) =>
      target.index === 1 ? Promise.reject(broken) : fake.request(target, clock, signal);
    await expect(runConcurrent(targetsOf(5), { request, concurrency: 2 })).rejects.toBe(broken);
    expect(fake.finished.sort()).toEqual([0, 2, 3, 4]);
  });

  it("dispatches nothing more once aborted", async () => {
    const controller = new AbortController();
    const fake = fakeRequest([20, 20, 20, 20, 20, 20]);
    setTimeout(() => controller.abort(), 30);
    const outcome = await runConcurrent(targetsOf(6), {
      request: fake.request,
      concurrency: 1,
      signal: controller.signal,
    });
    expect(fake.started.length).toBeLessThan(6);
    expect(outcome.requests).toHaveLength(fake.started.length);
  });
});

describe("peakOverlap", () => {
  const span = (startMs: number, endMs: number) =>
    ({ startMs, endMs }) as RunResult["requests"][number];

  it("counts the requests whose spans overlap at the busiest moment", () => {
    expect(peakOverlap([span(0, 10), span(1, 5), span(2, 3), span(6, 9)])).toBe(3);
    expect(peakOverlap([span(0, 10), span(10.5, 20), span(21, 30)])).toBe(1);
    expect(peakOverlap([])).toBe(0);
  });
});
