import { performance } from "node:perf_hooks";
import pLimit from "p-limit";
import type { Concurrency, RequestResult, Target } from "../report/model.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/**
 * Every request started together and collected with `Promise.all`, at most `concurrency` in
 * flight (through p-limit). The request function never rejects, so one failure cannot sink
 * the batch; the wall time approaches the slowest request.
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
  onRunStart?.();
  const runStart = performance.now();
  const settled = await Promise.all(
    targets.map((target) =>
      limit(async (): Promise<RequestResult | null> => {
        // A slot that opens after Ctrl-C dispatches nothing.
        if (signal?.aborted) return null;
        return request(target, { runStart, enqueuedAt: runStart }, signal);
      }),
    ),
  );
  const wallMs = performance.now() - runStart;
  onRunEnd?.();
  const requests = settled.filter((result): result is RequestResult => result !== null);
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
