import type { EventLoopStats } from "../report/model.js";

/** Slots and values of the shared Int32Array the two threads synchronise on. */
export const FLAG = {
  /** Slot: the state of the current request; the worker waits on it. */
  state: 0,
  /** Slot: 1 once the run must stop (Ctrl-C); the worker checks it before each request. */
  stop: 1,
  /** Values of the state slot. */
  waiting: 0,
  done: 1,
} as const;

/** What the worker receives as `workerData`. */
export interface WorkerInput {
  shared: SharedArrayBuffer;
  /** The first target to ask for, and how many targets the run has. */
  from: number;
  count: number;
  /** The run's start on the main thread's clock, when a replaced worker carries a run on. */
  runStart: number | null;
  /** `performance.timeOrigin` of the main thread, to give clock readings in its timeline. */
  mainTimeOrigin: number;
}

/** Clock readings are `performance.now()` values on the main thread's timeline. */
export type ToMain =
  | { type: "request"; index: number; runStart: number; enqueuedAt: number }
  | { type: "done"; next: number; wallMs: number; eventLoop: EventLoopStats };
