import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare, type ProgressEvent } from "../src/index.js";
import type { Target } from "../src/report/model.js";
import type { ServerHandle } from "../src/server.js";
import { spawnServer } from "../src/server-process.js";

// The blocking mode freezes this thread, so the server lives in its own process.
let server: ServerHandle;
beforeAll(async () => {
  server = await spawnServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

const base = {
  method: "GET",
  headers: {},
  timeoutMs: 5000,
  maxRedirects: 10,
  concurrency: "all" as const,
  source: "test",
};

function targets(paths: string[]): Target[] {
  return paths.map((path, index) => ({ index, line: index + 1, url: `${server.url}${path}` }));
}

describe("compare", () => {
  it("reports every mode's progress, blocking included, in run order", async () => {
    const events: ProgressEvent[] = [];
    const report = await compare(targets(["/bytes/3", "/status/500"]), {
      ...base,
      modes: ["blocking", "concurrent"],
      runs: 1,
      warmup: 0,
      onProgress: (event) => events.push(event),
    });
    expect(events.map((e) => `${e.type}:${e.mode}${"ok" in e ? `:${e.ok}` : ""}`)).toEqual([
      "run-start:blocking",
      "request:blocking:true",
      "request:blocking:false",
      "run-end:blocking",
      "run-start:concurrent",
      expect.stringMatching(/^request:concurrent:(true|false)$/),
      expect.stringMatching(/^request:concurrent:(true|false)$/),
      "run-end:concurrent",
    ]);
    expect(report.summary.comparison).toMatchObject({ baseline: "blocking", mode: "concurrent" });
  });

  it("gives every run a fresh Agent, so no mode profits from another's connections", async () => {
    const report = await compare(targets(["/bytes/1", "/bytes/1", "/bytes/1"]), {
      ...base,
      modes: ["sequential", "concurrent"],
      runs: 2,
      warmup: 0,
    });
    // An Agent shared across runs would open nothing in the later ones; one run, one keep-alive
    // connection for the sequential mode.
    const sequential = report.runs.filter((run) => run.mode === "sequential");
    expect(sequential.map((run) => run.connectionsOpened)).toEqual([1, 1]);
    // Concurrent requests cannot share a connection (no pipelining), so each opens its own.
    const concurrent = report.runs.filter((run) => run.mode === "concurrent");
    expect(concurrent.map((run) => run.connectionsOpened)).toEqual([3, 3]);
  });

  it("stops when aborted and keeps the runs that finished", async () => {
    const controller = new AbortController();
    const report = await compare(targets(["/delay/50", "/delay/50"]), {
      ...base,
      modes: ["sequential", "concurrent"],
      runs: 3,
      warmup: 0,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === "run-end" && event.mode === "concurrent") controller.abort();
      },
    });
    expect(report.runs.map((run) => run.mode)).toEqual(["sequential", "concurrent"]);
  });
});
