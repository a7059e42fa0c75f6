import type { RequestFn } from "../client.js";
import type { RequestResult } from "../report/model.js";

/** What a runner needs beyond the targets. */
export interface RunnerOptions {
  /** Performs one request; runners never talk to the network themselves. */
  request: RequestFn;
  /** Aborting stops new dispatches and cuts the requests in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** Called as the timed part starts and ends, so measurements around a run (the event loop) cover exactly its wall time and not the runner's set-up. */
  onRunStart?: () => void;
  onRunEnd?: () => void;
}

/** What a runner measured: the caller adds mode, iteration, Agent and event-loop figures. */
export interface RunOutcome {
  /** From the start of the run to the moment its last request settled. */
  wallMs: number;
  /** Most requests in flight at once. */
  peakInFlight: number;
  /** One per target that was dispatched, in list order; fewer than the targets only when aborted. */
  requests: RequestResult[];
}
