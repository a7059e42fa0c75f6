import { describe, expect, it, vi } from "vitest";
import { HEARTBEAT_MS, startEventLoopMonitor } from "../src/measure.js";

function freeze(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Spinning on purpose: nothing else may run.
  }
}

describe("event-loop monitor", () => {
  it("sees a free loop: the heartbeat fires about as often as it should", async () => {
    const monitor = await startEventLoopMonitor();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stats = await monitor.stop();
    expect(stats.heartbeat.expected).toBeGreaterThanOrEqual(Math.floor(200 / HEARTBEAT_MS) - 1);
    expect(stats.heartbeat.expected).toBeLessThanOrEqual(Math.floor(400 / HEARTBEAT_MS));
    // A frozen loop fires none; a busy machine may steal many ticks from a free one.
    expect(stats.heartbeat.fired).toBeGreaterThanOrEqual(stats.heartbeat.expected / 4);
    expect(stats.maxDelayMs).toBeLessThan(150);
    expect(stats.utilization).toBeLessThan(0.5);
  });

  it("sees a frozen loop to the very end: the whole freeze as delay, no heartbeat, fully busy", async () => {
    const monitor = await startEventLoopMonitor();
    freeze(300);
    const stats = await monitor.stop();
    expect(stats.heartbeat.expected).toBeGreaterThanOrEqual(29);
    expect(stats.heartbeat.fired).toBe(0);
    expect(stats.maxDelayMs).toBeGreaterThanOrEqual(290);
    expect(stats.p99DelayMs).toBeGreaterThanOrEqual(290);
    expect(stats.utilization).toBeGreaterThan(0.9);
  });

  it("records a freeze even when the loop is busy right after stop and a JS timer is due first", async () => {
    // The race this guards: JS timers share one libuv timer, which a cleared short interval
    // leaves due before the histogram's own; work right after stop() lets a 1 ms timeout of
    // stop() come due too, and it used to disable the histogram before the freeze was sampled.
    for (let round = 0; round < 3; round += 1) {
      const monitor = await startEventLoopMonitor();
      clearInterval(setInterval(() => {}, 1));
      freeze(100);
      const stopped = monitor.stop();
      freeze(3);
      const stats = await stopped;
      expect(stats.maxDelayMs).toBeGreaterThanOrEqual(95);
      expect(stats.maxDelayMs).toBeLessThanOrEqual(
        stats.heartbeat.expected * HEARTBEAT_MS + HEARTBEAT_MS,
      );
    }
  });

  it("leaves nothing running after stop: every interval it started is cleared", async () => {
    // Its heartbeat is unref'd, so process.getActiveResourcesInfo() cannot see it: watch the
    // intervals it starts and clears instead.
    const started = vi.spyOn(globalThis, "setInterval");
    const cleared = vi.spyOn(globalThis, "clearInterval");
    try {
      const monitor = await startEventLoopMonitor();
      await new Promise((resolve) => setTimeout(resolve, 3 * HEARTBEAT_MS));
      await monitor.stop();
      const intervals = started.mock.results.map((result) => result.value);
      expect(intervals.length).toBeGreaterThan(0);
      const clearedOnes = new Set(cleared.mock.calls.map(([timer]) => timer));
      for (const interval of intervals) expect(clearedOnes.has(interval)).toBe(true);
    } finally {
      started.mockRestore();
      cleared.mockRestore();
    }
  });
});
