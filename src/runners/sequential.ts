import { performance } from "node:perf_hooks";
import type { Target } from "../report/model.js";
import { RequestLog } from "./request-log.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/**
 * One request at a time with `await`: the event loop stays free between and during requests,
 * but the wall time is the sum of the latencies.
 */
export async function runSequential(
  targets: readonly Target[],
  { request, signal, onRunStart, onRunEnd }: RunnerOptions,
): Promise<RunOutcome> {
  const log = new RequestLog(targets);
  onRunStart?.();
  const runStart = performance.now();
  for (const [index, target] of targets.entries()) {
    if (signal?.aborted) break;
    log.record(index, await request(target, { runStart, enqueuedAt: performance.now() }, signal));
  }
  const wallMs = performance.now() - runStart;
  onRunEnd?.();
  return {
    wallMs,
    peakInFlight: log.size > 0 ? 1 : 0,
    requests: log.results(),
  };
}
