/**
 * The terminal report: modes side by side, the per-URL table, failures, latency, event loop and
 * the comparison, laid out like hyperfine. Every number comes from the report as it is.
 */

import pc from "picocolors";
import {
  blockingSentence,
  comparisonHeadline,
  comparisonInDoubt,
  failureGroups,
  formatBytes,
  formatMeanCount,
  formatMs,
  formatMsIn,
  formatMsOrDash,
  formatPercent,
  formatRatio,
  formatRps,
  HISTOGRAM_BAR_WIDTH,
  hiddenRowsNote,
  histogramRows,
  isMultiRun,
  kneeSentence,
  protocolText,
  type RenderOptions,
  reportContext,
  reportModes,
  sanitize,
  selectRows,
  serverSlowedSentence,
  statusLabel,
  sweepVariants,
  type TargetColumn,
  targetColumns,
  timeUnitFor,
  truncateMiddle,
  uslSentence,
  wrapWords,
} from "./format.js";
import type {
  EventLoopStats,
  Mode,
  ModeSummary,
  Report,
  TargetModeSummary,
  TargetSummary,
  VariantSummary,
} from "./model.js";
import { waterfallLines } from "./waterfall.js";

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

/** Where a request's time went, on average: `queued · dns · tcp · tls · wait · download`. */
function phaseText(s: ModeSummary): string {
  const p = s.phases;
  return (
    `queued ${formatMsOrDash(p.queuedMs)} · dns ${formatMsOrDash(p.dnsMs)} · ` +
    `tcp ${formatMsOrDash(p.tcpMs)} · tls ${formatMsOrDash(p.tlsMs)} · ` +
    `wait ${formatMsOrDash(p.waitMs)} · download ${formatMsOrDash(p.downloadMs)}`
  );
}

/** curl's `num_connects` and the most requests in flight at once. */
function connectionText(s: ModeSummary): string {
  const opened = s.connectionsOpened === null ? "–" : formatMeanCount(s.connectionsOpened);
  return `${opened} opened · peak ${s.peakInFlight} in flight`;
}

function singleRunModes(report: Report, modes: Mode[], maxWidth: number, c: Colors): string[] {
  const names: Cell[] = [];
  const figures: Cell[][] = [];
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    names.push({ text: mode, styled: c.bold(mode) });
    figures.push([
      { text: `wall ${formatMs(s.wallMs.mean)}` },
      okFailed(s.ok, s.failed, c),
      { text: formatBytes(s.bytes) },
      { text: `sum ${formatMs(s.sumMs)}` },
      { text: `slowest ${formatMs(s.slowestMs)}` },
    ]);
  }
  const wide = layout(
    names.map((name, i) => [name, ...(figures[i] ?? [])]),
    [0, 3, 3, 3, 3, 3],
  );
  if (wide.every((line) => width(line) <= maxWidth) || names.length === 0) return wide;
  // Too wide: each mode's figures go on as many lines as they need, the same number of figures
  // on each line for every mode, so the columns still line up.
  const nameWidth = Math.max(...names.map((name) => width(name.text)));
  const room = maxWidth - nameWidth - 2;
  const count = figures[0]?.length ?? 0;
  let perLine = count;
  const chunked = (n: number) =>
    Array.from({ length: Math.ceil(count / n) }, (_, k) =>
      layout(
        figures.map((row) => row.slice(k * n, k * n + n)),
        [0, 2, 2, 2, 2],
      ),
    );
  while (perLine > 1 && chunked(perLine).some((lines) => lines.some((l) => width(l) > room))) {
    perLine -= 1;
  }
  const chunks = chunked(perLine);
  return names.flatMap((name, i) =>
    chunks.map((lines, k) => {
      const lead =
        k === 0
          ? `${name.styled ?? name.text}${" ".repeat(nameWidth - width(name.text))}`
          : " ".repeat(nameWidth);
      return `${lead}  ${lines[i] ?? ""}`.trimEnd();
    }),
  );
}

/** hyperfine's `  Time (mean ± σ):     {:>8}`: values in 8-wide fields from column 23. */
const LABEL_WIDTH = 23;

function label(text: string): string {
  return `${INDENT}${text.padEnd(LABEL_WIDTH - INDENT.length)}`;
}

