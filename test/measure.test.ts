import { describe, expect, it } from "vitest";
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
    expect(stats.heartbeat.fired).toBeGreaterThanOrEqual(stats.heartbeat.expected / 2);
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

  it("leaves nothing running after stop", async () => {
    const monitor = await startEventLoopMonitor();
    await monitor.stop();
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const after = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(after).toBeLessThanOrEqual(before);
  });
});
