/**
 * Shard reports → one report, as if one client had fetched the whole list: every request kept,
 * the summary (percentiles included) computed from all of them, never averaged.
 *
 * Walls combine by the way the shards ran: a sequential (or blocking) run is one client going
 * through the list, so its wall is the sum of the shards' walls and each shard's request times
 * are shifted by the walls before it; a concurrent run's shards ran side by side, so its wall is
 * the longest shard's and offsets stay as they were. Connections opened add up; the peak in
 * flight adds up for concurrent runs (side by side) and is the largest otherwise; event-loop
 * figures are the worst shard's, heartbeats add up.
 */

import { InputError } from "../errors.js";
import { assembleReport } from "./assemble.js";
import type { EventLoopStats, Report, RunResult } from "./model.js";
import { worstDelay } from "./summary.js";

export interface NamedReport {
  /** How messages call it: the file name as given. */
  name: string;
  report: Report;
}

/**
 * Merges the reports of every shard of one list, run with the same options.
 *
 * @throws {InputError} one line, when a report is not a shard, shards overlap or are missing,
 * or were run with different options or different runs.
 */
export function mergeReports(inputs: readonly NamedReport[]): Report {
  if (inputs.length === 0) throw new InputError("merge needs at least one shard report");
  const first = inputs[0] as NamedReport;
  const shardOf = ({ name, report }: NamedReport) => {
    if (!report.shard) {
      throw new InputError(`${name}: not a shard report (it was run without --shard)`);
    }
    return report.shard;
  };
  const count = shardOf(first).count;
  const byIndex = new Map<number, NamedReport>();
  for (const input of inputs) {
    const shard = shardOf(input);
    if (shard.count !== count) {
      throw new InputError(
        `${input.name} is shard ${shard.index}/${shard.count}, but ${first.name} is one of ${count}: the shards come from different splits`,
      );
    }
    const twin = byIndex.get(shard.index);
    if (twin) {
      throw new InputError(`${twin.name} and ${input.name} are both shard ${shard.index}/${count}`);
    }
    const difference = optionDifference(first.report, input.report);
    if (difference !== null) {
      throw new InputError(
        `${first.name} and ${input.name} were run with different options (${difference})`,
      );
    }
    byIndex.set(shard.index, input);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new InputError(
      `missing shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${count}`).join(", ")}: every shard's report is needed`,
    );
  }
  const ordered = [...byIndex.keys()]
    .sort((a, b) => a - b)
    .map((i) => byIndex.get(i) as NamedReport);
  checkNoOverlap(ordered);
  const runKeys = runKeysOf(first);
  for (const input of ordered) {
    const keys = runKeysOf(input);
    if (keys.join() !== runKeys.join()) {
      throw new InputError(
        `${input.name} has runs ${keys.join(", ")}, but ${first.name} has ${runKeys.join(", ")}: was one interrupted?`,
      );
    }
  }
  const runs = runKeys.map((key) =>
    mergeRuns(
      ordered.map((input) => input.report.runs.find((run) => runKey(run) === key) as RunResult),
    ),
  );
  const sources = [...new Set(ordered.map((input) => input.report.source))];
  return assembleReport(runs, {
    startedAt: ordered.map((input) => input.report.startedAt).sort()[0] ?? first.report.startedAt,
    source: sources.join(", "),
    options: first.report.options,
    shard: null,
    urlCount: ordered.reduce((sum, input) => sum + input.report.urlCount, 0),
    interrupted: ordered.some((input) => input.report.interrupted),
  });
}

function optionDifference(a: Report, b: Report): string | null {
  const keys = new Set([...Object.keys(a.options), ...Object.keys(b.options)]);
  for (const key of keys) {
    const before = JSON.stringify((a.options as unknown as Record<string, unknown>)[key]);
    const after = JSON.stringify((b.options as unknown as Record<string, unknown>)[key]);
    if (before !== after) return `${key}: ${before} against ${after}`;
  }
  return null;
}

/** Two shards of one split never hold the same line of the list. */
function checkNoOverlap(inputs: readonly NamedReport[]): void {
  const owner = new Map<number, string>();
  for (const { name, report } of inputs) {
    const lines = new Set(
      report.runs.flatMap((run) => run.requests.map((request) => request.line)),
    );
    for (const line of lines) {
      const other = owner.get(line);
      if (other !== undefined) {
        throw new InputError(
          `${other} and ${name} both hold line ${line} of the list: the shards overlap`,
        );
      }
      owner.set(line, name);
    }
  }
}

function runKey(run: RunResult): string {
  // A sweep has several runs of the concurrent mode per iteration, one per variant.
  return `${run.warmup ? "warm-up " : ""}${run.variant ?? run.mode} #${run.iteration}`;
}

function runKeysOf(input: NamedReport): string[] {
  return input.report.runs.map(runKey);
}

function mergeRuns(shards: readonly RunResult[]): RunResult {
  const first = shards[0] as RunResult;
  const sideBySide = first.mode === "concurrent";
  let offsetMs = 0;
  const requests = shards.flatMap((run) => {
    const shifted = sideBySide
      ? run.requests
      : run.requests.map((request) => ({
          ...request,
          startMs: request.startMs + offsetMs,
          endMs: request.endMs + offsetMs,
        }));
    offsetMs += run.wallMs;
    return shifted;
  });
  requests.sort((a, b) => a.index - b.index);
  const opened = shards.map((run) => run.connectionsOpened);
  return {
    ...first,
    wallMs: sideBySide ? Math.max(...shards.map((run) => run.wallMs)) : offsetMs,
    connectionsOpened: opened.includes(null)
      ? null
      : opened.reduce<number>((total, n) => total + (n ?? 0), 0),
    peakInFlight: sideBySide
      ? shards.reduce((total, run) => total + run.peakInFlight, 0)
      : Math.max(...shards.map((run) => run.peakInFlight)),
    eventLoop: worstEventLoop(shards.map((run) => run.eventLoop)),
    requests,
  };
}

function worstEventLoop(loops: readonly (EventLoopStats | null)[]): EventLoopStats | null {
  if (loops.some((loop) => loop === null)) return null;
  const all = loops as EventLoopStats[];
  return {
    maxDelayMs: all.map((loop) => loop.maxDelayMs).reduce(worstDelay, null),
    p99DelayMs: all.map((loop) => loop.p99DelayMs).reduce(worstDelay, null),
    utilization: Math.max(...all.map((loop) => loop.utilization)),
    heartbeat: {
      expected: all.reduce((total, loop) => total + loop.heartbeat.expected, 0),
      fired: all.reduce((total, loop) => total + loop.heartbeat.fired, 0),
    },
  };
}
