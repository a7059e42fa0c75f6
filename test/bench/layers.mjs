// Which layer of a concurrent run costs what, each in a cold process against the same server:
//   node test/bench/layers.mjs client <url-file> <cap>   fetchbench's request function in a counter loop
//   node test/bench/layers.mjs runner <url-file> <cap>   runConcurrent (Promise.all + p-limit) around it
// and test/bench/peers/undici-floor.mjs for the bare dispatch() loop. Needs `npm run build`.
// Prints {"layer","wallMs","ok"}; run it under /usr/bin/time -v for CPU and peak RSS.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { openClient } from "../../dist/client.js";
import { runConcurrent } from "../../dist/runners/concurrent.js";
import { parseTargets } from "../../dist/targets.js";

const [layer, file, capText] = process.argv.slice(2);
if (layer !== "client" && layer !== "runner") {
  process.stderr.write("usage: node test/bench/layers.mjs client|runner <url-file> <cap>\n");
  process.exit(2);
}
const targets = parseTargets(readFileSync(file, "utf8"), file);
const cap = Number(capText);
const client = openClient({
  method: "GET",
  headers: {},
  timeoutMs: 30_000,
  maxRedirects: 5,
  maxInFlight: cap,
  env: {},
});
let wallMs;
let ok = 0;
if (layer === "client") {
  let next = 0;
  let done = 0;
  const start = performance.now();
  const clock = { runStart: start, enqueuedAt: start };
  await new Promise((resolve) => {
    const send = (target) =>
      client.request(target, clock).then((result) => {
        if (result.ok) ok += 1;
        done += 1;
        if (done === targets.length) resolve();
        else if (next < targets.length) send(targets[next++]);
      });
    while (next < Math.min(cap, targets.length)) send(targets[next++]);
  });
  wallMs = performance.now() - start;
} else {
  const outcome = await runConcurrent(targets, { request: client.request, concurrency: cap });
  wallMs = outcome.wallMs;
  ok = outcome.requests.filter((result) => result.ok).length;
}
await client.close();
process.stdout.write(`${JSON.stringify({ layer, wallMs: Math.round(wallMs), ok })}\n`);
