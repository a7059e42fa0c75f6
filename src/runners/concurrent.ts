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
  let inFlight = 0;
  let peakInFlight = 0;
  onRunStart?.();
  const runStart = performance.now();
  const settled = await Promise.all(
    targets.map((target) =>
      limit(async (): Promise<RequestResult | null> => {
        // A slot that opens after Ctrl-C dispatches nothing.
        if (signal?.aborted) return null;
        inFlight += 1;
        peakInFlight = Math.max(peakInFlight, inFlight);
        try {
          return await request(target, { runStart, enqueuedAt: runStart }, signal);
        } finally {
          inFlight -= 1;
        }
      }),
    ),
  );
  const wallMs = performance.now() - runStart;
  onRunEnd?.();
  return {
    wallMs,
    peakInFlight,
    requests: settled.filter((result): result is RequestResult => result !== null),
  };
}
