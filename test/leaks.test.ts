/**
 * A whole comparison must leave nothing behind: no timer, socket or worker of its own. Two
 * views, because unref'd handles (the event-loop monitor's heartbeat, for one) do not show
 * in process.getActiveResourcesInfo(): that list, and every async resource created during
 * the comparison that was never destroyed.
 */
import { createHook } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compare } from "../src/index.js";
import type { Mode } from "../src/report/model.js";
import type { ServerHandle } from "../src/server.js";
import { spawnServer } from "../src/server-process.js";

// The blocking mode freezes this thread, so the server lives in another process.
let server: ServerHandle;
beforeAll(async () => {
  server = await spawnServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

/**
 * Async resources that hold something open; promises and ticks come and go by the thousand,
 * and a disabled delay histogram holds nothing though it is destroyed only by the GC.
 */
const HOLDING = new Set(["Timeout", "Immediate", "TCPWRAP", "WORKER", "MESSAGEPORT"]);

function counts(types: readonly string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const type of types) result[type] = (result[type] ?? 0) + 1;
  return result;
}

/** Waits, bounded, for `done()` to hold: closing sockets and workers takes a few turns. */
async function settle(done: () => boolean, maxMs = 2000): Promise<void> {
  const until = performance.now() + maxMs;
  while (!done() && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function leftBehind(mode: Mode) {
  const live = new Map<number, string>();
  let comparing = true;
  const hook = createHook({
    init(asyncId, type) {
      // Only the comparison's own: not the timers this test waits with afterwards.
      if (comparing && HOLDING.has(type)) live.set(asyncId, type);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  const before = counts(process.getActiveResourcesInfo());
  hook.enable();
  try {
    const paths = ["/delay/20", "/bytes/1000", "/redirect/1", "/status/503", "/hang"];
    const report = await compare(
      paths.map((path, index) => ({ index, line: index + 1, url: `${server.url}${path}` })),
      {
        modes: [mode],
        concurrency: 2,
        runs: 2,
        warmup: 0,
        source: "leaks",
        method: "GET",
        headers: {},
        timeoutMs: 300,
        maxRedirects: 10,
      },
    );
    comparing = false;
    expect(report.runs).toHaveLength(2);
    const grew = () => {
      const now = counts(process.getActiveResourcesInfo());
      return Object.keys(now).filter((type) => (now[type] ?? 0) > (before[type] ?? 0));
    };
    await settle(() => grew().length === 0 && live.size === 0);
    return { active: grew(), created: [...live.values()] };
  } finally {
    hook.disable();
  }
}

describe("a whole comparison leaves nothing running", () => {
  it.each<Mode>(["sequential", "concurrent", "blocking"])("in the %s mode", async (mode) => {
    expect(await leftBehind(mode)).toEqual({ active: [], created: [] });
  });
});
