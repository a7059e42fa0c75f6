import { performance } from "node:perf_hooks";
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { RequestOptions } from "../client.js";
import type { RequestResult, Target } from "../report/model.js";
import { FLAG, type ToMain, type ToWorker, type WorkerInput } from "./blocking-protocol.js";
import type { RunnerOptions, RunOutcome } from "./types.js";

/** How long past the request deadline the main thread waits before it gives a worker up. */
const GRACE_MS = 2000;
/** How long a new worker may take to start. */
const START_MS = 10_000;

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

export interface BlockingOptions extends Omit<RunnerOptions, "request"> {
  requestOptions: RequestOptions;
  /** The worker script; tests pass one that misbehaves. */
  workerUrl?: URL;
}

/**
 * Each request done synchronously: the main thread posts it to a worker thread and waits on
 * `Atomics.wait` until the answer is there, so nothing else on the main thread runs meanwhile
 * (timers starve, the event loop is frozen). Wall time is the sum of latencies, as sequential.
 * `signal` is only checked between requests: a Ctrl-C cannot land while the thread is blocked,
 * so it takes effect once the run ends.
 */
export async function runBlocking(
  targets: readonly Target[],
  options: BlockingOptions,
): Promise<RunOutcome & { connectionsOpened: number | null }> {
  let thread = await startWorker(options);
  let replaced = false;
  const requests: RequestResult[] = [];
  options.onRunStart?.();
  const runStart = performance.now();
  for (const target of targets) {
    if (options.signal?.aborted) break;
    const dispatchedAt = performance.now();
    const answer = thread.exchange(
      { type: "request", target, runStart, enqueuedAt: dispatchedAt },
      options.requestOptions.timeoutMs + GRACE_MS,
    );
    if (answer?.type === "result") {
      requests.push(answer.result);
      continue;
    }
    requests.push(lostRequest(target, runStart, dispatchedAt, thread.describeLoss()));
    // A worker that died or hung cannot take the next request: start another, still blocking.
    thread.terminate();
    replaced = true;
    try {
      thread = startWorkerSync(options);
    } catch (error) {
      const message = `the blocking worker could not be restarted: ${(error as Error).message}`;
      for (const rest of targets.slice(requests.length)) {
        requests.push(lostRequest(rest, runStart, performance.now(), message));
      }
      break;
    }
  }
  const wallMs = performance.now() - runStart;
  options.onRunEnd?.();
  const closed = await thread.close();
  return {
    wallMs,
    peakInFlight: requests.length > 0 ? 1 : 0,
    requests,
    // Connections opened by a worker that was replaced are gone with it: unknown, not zero.
    connectionsOpened: replaced || closed === null ? null : closed,
  };
}

interface WorkerThread {
  /** Posts a message and blocks until the answer; null when none came in time. */
  exchange(message: ToWorker, waitMs: number): ToMain | null;
  describeLoss(): string;
  /** Asks the worker to close its Agent; resolves with the connections it opened. */
  close(): Promise<number | null>;
  terminate(): void;
}

function spawn(options: BlockingOptions) {
  const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const input: WorkerInput & { port: MessagePort } = {
    shared,
    options: options.requestOptions,
    mainTimeOrigin: performance.timeOrigin,
    port: port2,
  };
  const worker = new Worker(options.workerUrl ?? DEFAULT_WORKER_URL, {
    workerData: input,
    transferList: [port2],
    stdout: false,
    stderr: false,
  });
  let failure: Error | null = null;
  // An unhandled 'error' event would crash the whole program; a dead worker is data instead.
  worker.on("error", (error) => {
    failure = error;
  });
  return { worker, flags, port: port1, failure: () => failure };
}

async function startWorker(options: BlockingOptions): Promise<WorkerThread> {
  const spawned = spawn(options);
  const ready = Atomics.waitAsync(spawned.flags, FLAG.ready, 0, START_MS);
  const exited = new Promise<"exited">((resolve) =>
    spawned.worker.once("exit", () => resolve("exited")),
  );
  const outcome = await Promise.race([ready.value, exited]);
  if (outcome !== "ok" && Atomics.load(spawned.flags, FLAG.ready) !== 1) {
    await spawned.worker.terminate();
    throw new Error(
      `the blocking worker did not start${spawned.failure() ? `: ${spawned.failure()?.message}` : ""}`,
    );
  }
  return wrap(spawned);
}

function startWorkerSync(options: BlockingOptions): WorkerThread {
  const spawned = spawn(options);
  // The worker starts on its own thread, so waiting here does not stop it from getting ready.
  if (Atomics.wait(spawned.flags, FLAG.ready, 0, START_MS) === "timed-out") {
    void spawned.worker.terminate();
    throw new Error(`no answer within ${START_MS / 1000} s`);
  }
  return wrap(spawned);
}

function wrap({ worker, flags, port, failure }: ReturnType<typeof spawn>): WorkerThread {
  let died = false;
  return {
    exchange(message, waitMs) {
      Atomics.store(flags, FLAG.state, FLAG.waiting);
      port.postMessage(message);
      const status = Atomics.wait(flags, FLAG.state, FLAG.waiting, waitMs);
      if (status === "timed-out") return null;
      const state = Atomics.load(flags, FLAG.state);
      // The answer is posted before the flag is set, so it is there to take synchronously.
      const received = receiveMessageOnPort(port)?.message as ToMain | undefined;
      if (state === FLAG.died || received === undefined) {
        died = true;
        return null;
      }
      return received;
    },
    describeLoss() {
      const cause = failure();
      if (died || cause) {
        return `the blocking worker died${cause ? `: ${cause.message.split("\n")[0]}` : ""}`;
      }
      return "the blocking worker did not answer in time";
    },
    async close() {
      if (died) {
        await worker.terminate();
        return null;
      }
      Atomics.store(flags, FLAG.state, FLAG.waiting);
      port.postMessage({ type: "close" } satisfies ToWorker);
      const waited = Atomics.waitAsync(flags, FLAG.state, FLAG.waiting, START_MS);
      await waited.value;
      const received = receiveMessageOnPort(port)?.message as ToMain | undefined;
      port.close();
      await worker.terminate();
      return received?.type === "closed" ? received.connectionsOpened : null;
    },
    terminate() {
      port.close();
      void worker.terminate();
    },
  };
}

function lostRequest(
  target: Target,
  runStart: number,
  dispatchedAt: number,
  message: string,
): RequestResult {
  const now = performance.now();
  return {
    index: target.index,
    line: target.line,
    url: target.url,
    finalUrl: target.url,
    ok: false,
    status: null,
    bytes: 0,
    redirects: 0,
    reusedConnection: null,
    startMs: dispatchedAt - runStart,
    queuedMs: 0,
    connectMs: null,
    ttfbMs: null,
    downloadMs: null,
    latencyMs: now - dispatchedAt,
    endMs: now - runStart,
    error: { kind: "other", code: null, message },
  };
}
