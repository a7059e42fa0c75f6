import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { EventLoopStats } from "./report/model.js";

/** The heartbeat's period: a timer meant to fire this often while a run goes on. */
export const HEARTBEAT_MS = 10;

/** Watches the event loop over one window: from `start()` to `stop()`. */
export interface EventLoopMonitor {
  /**
   * Resolves once the delay histogram has ticked: its first tick only sets a baseline, so a
   * loop frozen from the very start of the window would otherwise go unrecorded.
   */
  ready: Promise<void>;
  /** Opens the window: synchronous, so it can be called right before the first request. */
  start(): void;
  /**
   * Closes the window now; resolves once the histogram has caught up. A loop frozen to the
   * very end records its delay only at its next turn, which this waits for.
   */
  stop(): Promise<EventLoopStats>;
}

/**
 * Measures the event loop's health: delay (`monitorEventLoopDelay`), utilisation
 * (`performance.eventLoopUtilization`) and a heartbeat timer that can only fire when the
 * loop is free. A frozen loop shows as a large max delay and few heartbeats.
 */
export function createEventLoopMonitor(): EventLoopMonitor {
  const histogram = monitorEventLoopDelay({ resolution: HEARTBEAT_MS });
  histogram.enable();
  // Due just after the histogram's first tick, which libuv therefore runs first.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, HEARTBEAT_MS + 1));
  let utilizationAtStart = performance.eventLoopUtilization();
  let startedAt = performance.now();
  let fired = 0;
  let heartbeat: NodeJS.Timeout | undefined;

  return {
    ready,
    start() {
      // No reset(): it would drop the baseline again. At most one idle sample precedes the window.
      utilizationAtStart = performance.eventLoopUtilization();
      startedAt = performance.now();
      fired = 0;
      heartbeat = setInterval(() => {
        fired += 1;
      }, HEARTBEAT_MS);
      // The monitor must never be what keeps the process alive.
      heartbeat.unref();
    },
    async stop(): Promise<EventLoopStats> {
      const elapsedMs = performance.now() - startedAt;
      clearInterval(heartbeat);
      const utilization = performance.eventLoopUtilization(utilizationAtStart).utilization;
      // The histogram's own timer is overdue after a freeze, so it fires (and records the
      // freeze) in the timers phase before this one.
      await new Promise((resolve) => setTimeout(resolve, 0));
      histogram.disable();
      return {
        maxDelayMs: histogram.count > 0 ? histogram.max / 1e6 : 0,
        p99DelayMs: histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0,
        utilization: Number.isFinite(utilization) ? utilization : 0,
        heartbeat: { expected: Math.floor(elapsedMs / HEARTBEAT_MS), fired },
      };
    },
  };
}

/** A monitor already watching: for callers that have nothing to set up first. */
export async function startEventLoopMonitor(): Promise<EventLoopMonitor> {
  const monitor = createEventLoopMonitor();
  await monitor.ready;
  monitor.start();
  return monitor;
}
