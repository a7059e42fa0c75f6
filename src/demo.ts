import type { Mode, Target } from "./report/model.js";
import { spawnServer } from "./server-process.js";

export interface DemoOptions {
  /** How many URLs. */
  count: number;
  /** The server's delays are spread evenly over this range, in milliseconds. */
  delay: { minMs: number; maxMs: number };
  /** The modes that will run: the explanation speaks of those. */
  modes: readonly Mode[];
  /**
   * For a sweep: the server works on at most this many of the requests at once and queues the
   * rest (`?capacity=`); null or absent for no limit.
   */
  capacity?: number | null;
}

export interface Demo {
  targets: Target[];
  /** Two lines that say what the report shows, for the terminal report. */
  explanation: string;
  close(): Promise<void>;
}

/**
 * Starts the built-in server in its own process (so the client's event loop, even frozen by
 * the blocking mode, never stalls the server) and builds a list of URLs with known delays.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const server = await spawnServer({ port: 0, host: "127.0.0.1" });
  const capacity = options.capacity ?? null;
  const range =
    options.delay.minMs === options.delay.maxMs
      ? `${options.delay.minMs} ms`
      : `${options.delay.minMs}–${options.delay.maxMs} ms`;
  const delays = spreadDelays(options.count, options.delay.minMs, options.delay.maxMs);
  const targets = delays.map((ms, index) => ({
    index,
    line: index + 1,
    url: `${server.url}/delay/${ms}${capacity === null ? "" : `?capacity=${capacity}`}`,
  }));
  if (capacity !== null) {
    const explanation = [
      `Sweep demo: ${options.count} URL${options.count === 1 ? "" : "s"} on a local server (${server.url}) that works on at most ${capacity} requests at once, each for ${range}, and queues the rest.`,
      `Throughput should grow with concurrency up to ${capacity} and then flatten: past it, more requests in flight only wait longer in the server's queue, so p99 latency rises.`,
    ].join("\n");
    return { targets, explanation, close: () => server.close() };
  }
  const total = delays.reduce((sum, ms) => sum + ms, 0);
  const slowest = Math.max(...delays);
  const how: Record<Mode, string> = {
    sequential: "sequential awaits one response at a time (wall ≈ the sum)",
    concurrent: "concurrent starts them all and awaits Promise.all (wall ≈ the slowest)",
    blocking:
      "blocking waits one at a time in a synchronous call that freezes the worker thread making it",
  };
  const explanation = [
    `Demo: ${options.count} URL${options.count === 1 ? "" : "s"} on a local server (${server.url}) that answers each after ${range} (${total} ms of waiting in all, ${slowest} ms for the slowest).`,
    `${options.modes.map((mode) => how[mode]).join("; ")}.`,
  ].join("\n");
  return { targets, explanation, close: () => server.close() };
}

/** `count` whole-millisecond delays spread evenly from min to max, in that order. */
export function spreadDelays(count: number, minMs: number, maxMs: number): number[] {
  if (count === 1) return [Math.round(minMs)];
  return Array.from({ length: count }, (_, i) =>
    Math.round(minMs + ((maxMs - minMs) * i) / (count - 1)),
  );
}
