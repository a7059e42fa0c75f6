/**
 * The terminal waterfall: per mode, one row per request on a time axis shared by every mode, so
 * the sequential staircase and the concurrent stack show at a glance, each bar split into the
 * phases the request spent its time in. Pure: it draws what the report holds.
 */

import type pc from "picocolors";
import type { Mode, Report, RequestResult, RunResult } from "./model.js";
import { sanitize } from "./text.js";
import { formatMs } from "./units.js";

type Colors = ReturnType<typeof pc.createColors>;

/** Lists of up to this many URLs get a waterfall on a terminal unless told otherwise. */
export const WATERFALL_MAX_URLS = 30;

/** Rows per mode before requests are grouped into buckets of neighbours in the list. */
export const WATERFALL_MAX_ROWS = 30;

/** `--waterfall` / `--no-waterfall` decide; otherwise a terminal and a short list. */
export function showWaterfall(
  flag: boolean | undefined,
  isTTY: boolean,
  urlCount: number,
): boolean {
  return flag ?? (isTTY && urlCount <= WATERFALL_MAX_URLS);
}

const PHASES = ["queued", "connect", "wait", "download"] as const;
type Phase = (typeof PHASES)[number];

/** Distinct characters, so the phases read without colour too. */
const GLYPH: Record<Phase, string> = { queued: "·", connect: "░", wait: "▒", download: "█" };

function paint(c: Colors, phase: Phase, text: string, failed: boolean): string {
  if (failed && phase !== "queued") return c.red(text);
  switch (phase) {
    case "queued":
      return c.dim(text);
    case "connect":
      return c.yellow(text);
    case "wait":
      return c.cyan(text);
    default:
      return c.green(text);
  }
}

/** Where each phase of a request ends, from the start of its run. */
interface Span {
  queuedFrom: number;
  start: number;
  connectEnd: number;
  headersAt: number;
  end: number;
}

function spanOf(r: RequestResult): Span {
  const connectEnd = r.startMs + (r.connectMs ?? 0);
  // Without headers, the whole request after connect was waiting for them.
  const headersAt = r.ttfbMs === null ? r.endMs : Math.max(connectEnd, r.startMs + r.ttfbMs);
  return {
    queuedFrom: r.startMs - r.queuedMs,
    start: r.startMs,
    connectEnd,
    headersAt,
    end: Math.max(r.endMs, headersAt),
  };
}

function phaseAt(span: Span, t: number): Phase | null {
  if (t < span.queuedFrom || t > span.end) return null;
  if (t < span.start) return "queued";
  if (t < span.connectEnd) return "connect";
  if (t < span.headersAt) return "wait";
  return "download";
}

/** The run a mode's waterfall draws: its last measured run, else its last warm-up. */
function runOf(report: Report, mode: Mode): RunResult | undefined {
  const runs = report.runs.filter((run) => run.mode === mode);
  return runs.filter((run) => !run.warmup).at(-1) ?? runs.at(-1);
}

/** One row: one request, or a bucket of neighbouring requests. */
interface Row {
  label: string;
  requests: RequestResult[];
}

function rowsOf(requests: RequestResult[], maxRows: number): Row[] {
  const size = Math.ceil(requests.length / maxRows);
  const rows: Row[] = [];
  for (let from = 0; from < requests.length; from += size) {
    const bucket = requests.slice(from, from + size);
    const first = bucket[0] as RequestResult;
    const last = bucket.at(-1) as RequestResult;
    rows.push({
      label:
        bucket.length === 1
          ? `#${first.index + 1}`
          : `#${first.index + 1}–${last.index + 1} (${bucket.length})`,
      requests: bucket,
    });
  }
  return rows;
}

/**
 * A row's bar: each column shows the phase most of its requests were in at that moment (a
 * request shorter than a column still gets one), blank where none was running.
 */
