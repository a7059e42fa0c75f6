/**
 * The terminal report: modes side by side, the per-URL table, failures, latency, event loop and
 * the comparison, laid out like hyperfine. Every number comes from the report as it is.
 */

import pc from "picocolors";
import {
  blockingSentence,
  comparisonHeadline,
  comparisonInDoubt,
  connectionsText,
  failureGroups,
  formatBytes,
  formatMs,
  formatMsIn,
  formatMsOrDash,
  formatPercent,
  formatRatio,
  HISTOGRAM_BAR_WIDTH,
  hiddenRowsNote,
  histogramRows,
  isMultiRun,
  type RenderOptions,
  reportContext,
  reportModes,
  sanitize,
  selectRows,
  serverSlowedSentence,
  statusLabel,
  timeUnitFor,
  truncateMiddle,
  wrapWords,
} from "./format.js";
import type { EventLoopStats, Mode, ModeSummary, Report, TargetModeSummary } from "./model.js";

type Colors = ReturnType<typeof pc.createColors>;

/** Widest line the report aims for off a terminal; on one, the terminal's width. */
const TABLE_WIDTH = 120;
/** Narrowest the URL column gets: enough for a host's start and a path's end around `…`. */
const MIN_URL_WIDTH = 12;
const INDENT = "  ";

/** A table cell: `text` decides the width, `styled` (the same text with colour codes) is printed. */
interface Cell {
  text: string;
  styled?: string;
  align?: "left" | "right";
}

function width(text: string): number {
  return Array.from(text).length;
}

/**
 * Aligns cells into columns. `gaps[i]` is the space before column i. Padding is measured on the
 * plain text so colour codes do not skew it, and the last column is not padded.
 */
function layout(rows: Cell[][], gaps: number[], indent = ""): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell.text));
    });
  }
  return rows.map((row) => {
    let line = indent;
    row.forEach((cell, i) => {
      const pad = " ".repeat((widths[i] ?? 0) - width(cell.text));
      const shown = cell.styled ?? cell.text;
      if (i > 0) line += " ".repeat(gaps[i] ?? 2);
      if (cell.align === "right") line += pad + shown;
      else line += i === row.length - 1 ? shown : shown + pad;
    });
    return line.trimEnd();
  });
}

function okFailed(ok: number, failed: number, c: Colors): Cell {
  const failedText = `${failed} failed`;
  return {
    text: `${ok} ok · ${failedText}`,
    styled: `${ok} ok · ${failed > 0 ? c.red(failedText) : failedText}`,
  };
}

function percentiles(s: ModeSummary): string {
  const l = s.latencyMs;
  if (l === null) return "no request settled";
  return `p50 ${formatMs(l.p50)} · p90 ${formatMs(l.p90)} · p99 ${formatMs(l.p99)}`;
}

function eventLoopText(e: EventLoopStats): string {
  const { expected, fired } = e.heartbeat;
  // A run shorter than the heartbeat's period gives it nothing to show.
  const heartbeat = expected > 0 ? `${fired}/${expected}` : "–";
  return (
    `max delay ${formatMsOrDash(e.maxDelayMs)} · p99 ${formatMsOrDash(e.p99DelayMs)} · ` +
    `heartbeat ${heartbeat} · busy ${formatPercent(e.utilization)}`
  );
}

function singleRunModes(report: Report, modes: Mode[], c: Colors): string[] {
  const rows: Cell[][] = [];
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    rows.push([
      { text: mode, styled: c.bold(mode) },
      { text: `wall ${formatMs(s.wallMs.mean)}` },
      okFailed(s.ok, s.failed, c),
      { text: formatBytes(s.bytes) },
      { text: `sum ${formatMs(s.sumMs)}` },
      { text: `slowest ${formatMs(s.slowestMs)}` },
    ]);
  }
  return layout(rows, [0, 3, 3, 3, 3, 3]);
}

/** hyperfine's `  Time (mean ± σ):     {:>8}`: values in 8-wide fields from column 23. */
const LABEL_WIDTH = 23;

function label(text: string): string {
  return `${INDENT}${text.padEnd(LABEL_WIDTH - INDENT.length)}`;
}

/** hyperfine's block: mean ± σ and range in one unit, then what the requests did. */
function multiRunMode(mode: Mode, s: ModeSummary, c: Colors): string[] {
  const w = s.wallMs;
  const meanUnit = timeUnitFor(w.mean);
  const minUnit = timeUnitFor(w.min);
  const spread = w.stddev === null ? "" : ` ± ${formatMsIn(w.stddev, meanUnit).padStart(8)}`;
  const failedText = `${s.failed} failed`;
  const lines = [
    c.bold(mode),
    `${label("Time (mean ± σ):")}${formatMsIn(w.mean, meanUnit).padStart(8)}${spread}`,
    `${label("Range (min … max):")}${formatMsIn(w.min, minUnit).padStart(8)} … ` +
      `${formatMsIn(w.max, minUnit).padStart(8)}    ${s.runs} ${s.runs === 1 ? "run" : "runs"}`,
    `${label("Requests:")} ${s.ok} ok · ${s.failed > 0 ? c.red(failedText) : failedText} · ` +
      `${formatBytes(s.bytes)} · latency ${percentiles(s)}`,
  ];
  if (s.eventLoop !== null) lines.push(`${label("Event loop:")} ${eventLoopText(s.eventLoop)}`);
  const connections = connectionsText(s);
  if (connections !== null) lines.push(`${label("Connections:")} ${connections}`);
  return lines;
}

