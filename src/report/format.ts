/**
 * What the renderers share: which per-URL rows to show, the headline and context lines, and
 * (re-exported) the text helpers of `text.ts` and the units of `units.ts`. Nothing here
 * measures or computes statistics; it only turns report numbers into text.
 */

import type {
  Comparison,
  HistogramBin,
  HttpVersion,
  Mode,
  ModeSummary,
  Report,
  RequestError,
  TargetModeSummary,
  TargetSummary,
  VariantSummary,
} from "./model.js";
import { SERVER_SLOWED_RATIO } from "./summary.js";
import { sanitize } from "./text.js";
import { formatDuration, formatMs, formatPercent, formatRatio } from "./units.js";

/** How a renderer should present a report. */
export interface RenderOptions {
  /** Emit ANSI colour codes (terminal report only). */
  color: boolean;
  /** Show every per-URL row instead of a selection. */
  allRows: boolean;
  /** Rows shown in the per-URL table when `allRows` is false; default {@link DEFAULT_MAX_ROWS}. */
  maxRows?: number;
  /** Order of the per-URL table (`--sort`); list order of a budgeted selection when absent. */
  sort?: SortColumn;
  /** Columns the terminal report should fit (the terminal's width); 120 when absent. */
  width?: number;
  /** Draw the per-request waterfall of each mode (terminal report only). */
  waterfall?: boolean;
}