/** hyperfine's block: mean ± σ and range in one unit, then what the requests did. */
function multiRunMode(mode: Mode, s: ModeSummary, maxWidth: number, c: Colors): string[] {
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
  lines.push(`${label("Phases (mean):")} ${phaseText(s)}`);
  lines.push(`${label("Connections:")} ${connectionText(s)}`);
  if (s.eventLoop !== null) lines.push(`${label("Event loop:")} ${eventLoopText(s.eventLoop)}`);
  const protocol = protocolText(s);
  if (protocol !== null) lines.push(`${label("Protocol:")} ${protocol}`);
  // Figures past the terminal's edge go on under the values, not under the labels.
  return lines.flatMap((line) => wrapWords(line, maxWidth, " ".repeat(LABEL_WIDTH + 1)));
}

function targetTable(
  report: Report,
  columns: TargetColumn[],
  options: RenderOptions,
  c: Colors,
): string[] {
  const targets = report.summary.targets;
  if (targets.length === 0 || columns.length === 0) return [];
  const selection = selectRows(targets, options);

  // Status and latency get their own widths across every cell, so both line up in all columns.
  let statusWidth = 0;
  let latencyWidth = 0;
  for (const t of selection.rows) {
    for (const column of columns) {
      const cell = column.cell(t);
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
  const modeWidths = columns.map((m) => Math.max(width(m.key), statusWidth + 2 + latencyWidth));
  const fixed =
    INDENT.length + numberWidth + 2 + 2 + modeWidths.reduce((sum, w) => sum + w + 4, 0) - 4;
  const maxWidth = options.width ?? TABLE_WIDTH;
  if (fixed + MIN_URL_WIDTH > maxWidth) {
    return stackedTable(selection, columns, numberWidth, maxWidth, modeCell, c);
  }
  const urlWidth = maxWidth - fixed;

  const rows: Cell[][] = [
    [
      { text: "#".padStart(numberWidth), align: "right" },
      { text: "URL" },
      ...columns.map((m) => ({ text: m.key })),
    ],
  ];
  for (const t of selection.rows) {
    rows.push([
      { text: String(t.index + 1), align: "right" },
      { text: truncateMiddle(sanitize(t.url), urlWidth) },
      ...columns.map((m) => modeCell(m.cell(t))),
    ]);
  }
  const lines = layout(rows, [0, 2, 2, ...columns.slice(1).map(() => 4)], INDENT);
  return [...lines, ...hiddenNote(selection, maxWidth, c)];
}

/** The line (or lines, wrapped to fit) that accounts for the rows the table leaves out. */
function hiddenNote(selection: ReturnType<typeof selectRows>, maxWidth: number, c: Colors) {
  const note = hiddenRowsNote(selection);
  if (note === null) return [];
  return wrapWords(note, maxWidth - INDENT.length).map((line) => `${INDENT}${c.dim(line)}`);
}

/**
 * The per-URL table for a terminal too narrow for the columns side by side: each URL on a line
 * of its own, then its cells, as many side by side as fit (a sweep has many).
 */
function stackedTable(
  selection: ReturnType<typeof selectRows>,
  columns: TargetColumn[],
  numberWidth: number,
  maxWidth: number,
  modeCell: (cell: TargetModeSummary | undefined) => Cell,
  c: Colors,
): string[] {
  const pad = " ".repeat(INDENT.length + numberWidth + 2);
  const urlWidth = Math.max(MIN_URL_WIDTH, maxWidth - pad.length);
  const lines = [`${INDENT}${"#".padStart(numberWidth)}  URL`];
  // Each cell with its column's name before it, in slots of one width, as many to a line as fit.
  const nameWidth = Math.max(...columns.map((m) => width(m.key)));
  const cellWidth = Math.max(
    1,
    ...selection.rows.flatMap((t) => columns.map((m) => width(modeCell(m.cell(t)).text))),
  );
  const perLine = Math.max(
    1,
    Math.floor((maxWidth - pad.length + 4) / (nameWidth + 2 + cellWidth + 4)),
  );
  // Before a column's name 4 spaces (none before the first), before its cell 2.
  const gaps = Array.from({ length: perLine * 2 }, (_, i) => (i === 0 ? 0 : i % 2 === 0 ? 4 : 2));
  for (const t of selection.rows) {
    lines.push(
      `${INDENT}${String(t.index + 1).padStart(numberWidth)}  ${truncateMiddle(sanitize(t.url), urlWidth)}`,
    );
    const rows: Cell[][] = [];
    for (let k = 0; k < columns.length; k += perLine) {
      rows.push(
        columns.slice(k, k + perLine).flatMap((m) => [{ text: m.key }, modeCell(m.cell(t))]),
      );
    }
    lines.push(...layout(rows, gaps, pad));
  }
  return [...lines, ...hiddenNote(selection, maxWidth, c)];
}

/**
 * With several measured runs, how many of them a URL failed in: `failed in 2 of 5 runs`, or per
 * column when they differ (`sequential 1 of 5 runs, concurrent 3 of 5`); null with one run.
 */
function failedRuns(target: TargetSummary, columns: TargetColumn[]): string | null {
  const counts = columns.map((mode) => ({
    mode: mode.key,
    failures: mode.cell(target)?.failures ?? 0,
    runs: mode.runs,
  }));
  if (counts.every((count) => count.runs <= 1)) return null;
  const [first] = counts;
  if (first === undefined) return null;
  if (counts.every((n) => n.failures === first.failures && n.runs === first.runs)) {
    return `failed in ${first.failures} of ${first.runs} runs`;
  }
  return `failed in ${counts.map((n) => `${n.failures} of ${n.runs} ${n.mode} runs`).join(", ")}`;
}

/** Example URLs under each failure group; the rest are counted. */
const FAILURE_EXAMPLES = 3;

/**
 * The failures summarised: one line per kind and message with how many URLs and in which modes,
 * then a few example URLs, so thousands of failures stay a few lines.
 */
function failureLines(
  report: Report,
  columns: TargetColumn[],
  maxWidth: number,
  c: Colors,
): string[] {
  const lines: string[] = [];
  const groups = failureGroups(report, columns);
  const countWidth = Math.max(0, ...groups.map((g) => String(g.targets.length).length));
  const kindWidth = Math.max(0, ...groups.map((g) => width(g.kind)));
  for (const group of groups) {
    const kind = group.kind.padEnd(kindWidth);
    const painted = group.kind === "ok" ? c.yellow(kind) : c.red(kind);
    const pad = `${INDENT}${" ".repeat(countWidth + 3)}`;
    const head = `${INDENT}${String(group.targets.length).padStart(countWidth)} × ${kind}`;
    const [first = "", ...rest] = wrapWords(
      `${head}  ${group.message}  (${group.modes.map((m) => m.key).join(", ")})`,
      maxWidth,
      `${pad}${" ".repeat(kindWidth + 2)}`,
    );
    lines.push(first.replace(kind, painted), ...rest);
    for (const target of group.targets.slice(0, FAILURE_EXAMPLES)) {
      const runs = failedRuns(target, group.modes);
      const room = maxWidth - pad.length - 8;
      // The run count follows the URL where both fit, else goes on the next line.
      const inline = runs !== null && room - width(runs) - 2 >= MIN_URL_WIDTH;
      const url = truncateMiddle(
        sanitize(target.url),
        Math.max(MIN_URL_WIDTH, inline && runs !== null ? room - width(runs) - 2 : room),
      );
      const after = inline && runs !== null ? `  ${c.dim(runs)}` : "";
      lines.push(`${pad}#${target.index + 1}  ${url}${after}`);
      if (runs !== null && !inline) lines.push(`${pad}  ${c.dim(runs)}`);
    }
    const more = group.targets.length - FAILURE_EXAMPLES;
    if (more > 0) lines.push(`${pad}${c.dim(`… and ${more} more`)}`);
  }
  return lines.map((line) => line.trimEnd());
}

/**
 * Single run: latency percentiles, phases, connections and event-loop figures per mode, the mode
 * named at the end.
 * The labels take the mode names' width, so the figures line up with the mode lines above.
 * Where that is too wide, each label heads its modes, whose figures wrap at their ` · `.
 */
function latencyLines(report: Report, modes: Mode[], maxWidth: number): string[] {
  const labelWidth = Math.max(...modes.map(width), width("connections"));
  const figures: [string, (s: ModeSummary) => string | null][] = [
    ["latency", percentiles],
    ["phases", phaseText],
    ["connections", connectionText],
    ["protocol", protocolText],
    ["event loop", (s) => (s.eventLoop === null ? null : eventLoopText(s.eventLoop))],
  ];
  const lines: string[] = [];
  const lead = INDENT.length + labelWidth + 2;
  // One block per figure, so a long line (the phases) does not push the others' mode names
  // out; a block too wide for the terminal puts its label above and wraps each mode's figures.
  for (const [name, text] of figures) {
    const entries: { text: string; mode: Mode }[] = [];
    for (const mode of modes) {
      const s = report.summary.modes[mode];
      const shown = s === undefined ? null : text(s);
      if (shown !== null) entries.push({ text: shown, mode });
    }
    if (entries.length === 0) continue;
    const wide = layout(
      entries.map(({ text: shown, mode }, k) => [
        { text: (k === 0 ? name : "").padEnd(labelWidth) },
        { text: shown },
        { text: `(${mode})` },
      ]),
      [0, 3, 3],
    );
    if (wide.every((line) => width(line) <= maxWidth)) {
      lines.push(...wide);
      continue;
    }
    lines.push(name);
    for (const entry of entries) {
      const parts = packParts(entry.text.split(" · "), maxWidth - lead);
      parts.forEach((part, k) => {
        const head = k === 0 ? `${INDENT}${entry.mode.padEnd(labelWidth)}  ` : " ".repeat(lead);
        lines.push(`${head}${part}`);
      });
    }
  }
  return lines;
}

/** Joins figures with ` · ` into as few lines of at most `room` columns as they allow. */
function packParts(parts: readonly string[], room: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.at(-1);
    if (last !== undefined && width(last) + 3 + width(part) <= room) {
      lines[lines.length - 1] = `${last} · ${part}`;
    } else {
      lines.push(part);
    }
  }
  return lines;
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
    // A sweep compares each variant in its own table instead.
    if (report.options.modes.length < 2 || report.summary.variants !== undefined) return [];
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
    ...wrapWords(headline, maxWidth).map((part) => paint(part)),
    ...wrapWords(
      `${INDENT}ideal ${formatRatio(cmp.idealSpeedup, 2)} · ${efficiency} (bound ${formatMs(cmp.boundMs)})`,
      maxWidth,
      INDENT,
    ),
  ];
}

