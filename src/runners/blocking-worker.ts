/**
 * The thread that blocks, behind the blocking mode. For each target it asks the main thread
 * to perform the request, then waits on `Atomics.wait` until the answer is there: nothing else
 * on this thread runs meanwhile (its timers starve, its event loop is frozen), and its event
 * loop is the one measured. Protocol (shared with blocking.ts): this worker posts
 * `{ type: "request" }` and sets slot 0 of the shared flags to WAITING; the main thread sets it
 * to DONE and notifies once the request has settled. Before each request it reads slot 1,
 * which the main thread sets on Ctrl-C. It ends with `{ type: "done" }`.
 */
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { createEventLoopMonitor } from "../measure.js";
import { FLAG, type ToMain, type WorkerInput } from "./blocking-protocol.js";

const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error("blocking-worker runs only as a worker thread");
const flags = new Int32Array(input.shared);
// Clock readings go out in the main thread's timeline; this thread's starts elsewhere.
const toMain = performance.timeOrigin - input.mainTimeOrigin;

const monitor = createEventLoopMonitor();
await monitor.ready;
monitor.start();
const runStart = input.runStart ?? performance.now() + toMain;
let index = input.from;
for (; index < input.count; index++) {
  if (Atomics.load(flags, FLAG.stop) === 1) break;
  Atomics.store(flags, FLAG.state, FLAG.waiting);
  const ask: ToMain = {
    type: "request",
    index,
    runStart,
    enqueuedAt: performance.now() + toMain,
  };
  port.postMessage(ask);
  Atomics.wait(flags, FLAG.state, FLAG.waiting);
}
const wallMs = performance.now() + toMain - runStart;
const eventLoop = await monitor.stop();
const done: ToMain = { type: "done", next: index, wallMs, eventLoop };
port.postMessage(done);
