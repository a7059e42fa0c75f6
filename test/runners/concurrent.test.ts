import { describe, expect, it } from "vitest";
import { runConcurrent } from "../../src/runners/concurrent.js";
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
