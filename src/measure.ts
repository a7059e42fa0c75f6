import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { EventLoopStats } from "./report/model.js";

/** The heartbeat's period: a timer meant to fire this often while a run goes on. */
export const HEARTBEAT_MS = 10;

/**
 * How long `stop()` waits at most for the histogram's next sample. It samples every
 * HEARTBEAT_MS on a free loop, so this is only reached when the loop stays busy after the window.
 */
const SETTLE_MS = 5 * HEARTBEAT_MS;

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
  let countAtStart = 0;
  let heartbeat: NodeJS.Timeout | undefined;

  return {
    ready,
    start() {
      // No reset(): it would drop the baseline again. At most one idle sample precedes the window.
      utilizationAtStart = performance.eventLoopUtilization();
      startedAt = performance.now();
      fired = 0;
      countAtStart = histogram.count;
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
      // A freeze is recorded only by the histogram's first sample after it, taken by a libuv
      // timer of its own. That timer is overdue now, but one turn of the loop is not enough:
      // JS timers share another libuv timer, which a cleared interval may have left due
      // earlier, and a short timeout of ours can then run (and disable the histogram) before
      // the histogram's timer does. So wait until a sample has landed: at least two turns
      // (the overdue timer runs in the first at the latest), at most SETTLE_MS after that.
      const countAtStop = histogram.count;
      const settleBy = performance.now() + SETTLE_MS;
      for (let turn = 0; histogram.count === countAtStop; turn += 1) {
        if (turn >= 2 && performance.now() >= settleBy) break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      histogram.disable();
      // A sample spans from the tick before it, so it may reach back before the window or past
      // its end; no delay inside the window can be longer than the window.
      const sampled = histogram.count > countAtStart;
      return {
        maxDelayMs: sampled ? Math.min(histogram.max / 1e6, elapsedMs) : null,
        p99DelayMs: sampled ? Math.min(histogram.percentile(99) / 1e6, elapsedMs) : null,
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
