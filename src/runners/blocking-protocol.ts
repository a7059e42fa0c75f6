import type { RequestOptions } from "../client.js";
import type { RequestResult, Target } from "../report/model.js";

/** Slots and values of the shared Int32Array the two threads synchronise on. */
export const FLAG = {
  /** Slot: the state of the current exchange. */
  state: 0,
  /** Slot: 1 once the worker takes requests. */
  ready: 1,
  /** Values of the state slot. */
  waiting: 0,
  done: 1,
  died: 2,
} as const;

/** What the worker receives as `workerData` (plus the port, transferred). */
export interface WorkerInput {
  shared: SharedArrayBuffer;
  options: RequestOptions;
  /** `performance.timeOrigin` of the main thread, to translate its clock readings. */
  mainTimeOrigin: number;
}

export type ToWorker =
  | { type: "request"; target: Target; runStart: number; enqueuedAt: number }
  | { type: "close" };

export type ToMain =
  | { type: "result"; result: RequestResult }
  | { type: "closed"; connectionsOpened: number };