function bar(row: Row, columns: number, scale: number, c: Colors): string {
  const spans = row.requests.map(spanOf);
  let out = "";
  for (let col = 0; col < columns; col++) {
    const from = col * scale;
    const mid = from + scale / 2;
    const counts = new Map<Phase, number>();
    let failedHere = false;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      // A request that falls inside this column without covering its middle still shows.
      const inside = span.queuedFrom < from + scale && span.end >= from;
      let phase = phaseAt(span, mid);
      if (phase === null && inside)
        phase = phaseAt(span, Math.min(span.end, Math.max(span.start, from)));
      if (phase === null) continue;
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
      if (!(row.requests[i] as RequestResult).ok) failedHere = true;
    }
    let best: Phase | null = null;
    for (const phase of PHASES) {
      if ((counts.get(phase) ?? 0) > (best === null ? 0 : (counts.get(best) ?? 0))) best = phase;
    }
    out +=
      best === null ? " " : paint(c, best, GLYPH[best], failedHere && row.requests.length === 1);
  }
  return out;
}

/** After the bar: the request's latency, or the bucket's slowest, and what failed. */
function note(row: Row, c: Colors): string {
  const slowest = Math.max(...row.requests.map((r) => r.latencyMs));
  const failed = row.requests.filter((r) => !r.ok);
  const latency = row.requests.length === 1 ? formatMs(slowest) : `max ${formatMs(slowest)}`;
  if (failed.length === 0) return latency;
  const kinds = [...new Set(failed.map((r) => r.error?.kind ?? "other"))].join(", ");
  const mark =
    row.requests.length === 1 ? `✗ ${sanitize(kinds)}` : `✗ ${failed.length} failed (${kinds})`;
  return `${latency} ${c.red(mark)}`;
}

/** Options of the waterfall: the line width it fits and the most rows per mode. */
export interface WaterfallOptions {
  width: number;
  maxRows?: number;
}

/**
 * The waterfall of each mode, on one time axis: a title per mode, one row per request (or per
 * bucket of neighbouring requests when there are more than `maxRows`), then a legend.
 */
export function waterfallLines(
  report: Report,
  modes: readonly Mode[],
  options: WaterfallOptions,
  c: Colors,
): string[] {
  const shown = modes
    .map((mode) => ({ mode, run: runOf(report, mode) }))
    .filter(
      (entry): entry is { mode: Mode; run: RunResult } => (entry.run?.requests.length ?? 0) > 0,
    );
  if (shown.length === 0) return [];
  const axisMs = Math.max(...shown.flatMap(({ run }) => run.requests.map((r) => spanOf(r).end)));
  const maxRows = options.maxRows ?? WATERFALL_MAX_ROWS;
  const rowsByMode = shown.map(({ mode, run }) => ({
    mode,
    rows: rowsOf(
      [...run.requests].sort((a, b) => a.index - b.index),
      maxRows,
    ),
  }));
  const labelWidth = Math.max(
    ...rowsByMode.flatMap(({ rows }) => rows.map((row) => Array.from(row.label).length)),
  );
  const noteWidth = 24;
  const columns = Math.max(10, options.width - 2 - labelWidth - 3 - noteWidth);
  const scale = axisMs > 0 ? axisMs / columns : 1;

  const lines: string[] = [];
  for (const { mode, rows } of rowsByMode) {
    if (lines.length > 0) lines.push("");
    const of = report.runs.filter((run) => run.mode === mode && !run.warmup).length;
    const which = of > 1 ? `, last of ${of} runs` : "";
    lines.push(`waterfall ${c.dim(`(${mode}${which})`)}`);
    for (const row of rows) {
      const label = row.label.padStart(labelWidth);
      lines.push(`  ${label} │${bar(row, columns, scale, c)}│ ${note(row, c)}`.trimEnd());
    }
  }
  const axis = `0 ms${formatMs(axisMs).padStart(columns - 4 + 1)}`;
  lines.push(`  ${" ".repeat(labelWidth)}  ${c.dim(axis)}`);
  lines.push(
    `  ${" ".repeat(labelWidth)}  ${PHASES.map((p) => `${paint(c, p, GLYPH[p], false)} ${p}`).join("  ")}  ${c.red("✗")} failed`,
  );
  return lines;
}