export {
  csvField,
  escapeHtml,
  escapeMarkdown,
  jsonForScript,
  sanitize,
  truncateMiddle,
} from "./text.js";
export {
  formatBytes,
  formatMeanCount,
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

/** What `--sort` can order the per-URL table by. */
export const SORT_COLUMNS = ["list", "latency", "status", "url"] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

/** The per-URL rows to show and what was left out. */
export interface RowSelection {
  /** Rows to show, in the order to show them. */
  rows: TargetSummary[];
  /** Rows left out. */
  hidden: number;
  /** Rows left out that failed in some mode. */
  hiddenFailed: number;
  /** Every hidden ok row is no slower than every ok row shown. */
  hiddenAreFaster: boolean;
}

/**
 * A column of the per-URL views: a mode, or in a sweep one variant of the concurrent mode
 * (`concurrent@8`), which takes the concurrent mode's place.
 */
export interface TargetColumn {
  /** The mode, or the variant's key. */
  key: string;
  /** Measured runs behind each cell, to say "failed in 2 of 5 runs". */
  runs: number;
  /** The URL's cell in this column; undefined when the URL did not run in it. */
  cell(target: TargetSummary): TargetModeSummary | undefined;
}

/** The per-URL columns in report order: the modes, a sweep's variants in ascending concurrency. */
export function targetColumns(report: Report): TargetColumn[] {
  return reportModes(report, true).flatMap((mode): TargetColumn[] => {
    if (mode === "concurrent" && report.summary.variants !== undefined) {
      return sweepVariants(report).map(([key, v]) => ({
        key,
        runs: v.runs,
        cell: (target) => target.variants?.[key],
      }));
    }
    return [
      {
        key: mode,
        runs: report.summary.modes[mode]?.runs ?? 1,
        cell: (target) => target.modes[mode],
      },
    ];
  });
}

/** Every cell of a URL: its modes' and its sweep variants'. */
function cellsOf(target: TargetSummary): TargetModeSummary[] {
  const cells = Object.values(target.modes).filter((m) => m !== undefined);
  return target.variants === undefined ? cells : [...cells, ...Object.values(target.variants)];
}

function hasFailed(target: TargetSummary): boolean {
  return cellsOf(target).some((m) => !m.ok || m.failures > 0);
}

/** Each row's slowest latency, found once: a sort of 10,000 rows asks for it 250,000 times. */
const slowest = new WeakMap<TargetSummary, number>();

function slowestLatency(target: TargetSummary): number {
  let latency = slowest.get(target);
  if (latency === undefined) {
    latency = Math.max(Number.NEGATIVE_INFINITY, ...cellsOf(target).map((m) => m.latencyMs));
    slowest.set(target, latency);
  }
  return latency;
}

/** Slowest first; ties keep list order, so the choice is stable. */
function bySlowest(a: TargetSummary, b: TargetSummary): number {
  return slowestLatency(b) - slowestLatency(a) || a.index - b.index;
}

/** Worst status first: failed rows (by kind), then by status code, then list order. */
function byStatus(a: TargetSummary, b: TargetSummary): number {
  const rank = (t: TargetSummary) => {
    const cells = cellsOf(t);
    const failed = cells.find((m) => !m.ok);
    return failed !== undefined
      ? `0${failed.error?.kind ?? ""}`
      : `1${String(Math.max(...cells.map((m) => m.status ?? 0))).padStart(3, "0")}`;
  };
  const ra = rank(a);
  const rb = rank(b);
  return ra < rb ? -1 : ra > rb ? 1 : a.index - b.index;
}

const ORDERS: Record<SortColumn, (a: TargetSummary, b: TargetSummary) => number> = {
  list: (a, b) => a.index - b.index,
  latency: bySlowest,
  status: byStatus,
  url: (a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.index - b.index),
};

/**
 * Chooses the per-URL rows: all of them with `allRows` or when they fit. With `sort`, the first
 * `maxRows` in that order. Otherwise a budget of `maxRows` shared between the rows that failed in
 * any mode and the slowest ok rows: failures take at most half of it while there are ok rows to
 * show, and either side gets what the other leaves; shown in list order.
 */
export function selectRows(targets: TargetSummary[], options: RenderOptions): RowSelection {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const failed = targets.filter(hasFailed);
  const count = (rows: TargetSummary[]) => {
    const shown = new Set(rows);
    const hiddenOk = targets.filter((t) => !shown.has(t) && !hasFailed(t));
    const slowestShownOk = Math.min(...rows.filter((t) => !hasFailed(t)).map(slowestLatency));
    return {
      rows,
      hidden: targets.length - rows.length,
      hiddenFailed: failed.filter((t) => !shown.has(t)).length,
      hiddenAreFaster:
        hiddenOk.length > 0 && hiddenOk.every((t) => slowestLatency(t) <= slowestShownOk),
    };
  };
  if (options.sort !== undefined && options.sort !== "list") {
    const sorted = [...targets].sort(ORDERS[options.sort]);
    return count(options.allRows ? sorted : sorted.slice(0, maxRows));
  }
  if (options.allRows || targets.length <= maxRows) return count(targets);
  const ok = targets.filter((t) => !hasFailed(t)).sort(bySlowest);
  const failedShare = Math.min(
    failed.length,
    Math.max(Math.ceil(maxRows / 2), maxRows - ok.length),
  );
  const okShare = Math.min(ok.length, maxRows - failedShare);
  const keep = new Set([...failed.slice(0, failedShare), ...ok.slice(0, okShare)]);
  return count(targets.filter((t) => keep.has(t)));
}

/**
 * The line that accounts for hidden rows, e.g. `(+5 more rows, faster and all ok; --all shows
 * every row)` or `(+1,940 more rows: 40 failed, 1,900 ok; --all shows every row)`, or null.
 */
export function hiddenRowsNote(selection: RowSelection): string | null {
  if (selection.hidden === 0) return null;
  const rows = selection.hidden === 1 ? "row" : "rows";
  const hint = "--all shows every row";
  if (selection.hiddenFailed === 0) {
    const what = selection.hiddenAreFaster ? "faster and all ok" : "all ok";
    return `(+${selection.hidden} more ${rows}, ${what}; ${hint})`;
  }
  const ok = selection.hidden - selection.hiddenFailed;
  return `(+${selection.hidden} more ${rows}: ${selection.hiddenFailed} failed, ${ok} ok; ${hint})`;
}

/** Failures that share a kind and a message, across URLs and modes. */
export interface FailureGroup {
  /** The error kind, or `ok` for URLs that failed only in an earlier run. */
  kind: string;
  /** The error text (sanitized), or what the earlier failures were. */
  message: string;
  /** The URLs in the group, in list order. */
  targets: TargetSummary[];
  /** The columns (modes, sweep variants) in which they failed, in report order. */
  modes: TargetColumn[];
}

/**
 * Every failure grouped by kind and message, the largest group first (ties in order of first
 * appearance), so a list of 2,000 URLs with 60 refused connections reads as one line.
 */
export function failureGroups(report: Report, columns: TargetColumn[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const { target, mode, cell } of failureEntries(report, columns)) {
    const kind = cell.error?.kind ?? "ok";
    const message =
      cell.error === null ? "in the last run, failed in an earlier one" : errorText(cell.error);
    const key = `${kind}\u0000${message}`;
    const group = groups.get(key) ?? { kind, message, targets: [], modes: [] };
    groups.set(key, group);
    if (group.targets.at(-1) !== target) group.targets.push(target);
    if (!group.modes.includes(mode)) group.modes.push(mode);
  }
  const ordered = [...groups.values()];
  for (const group of ordered) {
    group.modes.sort((a, b) => columns.indexOf(a) - columns.indexOf(b));
  }
  return ordered.sort((a, b) => b.targets.length - a.targets.length);
}

/**
 * The modes to present, in the order they were asked for, among those the summary holds; with
 * `withSweep`, also the concurrent mode of a sweep, whose summaries are its variants.
 */
export function reportModes(report: Report, withSweep = false): Mode[] {
  const swept = withSweep && Object.keys(report.summary.variants ?? {}).length > 0;
  return report.options.modes.filter(
    (m) => report.summary.modes[m] !== undefined || (swept && m === "concurrent"),
  );
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
 * What was run, for the top of a report: `10 URLs from urls.txt · concurrency all · timeout 2 s`
 * (and `rate 50/s` with `--rate`),
 * plus `5 runs + 1 warm-up` when there were several; `12 of 50 URLs … (interrupted)` after Ctrl-C.
 * The source is sanitized.
 */
export function reportContext(report: Report): string {
  const count = report.summary.targets.length;
  const source =
    report.source === "-"
      ? "standard input"
      : report.source === "demo"
        ? "the demo server"
        : report.source === "<arguments>"
          ? "the command line"
          : sanitize(report.source);
  const o = report.options;
  // An interrupted comparison says how much of the list it got to.
  const urls = report.interrupted
    ? `${count} of ${report.urlCount} ${report.urlCount === 1 ? "URL" : "URLs"} from ${source} (interrupted)`
    : `${count} ${count === 1 ? "URL" : "URLs"} from ${source}`;
  const parts = [urls];
  // Only the concurrent mode reads it; the others run one request at a time.
  if (o.modes.includes("concurrent")) {
    parts.push(
      o.sweep !== undefined && o.sweep.length > 1
        ? `concurrency ${o.sweep.join(",")}`
        : `concurrency ${o.concurrency}`,
    );
  }
  parts.push(`timeout ${formatDuration(o.timeoutMs)}`);
  if (o.ratePerSecond !== null) parts.push(`rate ${o.ratePerSecond}/s`);
  if (o.runs > 1 || o.warmup > 0) {
    const warmups = o.warmup === 0 ? "" : ` + ${o.warmup} warm-up${o.warmup === 1 ? "" : "s"}`;
    parts.push(`${o.runs} ${o.runs === 1 ? "run" : "runs"}${warmups}`);
  }
  if (o.proxies.length > 0) parts.push(`via proxy ${o.proxies.map(sanitize).join(", ")}`);
  if (o.insecure) parts.push("certificates not checked (--insecure)");
  return parts.join(" · ");
}

/**
 * A mode's protocol, `HTTP/2`: the protocols its responses came over, with how many of each
 * when they differ; null when none was recorded. (The connections have their own line.)
 */
export function protocolText(s: ModeSummary): string | null {
  // Oldest first: "2" is an integer-like key, which objects list before "1.1".
  const versions = (Object.entries(s.httpVersions) as [HttpVersion, number][]).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  if (versions.length === 0) return null;
  if (versions.length === 1) return versions.map(([version]) => `HTTP/${version}`).join("");
  return versions.map(([version, count]) => `HTTP/${version} ×${count}`).join(" · ");
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

/**
 * A URL that failed in a mode (or sweep variant): in its last measured run (`cell.error`), or
 * in an earlier one.
 */
export interface FailureEntry {
  target: TargetSummary;
  mode: TargetColumn;
  cell: TargetModeSummary;
}

/** Every URL and column that failed in any measured run, in list order, then column order. */
export function failureEntries(report: Report, columns: TargetColumn[]): FailureEntry[] {
  const entries: FailureEntry[] = [];
  for (const target of report.summary.targets) {
    for (const mode of columns) {
      const cell = mode.cell(target);
      if (cell !== undefined && (cell.error !== null || cell.failures > 0)) {
        entries.push({ target, mode, cell });
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
    "While blocking, the thread that waited on each request could run nothing else (its " +
    `heartbeat timer fired ${e.heartbeat.fired} of ${e.heartbeat.expected} times)${awaited}.`
  );
}

/**
 * The event loop's busy share from which a concurrent run's slower requests may be fetchbench's
 * own doing: with the loop that busy, responses wait to be read and connections to be opened.
 */
export const CLIENT_BUSY_SHARE = 0.9;

/**
 * The sentence that says the server slowed down under concurrency, from the comparison's median
 * latency ratio; null when it did not (or it is unknown). When fetchbench's own event loop was
 * nearly always busy during the concurrent run, the server is not blamed: this machine held
 * requests back too, and the sentence says so.
 */
export function serverSlowedSentence(report: Report): string | null {
  const cmp = report.summary.comparison;
  if (cmp === null || cmp.latencyRatio === null || cmp.latencyRatio < SERVER_SLOWED_RATIO) {
    return null;
  }
  const took =
    `the median ${cmp.mode} request took ${formatRatio(cmp.latencyRatio)} as long as ` +
    `the median ${cmp.baseline} one`;
  const loop = report.summary.modes[cmp.mode]?.eventLoop;
  if (loop != null && loop.utilization >= CLIENT_BUSY_SHARE) {
    const delay = loop.maxDelayMs === null ? "" : `, delays up to ${formatMs(loop.maxDelayMs)}`;
    return (
      `Requests slowed down under concurrency: ${took}, but fetchbench's own event loop was ` +
      `busy ${formatPercent(loop.utilization)} of that run${delay}, so this machine held ` +
      "requests back too; a lower --concurrency tells the server's share apart."
    );
  }
  return `The server slowed down under concurrency: ${took}, so the speed-up hides a server that queues requests.`;
}

/**
 * The comparison as one sentence, with the ideal speed-up and the share of the bound reached:
 * `concurrent finished 1.6× faster than sequential (ideal 1.6×, 100% of the bound of 2.00 s).`
 */
export function comparisonSentence(c: Comparison, multiRun: boolean): string {
  const ideal = formatRatio(c.idealSpeedup, multiRun ? 2 : 1);
  return (
    `${comparisonHeadline(c, multiRun)} (ideal ${ideal}, ` +
    `${formatPercent(c.efficiency)} of the bound of ${formatMs(c.boundMs)}).`
  );
}

/** Whether a warning says the comparison's figure is not to be trusted as it stands. */
export function comparisonInDoubt(report: Report): boolean {
  return report.summary.warnings.some(
    (w) => w.kind === "beyond-bound" || w.kind === "inconclusive",
  );
}

/** A time that may not have been measured: `–` for null (or anything not finite). */
export function formatMsOrDash(ms: number | null): string {
  return ms === null ? "–" : formatMs(ms);
}

/** Widest histogram bar, in characters. */
export const HISTOGRAM_BAR_WIDTH = 30;

/**
 * A mode's latency histogram as rows of text: the bin's range, a bar scaled to the fullest bin
 * (a non-empty bin always gets at least one block) and the count.
 */
export function histogramRows(
  bins: readonly HistogramBin[],
  barWidth = HISTOGRAM_BAR_WIDTH,
): { range: string; bar: string; count: number }[] {
  const fullest = Math.max(0, ...bins.map((bin) => bin.count));
  return bins.map((bin) => ({
    range: `${formatMs(bin.fromMs)} – ${formatMs(bin.toMs)}`,
    bar: "█".repeat(
      bin.count === 0 ? 0 : Math.max(1, Math.round((bin.count / fullest) * barWidth)),
    ),
    count: bin.count,
  }));
}

/** Columns a text takes on a terminal: its characters, less any colour codes. */
function visibleWidth(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes take no columns.
  return Array.from(text.replace(/\u001b\[[0-9;]*m/g, "")).length;
}

/**
 * Wraps prose at word boundaries so no line is wider than `width` (a word longer than the width
 * stays whole on its own line; colour codes take no width); continuation lines start with
 * `indent`.
 */
export function wrapWords(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  // Leading spaces are an indent to keep, not empty words.
  const lead = /^ */.exec(text)?.[0] ?? "";
  let line = lead;
  for (const word of text.slice(lead.length).split(" ")) {
    const candidate = line.trim() === "" ? `${line}${word}` : `${line} ${word}`;
    if (visibleWidth(candidate) <= width || line.trim() === "") {
      line = candidate;
    } else {
      lines.push(line);
      line = `${indent}${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** A sweep's variants in ascending concurrency, with their keys; empty for a single value. */
export function sweepVariants(report: Report): [string, VariantSummary][] {
  return Object.entries(report.summary.variants ?? {}).sort(
    (a, b) => a[1].effectiveConcurrency - b[1].effectiveConcurrency,
  );
}

/**
 * The sweep's recommendation: `throughput stops growing at about -c 32 (92% of the best, p99
 * latency 2.1× the unloaded median at -c 1): use -c 32`; null without a knee. The unloaded
 * median is the one at the lowest concurrency measured (`SweepSummary.unloadedMs`). When the
 * knee is the highest concurrency measured, the curve never flattened, and the sentence says so.
 */
export function kneeSentence(report: Report): string | null {
  const sweep = report.summary.sweep;
  const knee = sweep?.knee;
  if (sweep === undefined || knee === undefined || knee === null) return null;
  const from = sweep.unloadedFrom;
  const unloaded = from === null ? undefined : report.summary.variants?.[from];
  const where =
    unloaded !== undefined ? ` at -c ${unloaded.concurrency}` : from === null ? "" : ` of ${from}`;
  const latency =
    knee.p99Ratio === null
      ? null
      : `p99 latency ${formatRatio(knee.p99Ratio)} the unloaded median${where}`;
  // Nothing measured beyond the knee: the curve never flattened, so there is no knee to name.
  const variants = Object.values(report.summary.variants ?? {});
  const reach = report.summary.variants?.[knee.variant]?.effectiveConcurrency ?? 0;
  if (!variants.some((v) => v.effectiveConcurrency > reach)) {
    return `throughput was still growing at -c ${knee.concurrency}, the highest concurrency measured${latency === null ? "" : ` (${latency})`}: the knee, if there is one, lies beyond it`;
  }
  return `throughput stops growing at about -c ${knee.concurrency} (${formatPercent(knee.share)} of the best${latency === null ? "" : `, ${latency}`}): use -c ${knee.concurrency}`;
}

/** The Universal Scalability Law fit in one line, or why it was left out; null for no sweep. */
export function uslSentence(report: Report): string | null {
  const sweep = report.summary.sweep;
  if (sweep === undefined) return null;
  const fit = sweep.usl;
  if (fit === null) return `Universal Scalability Law: no fit, ${sweep.uslReason ?? "left out"}.`;
  const peak =
    fit.peakConcurrency === null
      ? "no predicted peak (no coherency penalty measured)"
      : `predicted peak at N* = √((1−σ)/κ) ≈ ${formatCount(fit.peakConcurrency)}`;
  return `Universal Scalability Law: contention σ ${fit.sigma.toFixed(3)}, coherency κ ${fit.kappa.toPrecision(2)}, ${peak} (R² ${fit.rSquared.toFixed(2)}).`;
}

/** Requests per second for tables: whole from 100 up, one decimal below. */
export function formatRps(rps: number): string {
  return rps >= 100 ? String(Math.round(rps)) : rps.toFixed(1);
}

function formatCount(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}
