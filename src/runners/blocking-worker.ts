/**
 * The worker thread behind the blocking mode: it performs each request with the same request
 * function, options and Agent settings as the other modes, while the main thread waits on
 * `Atomics.wait`. Protocol (shared with blocking.ts): the main thread posts a message on the
 * port, this worker posts the answer back, then sets slot 0 of the shared flags to DONE and
 * notifies; it sets slot 1 to READY once it can take requests, and slot 0 to DIED if it is
 * about to die.
 */
import { performance } from "node:perf_hooks";
import { type MessagePort, workerData } from "node:worker_threads";
import { createAgent, createRequester, type RequestOptions } from "../client.js";
import type { Target } from "../report/model.js";
import { FLAG, type ToMain, type ToWorker, type WorkerInput } from "./blocking-protocol.js";

const { port, shared, options, mainTimeOrigin } = workerData as WorkerInput & {
  port: MessagePort;
  options: RequestOptions;
};
const flags = new Int32Array(shared);
// Clock readings arrive in the main thread's timeline; this thread's starts elsewhere.
const toLocal = mainTimeOrigin - performance.timeOrigin;

const agent = createAgent(options);
let connectionsOpened = 0;
agent.on("connect", () => {
  connectionsOpened += 1;
});
const request = createRequester(agent, options);

function answer(message: ToMain): void {
  port.postMessage(message);
  Atomics.store(flags, FLAG.state, FLAG.done);
  Atomics.notify(flags, FLAG.state);
}

// Whatever kills this thread must also wake the main thread, or it would wait to its deadline.
process.on("uncaughtExceptionMonitor", () => {
  Atomics.store(flags, FLAG.state, FLAG.died);
  Atomics.notify(flags, FLAG.state);
});

port.on("message", async (message: ToWorker) => {
  if (message.type === "request") {
    const target: Target = message.target;
    const result = await request(target, {
      runStart: message.runStart + toLocal,
      enqueuedAt: message.enqueuedAt + toLocal,
    });
    answer({ type: "result", result });
  } else {
    await agent.destroy();
    answer({ type: "closed", connectionsOpened });
    port.close();
  }
});

Atomics.store(flags, FLAG.ready, 1);
Atomics.notify(flags, FLAG.ready);
