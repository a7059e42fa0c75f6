import { setMaxListeners } from "node:events";
import { type ConnectionSettings, openClient, type RequestOptions } from "./client.js";
import { createEventLoopMonitor } from "./measure.js";
import { proxiesUsed } from "./proxy-rules.js";
import { assembleReport } from "./report/assemble.js";
import type {
  Concurrency,
  EventLoopStats,
  Mode,
  Report,
  RequestResult,
  RunResult,
  Shard,
  Target,
} from "./report/model.js";
import { variantKey } from "./report/model.js";
import { runBlocking } from "./runners/blocking.js";
import { runConcurrent } from "./runners/concurrent.js";
import { runSequential } from "./runners/sequential.js";
import type { RunOutcome } from "./runners/types.js";

export type { RequestOptions } from "./client.js";
export type { Mode, Report, RunResult, Target } from "./report/model.js";
export { type Renderer, type RenderOptions, render, renderers } from "./report/render.js";
export { parseTargets, readTargets } from "./targets.js";

/** Everything a comparison needs besides the targets. */
export interface CompareOptions
  extends RequestOptions,
    Pick<ConnectionSettings, "connection" | "env"> {
  modes: Mode[];
  /** The concurrent mode's concurrency; with `sweep`, the last of its values. */
  concurrency: Concurrency;
  /**
   * Several concurrency values (ascending, `all` last): the concurrent mode then runs once per
   * value, each a variant with its own runs and warm-ups. One value or none is no sweep.
   */
  sweep?: readonly Concurrency[];
  /** Measured runs per mode (per variant in a sweep). */
  runs: number;
  /** Unmeasured runs per mode before the measured ones. */
  warmup: number;
  /** Shown in the report: the list's file name, `-`, or `demo`. */
  source: string;
  /** `--rate`: requests started per second over each run, on a fixed schedule; none: at once. */
  ratePerSecond?: number | null;
  /** Recorded in the report when the targets are one shard of a list (`--shard`). */
  shard?: Shard | null;
  /** Aborting (Ctrl-C) stops the comparison; the report then holds what finished. */
  signal?: AbortSignal;
  /** Called as each run starts and as each of its requests settles, for progress displays. */
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | {
      type: "run-start";
      mode: Mode;
      /** The run's variant: its mode, or `concurrent@<c>` in a sweep. */
      variant?: string;
      iteration: number;
      /** Runs of this kind (warm-up or measured) this mode gets. */
      of: number;
      warmup: boolean;
      /** Requests in the run. */
      total: number;
    }
  | { type: "request"; mode: Mode; ok: boolean }
  | { type: "run-end"; mode: Mode; wallMs: number };

/**
 * Runs every mode over the targets, alternating modes run by run (S C S C …) so drift on the
 * machine or server does not favour one, each run with a fresh Agent, and builds the report.
 */
export async function compare(
  targets: readonly Target[],
  options: CompareOptions,
): Promise<Report> {
  // Every request in flight listens for the abort: thousands at once is expected, not a leak.
  if (options.signal) setMaxListeners(0, options.signal);
  // Before the first request, so a proxy variable that does not parse stops the run at once.
  const proxies = proxiesUsed(
    targets.map((target) => target.url),
    options.connection ?? { proxy: null, noProxy: null },
    options.env ?? {},
  );
  const startedAt = new Date().toISOString();
  const runs: RunResult[] = [];
  for (const { mode, concurrency, variant, iteration, warmup } of schedule(options)) {
    if (options.signal?.aborted) break;
    const of = warmup ? options.warmup : options.runs;
    options.onProgress?.({
      type: "run-start",
      mode,
      variant,
      iteration,
      of,
      warmup,
      total: targets.length,
    });
    const { concurrency: ran, ...run } = await runOnce(mode, concurrency, targets, options);
    // Field order as the JSON report documents it.
    runs.push({ mode, iteration, warmup, concurrency: ran, variant, ...run });
    options.onProgress?.({ type: "run-end", mode, wallMs: run.wallMs });
  }
  return assembleReport(runs, {
    startedAt,
    source: options.source,
    urlCount: targets.length,
    interrupted: options.signal?.aborted === true,
    options: {
      modes: options.modes,
      concurrency: options.concurrency,
      ...(sweeping(options) ? { sweep: [...(options.sweep ?? [])] } : {}),
      runs: options.runs,
      warmup: options.warmup,
      timeoutMs: options.timeoutMs,
      maxRedirects: options.maxRedirects,
      method: options.method,
      headers: options.headers,
      ratePerSecond: options.ratePerSecond ?? null,
      proxies,
      insecure: options.connection?.insecure ?? false,
    },
    shard: options.shard ?? null,
  });
}

function sweeping(options: Pick<CompareOptions, "sweep">): boolean {
  return (options.sweep?.length ?? 0) > 1;
}

/** One run to do: which mode, at which concurrency, as which variant and iteration. */
export interface ScheduledRun {
  mode: Mode;
  concurrency: Concurrency;
  variant: string;
  iteration: number;
  warmup: boolean;
}

/**
 * The order of the runs: warm-ups first, then measured runs, each round going once through
 * every mode and, in a sweep, every concurrency of the concurrent mode (S C1 C4 C16 S C1 …), so
 * drift on the machine or server favours no variant.
 */
export function schedule(
  options: Pick<CompareOptions, "modes" | "concurrency" | "sweep" | "runs" | "warmup">,
): ScheduledRun[] {
  const sweep = sweeping(options);
  const variants = options.modes.flatMap((mode) =>
    (mode !== "concurrent" ? [1] : sweep ? (options.sweep ?? []) : [options.concurrency]).map(
      (concurrency: Concurrency) => ({
        mode,
        concurrency,
        variant: variantKey(mode, concurrency, sweep),
      }),
    ),
  );
  const rounds = (count: number, warmup: boolean) =>
    Array.from({ length: count }, (_, i) =>
      variants.map((variant) => ({ ...variant, iteration: i + 1, warmup })),
    ).flat();
  return [...rounds(options.warmup, true), ...rounds(options.runs, false)];
}

async function runOnce(
  mode: Mode,
  concurrency: Concurrency,
  targets: readonly Target[],
  options: CompareOptions,
): Promise<Omit<RunResult, "mode" | "iteration" | "warmup">> {
  const report = (result: RequestResult) =>
    options.onProgress?.({ type: "request", mode, ok: result.ok });
  const maxInFlight = concurrency === "all" ? undefined : concurrency;
  const client = openClient(
    {
      ...requestOptionsOf(options),
      maxInFlight,
      ratePerSecond: options.ratePerSecond,
      connection: options.connection,
      env: options.env,
    },
    report,
  );
  let measured: RunOutcome;
  let eventLoop: EventLoopStats | null;
  let connectionsOpened: number;
  try {
    if (mode === "blocking") {
      // Measured on the thread that blocks, inside the runner: this one stays free.
      const outcome = await runBlocking(targets, {
        request: client.request,
        signal: options.signal,
      });
      measured = outcome;
      eventLoop = outcome.eventLoop;
    } else {
      // The monitor watches exactly the timed part of the run, not the runner's set-up.
      const monitor = createEventLoopMonitor();
      await monitor.ready;
      let stopped: Promise<EventLoopStats> | null = null;
      const hooks = {
        request: client.request,
        signal: options.signal,
        onRunStart: () => monitor.start(),
        onRunEnd: () => {
          stopped = monitor.stop();
        },
      };
      measured =
        mode === "sequential"
          ? await runSequential(targets, hooks)
          : await runConcurrent(targets, { ...hooks, concurrency });
      eventLoop = await (stopped ?? null);
    }
  } finally {
    ({ connectionsOpened } = await client.close());
  }
  return {
    concurrency,
    wallMs: measured.wallMs,
    connectionsOpened,
    peakInFlight: measured.peakInFlight,
    eventLoop,
    requests: measured.requests,
  };
}

/** Only what a request needs, not the whole comparison's options. */
function requestOptionsOf(options: RequestOptions): RequestOptions {
  const { method, headers, timeoutMs, maxRedirects, body } = options;
  return { method, headers, timeoutMs, maxRedirects, body };
}