function targetTable(report: Report, modes: Mode[], options: RenderOptions, c: Colors): string[] {
  const targets = report.summary.targets;
  if (targets.length === 0 || modes.length === 0) return [];
  const selection = selectRows(targets, options);

  // Status and latency get their own widths across every cell, so both line up in all modes.
  let statusWidth = 0;
  let latencyWidth = 0;
  for (const t of selection.rows) {
    for (const mode of modes) {
      const cell = t.modes[mode];
      if (cell === undefined) continue;
      statusWidth = Math.max(statusWidth, width(statusLabel(cell)));
      latencyWidth = Math.max(latencyWidth, width(formatMs(cell.latencyMs)));
    }
  }
  const modeCell = (cell: TargetModeSummary | undefined): Cell => {
    if (cell === undefined) return { text: "–" };
    const text = `${statusLabel(cell).padEnd(statusWidth)}  ${formatMs(cell.latencyMs).padStart(latencyWidth)}`;
    return { text, styled: cell.ok ? text : c.red(text) };
  };

  const numberWidth = Math.max(3, String(targets.length).length);
  const modeWidths = modes.map((m) => Math.max(width(m), statusWidth + 2 + latencyWidth));
  const fixed =
    INDENT.length + numberWidth + 2 + 2 + modeWidths.reduce((sum, w) => sum + w + 4, 0) - 4;
  const urlWidth = Math.max(MIN_URL_WIDTH, (options.width ?? TABLE_WIDTH) - fixed);

  const rows: Cell[][] = [
    [
      { text: "#".padStart(numberWidth), align: "right" },
      { text: "URL" },
      ...modes.map((m) => ({ text: m })),
    ],
  ];
  for (const t of selection.rows) {
    rows.push([
      { text: String(t.index + 1), align: "right" },
      { text: truncateMiddle(sanitize(t.url), urlWidth) },
      ...modes.map((m) => modeCell(t.modes[m])),
    ]);
  }
  const lines = layout(rows, [0, 2, 2, ...modes.slice(1).map(() => 4)], INDENT);
  const note = hiddenRowsNote(selection);
  if (note !== null) lines.push(`${INDENT}${c.dim(note)}`);
  return lines;
}

/** Example URLs under each failure group; the rest are counted. */
const FAILURE_EXAMPLES = 3;

/**
 * The failures summarised: one line per kind and message with how many URLs and in which modes,
 * then a few example URLs, so thousands of failures stay a few lines.
 */
function failureLines(report: Report, modes: Mode[], maxWidth: number, c: Colors): string[] {
  const lines: string[] = [];
  const groups = failureGroups(report, modes);
  const countWidth = Math.max(0, ...groups.map((g) => String(g.targets.length).length));
  const kindWidth = Math.max(0, ...groups.map((g) => width(g.kind)));
  for (const group of groups) {
    const kind = group.kind.padEnd(kindWidth);
    const painted = group.kind === "ok" ? c.yellow(kind) : c.red(kind);
    const pad = `${INDENT}${" ".repeat(countWidth + 3)}`;
    const head = `${INDENT}${String(group.targets.length).padStart(countWidth)} × ${kind}`;
    const [first = "", ...rest] = wrapWords(
      `${head}  ${group.message}  (${group.modes.join(", ")})`,
      maxWidth,
      `${pad}${" ".repeat(kindWidth + 2)}`,
    );
    lines.push(first.replace(kind, painted), ...rest);
    for (const target of group.targets.slice(0, FAILURE_EXAMPLES)) {
      lines.push(
        `${pad}#${target.index + 1}  ${truncateMiddle(sanitize(target.url), Math.max(MIN_URL_WIDTH, maxWidth - pad.length - 8))}`,
      );
    }
    const more = group.targets.length - FAILURE_EXAMPLES;
    if (more > 0) lines.push(`${pad}${c.dim(`… and ${more} more`)}`);
  }
  return lines.map((line) => line.trimEnd());
}

/**
 * Single run: latency percentiles and event-loop figures per mode, the mode named at the end.
 * The labels take the mode names' width, so the figures line up with the mode lines above.
 */
