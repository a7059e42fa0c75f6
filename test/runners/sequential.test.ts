import { describe, expect, it } from "vitest";
import { runSequential } from "../../src/runners/sequential.js";
import { fakeRequest, targetsOf } from "./fake-request.js";

describe("runSequential", () => {
  it("dispatches each request only after the previous one settled, in list order", async () => {
    const fake = fakeRequest([30, 10, 20]);
    const outcome = await runSequential(targetsOf(3), { request: fake.request });
    expect(fake.started).toEqual([0, 1, 2]);
    expect(fake.finished).toEqual([0, 1, 2]);
    expect(fake.maxActive).toBe(1);
    expect(outcome.peakInFlight).toBe(1);
    expect(outcome.requests.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it("takes about the sum of the latencies", async () => {
    const outcome = await runSequential(targetsOf(4), {
      request: fakeRequest([50, 50, 50, 50]).request,
    });
    expect(outcome.wallMs).toBeGreaterThanOrEqual(190);
    expect(outcome.wallMs).toBeLessThan(2000);
  });

  it("goes on after a failed request", async () => {
    const fake = fakeRequest([5, 5, 5], new Set([1]));
    const outcome = await runSequential(targetsOf(3), { request: fake.request });
    expect(outcome.requests.map((r) => r.ok)).toEqual([true, false, true]);
  });

  it("reports offsets from the start of the run and no queueing", async () => {
    const outcome = await runSequential(targetsOf(2), { request: fakeRequest([20, 20]).request });
    const [first, second] = outcome.requests;
    expect(first?.startMs).toBeGreaterThanOrEqual(0);
    expect(first?.startMs).toBeLessThan(20);
    expect(second?.startMs).toBeGreaterThanOrEqual(first?.endMs ?? Number.NaN);
    expect(outcome.requests.every((r) => r.queuedMs < 5)).toBe(true);
  });

  it("stops dispatching once aborted and keeps what finished", async () => {
    const controller = new AbortController();
    const fake = fakeRequest([20, 20, 20, 20]);
    setTimeout(() => controller.abort(), 30);
    const outcome = await runSequential(targetsOf(4), {
      request: fake.request,
      signal: controller.signal,
    });
    expect(outcome.requests.length).toBeGreaterThanOrEqual(1);
    expect(outcome.requests.length).toBeLessThan(4);
    expect(fake.started.length).toBe(outcome.requests.length);
  });
});
