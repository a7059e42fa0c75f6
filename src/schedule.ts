import { performance } from "node:perf_hooks";

/**
 * `--rate`: the planned start of each request of one run, on a fixed schedule. The n-th request
 * asked for (from 0) is planned at the run's start + n / rate, whatever the mode: a sequential
 * run starts it at that time or when the previous one ends, whichever is later; a concurrent
 * run at that time, or once a concurrency slot frees. How late each one went out against its
 * plan is its `scheduleLagMs`: a slow server delays the requests behind it, and the lag shows
 * it where the latency alone would not (coordinated omission).
 */
export interface Schedule {
  /**
   * Takes the next planned start and waits for it (not at all when it is already past).
   * Resolves with the planned time, `performance.now()` based; at once when `signal` aborts.
   */
  next(runStart: number, signal?: AbortSignal): Promise<number>;
}

export function createSchedule(ratePerSecond: number): Schedule {
  const intervalMs = 1000 / ratePerSecond;
  let planned = 0;
  return {
    async next(runStart, signal) {
      const plannedAt = runStart + planned * intervalMs;
      planned += 1;
      // Timers may fire a fraction of a millisecond early: a request never goes out before its time.
      for (let now = performance.now(); now < plannedAt && !signal?.aborted; ) {
        await sleep(plannedAt - now, signal);
        now = performance.now();
      }
      return plannedAt;
    },
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(1, Math.ceil(ms)));
    signal?.addEventListener("abort", done, { once: true });
  });
}
