import { performance } from "node:perf_hooks";
import type { RequestResult, Target } from "../report/model.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/**
 * One request at a time with `await`: the event loop stays free between and during requests,
 * but the wall time is the sum of the latencies.
 */
export async function runSequential(
  targets: readonly Target[],
  { request, signal, onRunStart, onRunEnd }: RunnerOptions,
): Promise<RunOutcome> {
  const requests: RequestResult[] = [];
  onRunStart?.();
  const runStart = performance.now();
  for (const target of targets) {
    if (signal?.aborted) break;
    requests.push(await request(target, { runStart, enqueuedAt: performance.now() }, signal));
  }
  const wallMs = performance.now() - runStart;
  onRunEnd?.();
  return {
    wallMs,
    peakInFlight: requests.length > 0 ? 1 : 0,
    requests,
  };
}
