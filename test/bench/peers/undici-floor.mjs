// The floor for any Node client: undici's dispatch() with a plain handler that counts body
// bytes, capped by a counter, no streams, no promises per request. Its pool opens at most the
// cap's number of connections, as fetchbench's does: without that limit undici opens a new
// connection for a request dispatched before a finished one is handed back (512 for a cap of
// 256), which made this loop ~25% slower at 100,000 requests and the comparison unlike.
// Usage: node undici-floor.mjs <url-file> <cap|all>; prints {"wallMs","ok","failed"} as JSON.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Agent } from "undici";

const [file, capText] = process.argv.slice(2);
const urls = readFileSync(file, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => new URL(line.trim()));
const cap = capText === "all" ? urls.length : Number(capText);
const agent = new Agent({
  keepAliveTimeout: 30_000,
  ...(capText === "all" ? {} : { connections: cap }),
});

let next = 0;
let done = 0;
let ok = 0;
let failed = 0;
const start = performance.now();

function settle(good) {
  if (good) ok += 1;
  else failed += 1;
  done += 1;
  if (done === urls.length) finish();
  else if (next < urls.length) send(urls[next++]);
}

function send(url) {
  let status = 0;
  agent.dispatch(
    { origin: url.origin, path: url.pathname + url.search, method: "GET" },
    {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        settle(status >= 200 && status < 400);
      },
      onResponseError() {
        settle(false);
      },
    },
  );
}

function finish() {
  const wallMs = performance.now() - start;
  process.stdout.write(`${JSON.stringify({ wallMs, ok, failed })}\n`);
  agent.destroy().catch(() => {});
}

while (next < Math.min(cap, urls.length)) send(urls[next++]);