/** Bars of a chart row: eighths of a cell, so small differences still show. */
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

function bar(value: number, max: number, cells: number): string {
  if (!(max > 0) || !(value > 0)) return "";
  const eighths = Math.round((value / max) * cells * 8);
  return "█".repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? "");
}

/**
 * A sweep: one row per concurrency (the rows double, so the vertical axis is a log scale) with
 * mean wall, throughput, speed-up, efficiency, p50, p99 and failures; then a chart of throughput
 * and p99 latency against concurrency, the knee sentence and the USL fit.
 */
function sweepLines(report: Report, maxWidth: number, c: Colors): string[] {
  const variants = sweepVariants(report);
  if (variants.length === 0) return [];
  const knee = report.summary.sweep?.knee?.variant;
  // `spread`: the ± σ of the wall and of the speed-up, left out when the terminal is narrow.
  const rowsOf = (spread: boolean): Cell[][] => {
    const head: Cell[] = [
      "-c",
      "wall",
      "req/s",
      "speed-up",
      "efficiency",
      "p50",
      "p99",
      "requests",
      "",
    ].map((text, i) => ({ text, align: i === 0 || i >= 7 ? "left" : "right" }));
    const rows: Cell[][] = [head];
    for (const [key, v] of variants) {
      const w = v.wallMs;
      const mark = key === knee ? "◀ knee" : "";
      const speedup =
        v.speedup === null
          ? "–"
          : v.speedupStddev === null || !spread
            ? formatRatio(v.speedup)
            : `${formatRatio(v.speedup)} ± ${v.speedupStddev.toFixed(1)}`;
      rows.push([
        { text: String(v.concurrency), styled: c.bold(String(v.concurrency)) },
        {
          text:
            w.stddev === null || !spread
              ? formatMs(w.mean)
              : `${formatMs(w.mean)} ± ${formatMs(w.stddev)}`,
          align: "right",
        },
        { text: formatRps(v.throughputRps), align: "right" },
        { text: speedup, align: "right" },
        { text: v.efficiency === null ? "–" : formatPercent(v.efficiency), align: "right" },
        { text: formatMsOrDash(v.latencyMs?.p50 ?? null), align: "right" },
        { text: formatMsOrDash(v.latencyMs?.p99 ?? null), align: "right" },
        okFailed(v.ok, v.failed, c),
        { text: mark, styled: c.green(mark) },
      ]);
    }
    return rows;
  };
  const fits = (lines: string[]) => lines.every((line) => width(line) <= maxWidth);
  const gaps = [0, 2, 2, 2, 2, 2, 2, 3, 2];
  let table = layout(rowsOf(true), gaps, INDENT);
  if (!fits(table)) table = layout(rowsOf(false), gaps, INDENT);
  if (!fits(table)) {
    // Still too wide: the wall and the speed-up first, then the latency and the requests.
    const rows = rowsOf(false);
    const pick = (columns: number[]) =>
      rows.map((row) => columns.map((i) => row[i] ?? { text: "" }));
    table = [
      ...layout(pick([0, 1, 2, 3, 4, 8]), [0, 2, 2, 2, 2, 2], INDENT),
      "",
      ...layout(pick([0, 5, 6, 7]), [0, 2, 2, 3], INDENT),
    ];
  }
  const lines = [c.bold("concurrency sweep"), ...table, "", ...sweepChart(variants, maxWidth)];
  const sentence = kneeSentence(report);
  if (sentence !== null) lines.push("", ...wrapWords(sentence, maxWidth).map((l) => c.green(l)));
  const usl = uslSentence(report);
  if (usl !== null) lines.push(...wrapWords(usl, maxWidth));
  return lines;
}