function latencyLines(report: Report, modes: Mode[]): string[] {
  const labelWidth = Math.max(...modes.map(width));
  const rows: Cell[][] = [];
  const labelled = new Set<string>();
  const add = (name: string, text: string, mode: Mode): void => {
    const label = labelled.has(name) ? "" : name;
    labelled.add(name);
    rows.push([{ text: label.padEnd(labelWidth) }, { text }, { text: `(${mode})` }]);
  };
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s !== undefined) add("latency", percentiles(s), mode);
  }
  for (const mode of modes) {
    const e = report.summary.modes[mode]?.eventLoop;
    if (e !== undefined && e !== null) add("event loop", eventLoopText(e), mode);
  }
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    const text = s === undefined ? null : connectionsText(s);
    if (text !== null) add("protocol", text, mode);
  }
  return layout(rows, [0, 3, 3]);
}

/** Per mode, a few bars of latency from the fastest request to the slowest. */
function histogramLines(report: Report, modes: Mode[], maxWidth: number, c: Colors): string[] {
  const lines: string[] = [];
  for (const mode of modes) {
    const bins = report.summary.modes[mode]?.latencyHistogram ?? [];
    if (bins.length < 2) continue;
    if (lines.length > 0) lines.push("");
    lines.push(`latency histogram ${c.dim(`(${mode})`)}`);
    const ranges = histogramRows(bins);
    const fixed =
      INDENT.length +
      Math.max(...ranges.map((row) => width(row.range))) +
      Math.max(...ranges.map((row) => String(row.count).length)) +
      3;
    const barWidth = Math.max(4, Math.min(HISTOGRAM_BAR_WIDTH, maxWidth - fixed));
    const rows: Cell[][] = histogramRows(bins, barWidth).map((row) => [
      { text: row.range, align: "right" },
      { text: String(row.count), align: "right" },
      { text: row.bar },
    ]);
    lines.push(...layout(rows, [0, 2, 1], INDENT));
  }
  return lines;
}

function comparisonLines(
  report: Report,
  modes: Mode[],
  multiRun: boolean,
  maxWidth: number,
  c: Colors,
): string[] {
  const cmp = report.summary.comparison;
  if (cmp === null) {
    if (report.options.modes.length < 2) return [];
    // Only the obvious reason is worth stating: a mode that has nothing measured.
    const missing = report.options.modes.find((m) => (report.summary.modes[m]?.runs ?? 0) === 0);
    return missing === undefined ? [] : [`No comparison: ${missing} has no measured run.`];
  }
  if (!modes.includes(cmp.mode) || !modes.includes(cmp.baseline)) return [];
  // Green only for a speed-up no warning casts doubt on (a cold baseline, say).
  const paint = cmp.speedup >= 1 && !comparisonInDoubt(report) ? c.green : c.yellow;
  const headline = comparisonHeadline(cmp, multiRun);
  const efficiency = `${formatPercent(cmp.efficiency)} of the bound`;
  if (!multiRun) {
    const line = `${headline} (ideal ${formatRatio(cmp.idealSpeedup)}, ${efficiency})`;
    return wrapWords(line, maxWidth).map((part) => paint(part));
  }
  return [
    paint(headline),
    `${INDENT}ideal ${formatRatio(cmp.idealSpeedup, 2)} · ${efficiency} (bound ${formatMs(cmp.boundMs)})`,
  ];
}

/**
 * Renders the terminal report. Colour only with `options.color`: mode names bold, failures red,
 * the comparison green when the mode was faster and yellow when it was not. Warnings are not
 * part of it: the CLI prints them on standard error.
 */
export function renderTable(report: Report, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const modes = reportModes(report);
  const multiRun = isMultiRun(report);
  const maxWidth = options.width ?? TABLE_WIDTH;
  const sections: string[][] = [wrapWords(`fetchbench · ${reportContext(report)}`, maxWidth, "  ")];

  if (multiRun) {
    for (const mode of modes) {
      const s = report.summary.modes[mode];
      if (s !== undefined) sections.push(multiRunMode(mode, s, c));
    }
  } else {
    sections.push(singleRunModes(report, modes, c));
  }
  sections.push(targetTable(report, modes, options, c));
  sections.push(failureLines(report, modes, maxWidth, c));
  sections.push(histogramLines(report, modes, maxWidth, c));

  const closing = multiRun ? [] : latencyLines(report, modes);
  const sentence = blockingSentence(report, modes);
  if (sentence !== null) closing.push(...wrapWords(sentence, maxWidth));
  closing.push(...comparisonLines(report, modes, multiRun, maxWidth, c));
  const slowed = serverSlowedSentence(report);
  if (slowed !== null) closing.push(...wrapWords(slowed, maxWidth));
  sections.push(closing);

  return `${sections
    .filter((s) => s.length > 0)
    .map((s) => s.join("\n"))
    .join("\n\n")}\n`;
}
