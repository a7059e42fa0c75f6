import { performance } from "node:perf_hooks";
import pLimit from "p-limit";
import type { Concurrency, RequestResult, Target } from "../report/model.js";
import { RequestLog } from "./request-log.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/**
 * Every request started together and collected with `Promise.all`, at most `concurrency` in
 * flight (through p-limit). The request function never rejects, so one failure cannot sink
 * the batch; the wall time approaches the slowest request.
 *
 * The first `concurrency` URLs go to p-limit at once; every other URL waits as one pending
 * promise in the `Promise.all` and is handed to p-limit as a request settles, just before its
 * slot opens. p-limit still holds every URL to the cap, but its queue stays short: an entry
 * there costs about 0.8 KB, a pending promise about 0.3 KB, and with 100,000 URLs at 256 the
 * difference was most of the run's memory. A waiting URL's promise is settled by its own
 * request's end, with no value: adopting p-limit's promise instead cost about 1 KB of
 * short-lived objects per request. Results go to a {@link RequestLog} as they settle.
 */
export async function runConcurrent(
  targets: readonly Target[],
  {
    request,
    signal,
    concurrency,
    onRunStart,
    onRunEnd,
  }: RunnerOptions & { concurrency: Concurrency },
): Promise<RunOutcome> {
  const limit = pLimit(concurrency === "all" ? Number.POSITIVE_INFINITY : concurrency);
  const window = concurrency === "all" ? targets.length : Math.min(concurrency, targets.length);
  const log = new RequestLog(targets);
  // Resolvers of the URLs not yet handed to p-limit, by position minus `window`.
  const waiting: ((() => void) | undefined)[] = [];
  let nextWaiting = window;
  let runStart = 0;
  // A request function never rejects; anything else that throws is kept for after the run.
  let failure: { error: unknown } | null = null;

  const handOverNext = (): void => {
    if (nextWaiting >= targets.length) return;
    const index = nextWaiting++;
    const settle = waiting[index - window];
    waiting[index - window] = undefined;
    void limit(perform, index, settle);
  };

  async function perform(index: number, settle?: () => void): Promise<void> {
    try {
      // A slot that opens after Ctrl-C dispatches nothing.
      if (signal?.aborted) return;
      const target = targets[index] as Target;
      log.record(index, await request(target, { runStart, enqueuedAt: runStart }, signal));
    } catch (error) {
      failure ??= { error };
    } finally {
      settle?.();
      handOverNext();
    }
  }

  onRunStart?.();
  runStart = performance.now();
  await Promise.all(
    targets.map((_target, index) =>
      index < window
        ? limit(perform, index)
        : new Promise<void>((resolve) => {
            waiting[index - window] = resolve;
          }),
    ),
  );
  const wallMs = performance.now() - runStart;
  onRunEnd?.();
  if (failure !== null) throw (failure as { error: unknown }).error;
  const requests = log.results();
  return { wallMs, peakInFlight: peakOverlap(requests), requests };
}

/**
 * The most requests in flight at once, from their spans (`startMs` to `endMs`): a request
 * still waiting for a slot or a free connection (`--per-host`) is queued, not in flight.
 */
export function peakOverlap(requests: readonly RequestResult[]): number {
  const starts = Float64Array.from(requests, (r) => r.startMs).sort();
  const ends = Float64Array.from(requests, (r) => r.endMs).sort();
  let inFlight = 0;
  let peak = 0;
  let e = 0;
  for (const start of starts) {
    while (e < ends.length && (ends[e] ?? 0) < start) {
      e += 1;
      inFlight -= 1;
    }
    inFlight += 1;
    peak = Math.max(peak, inFlight);
  }
  return peak;
}
