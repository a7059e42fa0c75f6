/**
 * What the renderers share: which per-URL rows to show, the headline and context lines, and
 * (re-exported) the text helpers of `text.ts` and the units of `units.ts`. Nothing here
 * measures or computes statistics; it only turns report numbers into text.
 */

import type {
  Comparison,
  Mode,
  Report,
  RequestError,
  TargetModeSummary,
  TargetSummary,
} from "./model.js";
import { sanitize } from "./text.js";
import { formatDuration, formatRatio } from "./units.js";

/** How a renderer should present a report. */
export interface RenderOptions {
  /** Emit ANSI colour codes (terminal report only). */
  color: boolean;
  /** Show every per-URL row instead of a selection. */
  allRows: boolean;
  /** Rows shown in the per-URL table when `allRows` is false; default {@link DEFAULT_MAX_ROWS}. */
  maxRows?: number;
}

export { csvField, escapeHtml, escapeMarkdown, sanitize, truncateMiddle } from "./text.js";
export {
  formatBytes,
  formatMs,
  formatMsIn,
  formatPercent,
  formatRatio,
  msValueIn,
  roundMs,
  type TimeUnit,
  timeUnitFor,
} from "./units.js";

/** Rows shown in the per-URL table unless `--all` is given. */
export const DEFAULT_MAX_ROWS = 20;

/** An error's message with its code after it, unless the message already names the code. */
export function errorText(error: RequestError): string {
  const code = error.code === null || error.message.includes(error.code) ? "" : ` (${error.code})`;
  return sanitize(`${error.message}${code}`);
}

/** The per-URL rows to show and what was left out. */
export interface RowSelection {
  /** Rows to show, in list order. */
  rows: TargetSummary[];
  /** Rows left out; all of them ok. */
  hidden: number;
  /** Every hidden row is no slower than every ok row shown. */
  hiddenAreFaster: boolean;
}

function hasFailed(target: TargetSummary): boolean {
  return Object.values(target.modes).some((m) => m !== undefined && (!m.ok || m.failures > 0));
}

function slowestLatency(target: TargetSummary): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const m of Object.values(target.modes))
    if (m !== undefined) max = Math.max(max, m.latencyMs);
  return max;
}

/**
 * Chooses the per-URL rows for a report: all of them with `allRows` or when they fit; otherwise
 * every row that failed in any mode (even beyond the limit), then the slowest by their slowest
 * mode up to `maxRows`, shown in list order.
 */
export function selectRows(targets: TargetSummary[], options: RenderOptions): RowSelection {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (options.allRows || targets.length <= maxRows) {
    return { rows: targets, hidden: 0, hiddenAreFaster: false };
  }
  const keep = new Set(targets.filter(hasFailed));
  const failedCount = keep.size;
  const bySlowest = targets
    .filter((t) => !keep.has(t))
    .map((t) => ({ t, slowest: slowestLatency(t) }))
    // Ties keep list order, so the choice is stable.
    .sort((a, b) => b.slowest - a.slowest || a.t.index - b.t.index);
  for (const { t } of bySlowest.slice(0, Math.max(0, maxRows - failedCount))) keep.add(t);
  const rows = targets.filter((t) => keep.has(t));
  return {
    rows,
    hidden: targets.length - rows.length,
    hiddenAreFaster: rows.length > failedCount,
  };
}

/** The line that accounts for hidden rows, e.g. `(+5 more rows, faster and all ok; --all shows every row)`, or null. */
export function hiddenRowsNote(selection: RowSelection): string | null {
  if (selection.hidden === 0) return null;
  const what = selection.hiddenAreFaster ? "faster and all ok" : "all ok";
  const rows = selection.hidden === 1 ? "row" : "rows";
  return `(+${selection.hidden} more ${rows}, ${what}; --all shows every row)`;
}

/** The modes to present, in the order they were asked for, among those the summary holds. */
export function reportModes(report: Report): Mode[] {
  return report.options.modes.filter((m) => report.summary.modes[m] !== undefined);
}