/** Throughput (█) and p99 latency (▒ scale) side by side, each bar against its own largest value. */
function sweepChart(variants: [string, VariantSummary][], maxWidth: number): string[] {
  const labels = variants.map(([, v]) => String(v.concurrency));
  const rps = variants.map(([, v]) => formatRps(v.throughputRps));
  const p99 = variants.map(([, v]) => formatMsOrDash(v.latencyMs?.p99 ?? null));
  const labelWidth = Math.max(2, ...labels.map(width));
  const rpsWidth = Math.max(...rps.map(width));
  const p99Width = Math.max(...p99.map(width));
  // indent, label, two gaps, two numbers, the separator: the rest is split between the bars.
  const fixed = INDENT.length + labelWidth + 2 + rpsWidth + 1 + 3 + p99Width + 1;
  const cells = Math.max(4, Math.floor((maxWidth - fixed) / 2));
  const maxRps = Math.max(...variants.map(([, v]) => v.throughputRps));
  const maxP99 = Math.max(...variants.map(([, v]) => v.latencyMs?.p99 ?? 0));
  const header = `${INDENT}${"-c".padEnd(labelWidth)}  ${"throughput (req/s)".padEnd(cells + rpsWidth + 1)} │ p99 latency`;
  return [
    header,
    ...variants.map(([, v], i) => {
      const left = `${bar(v.throughputRps, maxRps, cells).padEnd(cells)} ${(rps[i] ?? "").padStart(rpsWidth)}`;
      const right = `${bar(v.latencyMs?.p99 ?? 0, maxP99, cells)} ${p99[i] ?? ""}`;
      return `${INDENT}${(labels[i] ?? "").padStart(labelWidth)}  ${left} │ ${right}`.trimEnd();
    }),
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
      if (s !== undefined) sections.push(multiRunMode(mode, s, maxWidth, c));
    }
  } else {
    sections.push(singleRunModes(report, modes, maxWidth, c));
  }
  sections.push(sweepLines(report, maxWidth, c));
  const columns = targetColumns(report);
  sections.push(targetTable(report, columns, options, c));
  sections.push(failureLines(report, columns, maxWidth, c));
  sections.push(histogramLines(report, modes, maxWidth, c));
  if (options.waterfall === true)
    sections.push(waterfallLines(report, modes, { width: maxWidth }, c));

  const closing = multiRun ? [] : latencyLines(report, modes, maxWidth);
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
