/**
 * The Markdown report, in hyperfine's layout, ready to append to `$GITHUB_STEP_SUMMARY`.
 * Everything a server sent is escaped; every number comes from the report as it is.
 */

import {
  blockingSentence,
  comparisonHeadline,
  errorText,
  escapeMarkdown,
  failureEntries,
  formatMs,
  formatPercent,
  formatRatio,
  hiddenRowsNote,
  isMultiRun,
  type RenderOptions,
  reportContext,
  reportModes,
  selectRows,
  statusLabel,
} from "./format.js";
import type { Comparison, Mode, ModeSummary, Report, TargetModeSummary } from "./model.js";

/** Milliseconds with one decimal, as hyperfine's Markdown export prints them. */
function ms(value: number | null): string {
  return value === null ? "–" : value.toFixed(1);
}

function table(header: string[], align: ("left" | "right")[], rows: string[][]): string[] {
  const rule = align.map((a) => (a === "right" ? "---:" : ":---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`);
}

/** hyperfine's Relative column: 1.00 for the fastest mode, the others' ratio ± its deviation. */
function relative({ ratio, stddev }: ModeSummary["relative"]): string {
  return stddev === null ? ratio.toFixed(2) : `${ratio.toFixed(2)} ± ${stddev.toFixed(2)}`;
}

function modeTable(report: Report, modes: Mode[]): string[] {
  const rows: string[][] = [];
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    const w = s.wallMs;
    const mean = w.stddev === null ? ms(w.mean) : `${ms(w.mean)} ± ${ms(w.stddev)}`;
    rows.push([`\`${mode}\``, mean, ms(w.min), ms(w.max), relative(s.relative)]);
  }
  return table(
    ["Mode", "Mean [ms]", "Min [ms]", "Max [ms]", "Relative"],
    ["left", "right", "right", "right", "right"],
    rows,
  );
}

function comparisonLine(cmp: Comparison, multiRun: boolean): string {
  const ideal = formatRatio(cmp.idealSpeedup, multiRun ? 2 : 1);
  return (
    `${comparisonHeadline(cmp, multiRun)} (ideal ${ideal}, ` +
    `${formatPercent(cmp.efficiency)} of the bound of ${formatMs(cmp.boundMs)}).`
  );
}

function targetCell(cell: TargetModeSummary | undefined): string {
  if (cell === undefined) return "–";
  const status = escapeMarkdown(statusLabel(cell));
  // No colour in Markdown: failures stand out in bold instead.
  return `${cell.ok ? status : `**${status}**`} · ${formatMs(cell.latencyMs)}`;
}

function targetTable(report: Report, modes: Mode[], options: RenderOptions): string[][] {
  const selection = selectRows(report.summary.targets, options);
  const rows = selection.rows.map((t) => [
    String(t.index + 1),
    escapeMarkdown(t.url),
    ...modes.map((m) => targetCell(t.modes[m])),
  ]);
  const lines = table(
    ["#", "URL", ...modes],
    ["right", "left", ...modes.map(() => "left" as const)],
    rows,
  );
  const note = hiddenRowsNote(selection);
  return note === null ? [lines] : [lines, [`*${escapeMarkdown(note)}*`]];
}

function failureList(report: Report, modes: Mode[], multiRun: boolean): string[] {
  const entries = failureEntries(report, modes);
  if (entries.length === 0) return [];
  const lines = ["Failures:", ""];
  for (const { target, mode, cell, runs } of entries) {
    const tally = multiRun ? ` (failed in ${cell.failures} of ${runs} runs)` : "";
    const what =
      cell.error === null
        ? "ok in the last run"
        : `${cell.error.kind}: ${escapeMarkdown(errorText(cell.error))}`;
    lines.push(`- #${target.index + 1} \`${mode}\` ${what}${tally}`);
  }
  return lines;
}

function eventLoopTable(report: Report, modes: Mode[]): string[] {
  const rows: string[][] = [];
  for (const mode of modes) {
    const e = report.summary.modes[mode]?.eventLoop;
    if (e === undefined || e === null) continue;
    rows.push([
      `\`${mode}\``,
      ms(e.maxDelayMs),
      ms(e.p99DelayMs),
      `${e.heartbeat.fired}/${e.heartbeat.expected}`,
      formatPercent(e.utilization),
    ]);
  }
  if (rows.length === 0) return [];
  return table(
    ["Mode", "Max delay [ms]", "p99 [ms]", "Heartbeat", "Busy"],
    ["left", "right", "right", "right", "right"],
    rows,
  );
}

/**
 * Renders the Markdown report: context line, the modes table (mean ± σ, min, max, relative),
 * the comparison sentence, the per-URL table (rows chosen as in the terminal report), the
 * failures, the event-loop table when measured, and warnings as quotes.
 */
export function renderMarkdown(report: Report, options: RenderOptions): string {
  const modes = reportModes(report);
  const multiRun = isMultiRun(report);
  const cmp = report.summary.comparison;
  const blocks: string[][] = [
    [`**fetchbench** · ${escapeMarkdown(reportContext(report))}`],
    modeTable(report, modes),
  ];
  if (cmp !== null) blocks.push([comparisonLine(cmp, multiRun)]);
  if (report.summary.targets.length > 0) blocks.push(...targetTable(report, modes, options));
  blocks.push(failureList(report, modes, multiRun));
  blocks.push(eventLoopTable(report, modes));
  const sentence = blockingSentence(report, modes);
  if (sentence !== null) blocks.push([sentence]);
  for (const w of report.summary.warnings)
    blocks.push([`> **Warning:** ${escapeMarkdown(w.message)}`]);
  return `${blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join("\n"))
    .join("\n\n")}\n`;
}