/** Whether any mode has more than one measured run, which switches to hyperfine's layout. */
export function isMultiRun(report: Report): boolean {
  return Object.values(report.summary.modes).some((m) => m !== undefined && m.runs > 1);
}

/**
 * The comparison's headline, in hyperfine's words with several runs
 * (`concurrent ran 5.94 ± 0.05 times faster than sequential`) and shorter with one
 * (`concurrent finished 5.9× faster than sequential`). A speed-up below 1 reads "as fast as",
 * so the report's own number is shown rather than an inverted one.
 */
export function comparisonHeadline(c: Comparison, multiRun: boolean): string {
  const faster = c.speedup >= 1;
  if (multiRun) {
    const spread = c.speedupStddev === null ? "" : ` ± ${c.speedupStddev.toFixed(2)}`;
    const how = faster ? "times faster than" : "times as fast as";
    return `${c.mode} ran ${c.speedup.toFixed(2)}${spread} ${how} ${c.baseline}`;
  }
  return `${c.mode} finished ${formatRatio(c.speedup)} ${faster ? "faster than" : "as fast as"} ${c.baseline}`;
}

/**
 * What was run, for the top of a report: `10 URLs from urls.txt · concurrency all · timeout 2 s`,
 * plus `5 runs + 1 warm-up` when there were several. The source is sanitized.
 */
export function reportContext(report: Report): string {
  const count = report.summary.targets.length;
  const source =
    report.source === "-"
      ? "standard input"
      : report.source === "demo"
        ? "the demo server"
        : sanitize(report.source);
  const o = report.options;
  const parts = [
    `${count} ${count === 1 ? "URL" : "URLs"} from ${source}`,
    `concurrency ${o.concurrency}`,
    `timeout ${formatDuration(o.timeoutMs)}`,
  ];
  if (o.runs > 1 || o.warmup > 0) {
    const warmups = o.warmup === 0 ? "" : ` + ${o.warmup} warm-up${o.warmup === 1 ? "" : "s"}`;
    parts.push(`${o.runs} ${o.runs === 1 ? "run" : "runs"}${warmups}`);
  }
  return parts.join(" · ");
}

/**
 * What a per-URL cell shows first: the status when the request was ok or failed on its status,
 * otherwise the error kind (`timeout`, `connect`, …), which says more than a missing status.
 */
export function statusLabel(cell: TargetModeSummary): string {
  if (cell.ok || (cell.error?.kind === "http" && cell.status !== null)) {
    return cell.status === null ? "–" : String(cell.status);
  }
  return cell.error?.kind ?? "failed";
}

/** A URL that failed in a mode: in its last measured run (`cell.error`), or in an earlier one. */
export interface FailureEntry {
  target: TargetSummary;
  mode: Mode;
  cell: TargetModeSummary;
  /** The mode's measured runs, to say "failed in 2 of 5 runs". */
  runs: number;
}

/** Every URL and mode that failed in any measured run, in list order, then mode order. */
export function failureEntries(report: Report, modes: Mode[]): FailureEntry[] {
  const entries: FailureEntry[] = [];
  for (const target of report.summary.targets) {
    for (const mode of modes) {
      const cell = target.modes[mode];
      if (cell !== undefined && (cell.error !== null || cell.failures > 0)) {
        entries.push({ target, mode, cell, runs: report.summary.modes[mode]?.runs ?? 1 });
      }
    }
  }
  return entries;
}

/**
 * The sentence that names what blocking costs, from the blocking mode's heartbeat; null when
 * blocking was not run or its event loop not measured.
 */
export function blockingSentence(report: Report, modes: Mode[]): string | null {
  const e = report.summary.modes.blocking?.eventLoop;
  if (!modes.includes("blocking") || e === undefined || e === null) return null;
  const awaited = modes.some((m) => m !== "blocking") ? "; while awaiting, it could" : "";
  return (
    "While blocking, nothing else in the program could run (the heartbeat timer fired " +
    `${e.heartbeat.fired} of ${e.heartbeat.expected} times)${awaited}.`
  );
}
