import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { requestResult } from "../client.js";
import type { EventLoopStats, RequestResult, Target } from "../report/model.js";
import { FLAG, type ToMain, type WorkerInput } from "./blocking-protocol.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/**
 * The worker's script. Under the test runner this module is TypeScript in src/, which a worker
 * thread cannot load, so it falls back on the built copy in dist/ (`npm test` builds first).
 */
const DEFAULT_WORKER_URL = new URL(
  import.meta.url.endsWith(".ts")
    ? "../../dist/runners/blocking-worker.js"
    : "./blocking-worker.js",
  import.meta.url,
);

export interface BlockingOptions extends Omit<RunnerOptions, "onRunStart" | "onRunEnd"> {
  /** The worker script; tests pass one that misbehaves. */
  workerUrl?: URL;
}

/** The run's figures, with the event loop measured on the thread that blocked. */
export interface BlockingOutcome extends RunOutcome {
  /** Null when the blocking thread died during the run, so its figures are incomplete. */
  eventLoop: EventLoopStats | null;
}

/**
 * Each request done synchronously: a worker thread asks for each request in turn and waits on
 * `Atomics.wait` until it has settled, so nothing else on that thread runs meanwhile (its
 * timers starve, its event loop is frozen) and the wall time is the sum of latencies, as
 * sequential. The request itself runs here, on the main thread, through the same request
 * function as every mode, so the main thread keeps answering Ctrl-C and drawing progress:
 * aborting `signal` cuts the request in flight and the worker asks for no more.
 */
export async function runBlocking(
  targets: readonly Target[],
  options: BlockingOptions,
): Promise<BlockingOutcome> {
  const requests: RequestResult[] = [];
  let next = 0;
  let runStart: number | null = null;
  let wallMs: number | null = null;
  let eventLoop: EventLoopStats | null = null;
  let replaced = false;
  while (next < targets.length && !options.signal?.aborted) {
    const segment = await runWorker(targets, next, runStart, requests, options);
    runStart ??= segment.runStart;
    if (segment.done) {
      wallMs = segment.done.wallMs;
      eventLoop = replaced ? null : segment.done.eventLoop;
      break;
    }
    replaced = true;
    // A worker that died after asking for some requests is replaced, still blocking; one that
    // asked for none would die again, so the rest of the list is recorded as lost.
    if (requests.length === next) {
      const message = `the blocking worker died${segment.failure ? `: ${segment.failure}` : ""}`;
      for (const rest of targets.slice(next)) requests.push(lost(rest, runStart, message));
      break;
    }
    next = requests.length;
  }
  const start = runStart ?? performance.now();
  return {
    wallMs: wallMs ?? Math.max(0, performance.now() - start),
    peakInFlight: requests.length > 0 ? 1 : 0,
    requests,
    eventLoop,
  };
}

interface Segment {
  /** The run's start as the worker reported it; null when it asked for nothing. */
  runStart: number | null;
  /** The worker's last word; null when it died first. */
  done: Extract<ToMain, { type: "done" }> | null;
  failure: string | null;
}

/** One worker over the targets from `from` on; resolves once it is done or dead. */
function runWorker(
  targets: readonly Target[],
  from: number,
  runStart: number | null,
  requests: RequestResult[],
  options: BlockingOptions,
): Promise<Segment> {
  const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const input: WorkerInput = {
    shared,
    from,
    count: targets.length,
    runStart,
    mainTimeOrigin: performance.timeOrigin,
  };
  const worker = new Worker(options.workerUrl ?? DEFAULT_WORKER_URL, {
    workerData: input,
    stdout: false,
    stderr: false,
  });
  const segment: Segment = { runStart, done: null, failure: null };
  let inFlight: Promise<void> | null = null;
  const answer = () => {
    inFlight = null;
    Atomics.store(flags, FLAG.state, FLAG.done);
    Atomics.notify(flags, FLAG.state);
  };
  const stop = () => {
    Atomics.store(flags, FLAG.stop, 1);
  };
  options.signal?.addEventListener("abort", stop, { once: true });

  worker.on("message", (message: ToMain) => {
    if (message.type === "done") {
      segment.done = message;
      return;
    }
    segment.runStart ??= message.runStart;
    const target = targets[message.index] as Target;
    const clock = { runStart: message.runStart, enqueuedAt: message.enqueuedAt };
    inFlight = options.request(target, clock, options.signal).then(
      (result) => {
        requests.push(result);
        answer();
      },
      (error: unknown) => {
        // The request function never rejects; should one, the run still goes on.
        requests.push(lost(target, message.runStart, String(error)));
        answer();
      },
    );
  });
  // An unhandled 'error' event would crash the whole program; a dead worker is data instead.
  worker.on("error", (error) => {
    segment.failure = error.message.split("\n")[0] ?? null;
  });
  return new Promise((resolve) => {
    worker.once("exit", async () => {
      options.signal?.removeEventListener("abort", stop);
      // A request the worker asked for still settles and is kept, even if the worker is gone.
      await inFlight;
      resolve(segment);
    });
  });
}

/** A target the blocking thread could not ask for. */
function lost(target: Target, runStart: number | null, message: string): RequestResult {
  const now = performance.now();
  return requestResult(
    target,
    { runStart: runStart ?? now, enqueuedAt: now },
    {
      finalUrl: target.url,
      status: null,
      bytes: 0,
      redirects: 0,
      start: now,
      headersAt: null,
      end: now,
      error: { kind: "other", code: null, message },
    },
  );
}
