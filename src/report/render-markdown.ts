/**
 * The Markdown report, in hyperfine's layout, ready to append to `$GITHUB_STEP_SUMMARY`.
 * Everything a server sent is escaped; every number comes from the report as it is.
 */

import {
  blockingSentence,
  comparisonSentence,
  escapeMarkdown,
  failureGroups,
  formatMs,
  formatPercent,
  formatRps,
  hiddenRowsNote,
  histogramRows,
  isMultiRun,
  kneeSentence,
  msValueIn,
  type RenderOptions,
  reportContext,
  reportModes,
  selectRows,
  serverSlowedSentence,
  statusLabel,
  sweepVariants,
  type TargetColumn,
  targetColumns,
  uslSentence,
} from "./format.js";
import type { Mode, ModeSummary, Report, TargetModeSummary } from "./model.js";

/** Milliseconds with one decimal, as hyperfine's Markdown export prints them. */
function ms(value: number | null): string {
  return value === null ? "–" : msValueIn(value, "ms");
}

/** A table's lines, made one row at a time as they are read. */
function* table(
  header: string[],
  align: ("left" | "right")[],
  rows: Iterable<string[]>,
): Generator<string> {
  const rule = align.map((a) => (a === "right" ? "---:" : ":---"));
  for (const cells of [header, rule]) yield `| ${cells.join(" | ")} |`;
  for (const cells of rows) yield `| ${cells.join(" | ")} |`;
}

/** hyperfine's Relative column: 1.00 for the fastest mode, the others' ratio ± its deviation. */
function relative({ ratio, stddev }: ModeSummary["relative"]): string {
  return stddev === null ? ratio.toFixed(2) : `${ratio.toFixed(2)} ± ${stddev.toFixed(2)}`;
}

function modeTable(report: Report, modes: Mode[]): Iterable<string> {
  const rows: string[][] = [];
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    const w = s.wallMs;
    const mean = w.stddev === null ? ms(w.mean) : `${ms(w.mean)} ± ${ms(w.stddev)}`;
    const l = s.latencyMs;
    // Latency percentiles are per request; "–" when no request settled.
    const latency = l === null ? ["–", "–", "–"] : [ms(l.p50), ms(l.p90), ms(l.p99)];
    rows.push([`\`${mode}\``, mean, ms(w.min), ms(w.max), relative(s.relative), ...latency]);
  }
  return table(
    ["Mode", "Mean [ms]", "Min [ms]", "Max [ms]", "Relative", "p50 [ms]", "p90 [ms]", "p99 [ms]"],
    ["left", "right", "right", "right", "right", "right", "right", "right"],
    rows,
  );
}

/** A sweep: one row per concurrency, then the knee sentence and the USL fit. */
function sweepTable(report: Report): Iterable<string>[] {
  const variants = sweepVariants(report);
  if (variants.length === 0) return [];
  const knee = report.summary.sweep?.knee?.variant;
  const rows = variants.map(([key, v]) => {
    const w = v.wallMs;
    const speedup =
      v.speedup === null
        ? "–"
        : v.speedupStddev === null
          ? v.speedup.toFixed(2)
          : `${v.speedup.toFixed(2)} ± ${v.speedupStddev.toFixed(2)}`;
    return [
      key === knee ? `**${v.concurrency}** (knee)` : String(v.concurrency),
      w.stddev === null ? ms(w.mean) : `${ms(w.mean)} ± ${ms(w.stddev)}`,
      formatRps(v.throughputRps),
      speedup,
      v.efficiency === null ? "–" : formatPercent(v.efficiency),
      ms(v.latencyMs?.p50 ?? null),
      ms(v.latencyMs?.p99 ?? null),
      String(v.failed),
    ];
  });
  const blocks: Iterable<string>[] = [
    table(
      [
        "Concurrency",
        "Mean [ms]",
        "Req/s",
        "Speed-up",
        "Efficiency",
        "p50 [ms]",
        "p99 [ms]",
        "Failed",
      ],
      ["left", "right", "right", "right", "right", "right", "right", "right"],
      rows,
    ),
  ];
  const sentences = [kneeSentence(report), uslSentence(report)].filter((line) => line !== null);
  for (const line of sentences) blocks.push([escapeMarkdown(line)]);
  return blocks;
}

function targetCell(cell: TargetModeSummary | undefined): string {
  if (cell === undefined) return "–";
  const status = escapeMarkdown(statusLabel(cell));
  // No colour in Markdown: failures stand out in bold instead.
  return `${cell.ok ? status : `**${status}**`} · ${formatMs(cell.latencyMs)}`;
}

function targetTable(
  report: Report,
  columns: TargetColumn[],
  options: RenderOptions,
): Iterable<string>[] {
  const selection = selectRows(report.summary.targets, options);
  const rows = (function* () {
    for (const t of selection.rows) {
      yield [
        String(t.index + 1),
        escapeMarkdown(t.url),
        ...columns.map((m) => targetCell(m.cell(t))),
      ];
    }
  })();
  const lines = table(
    ["#", "URL", ...columns.map((m) => m.key)],
    ["right", "left", ...columns.map(() => "left" as const)],
    rows,
  );
  const note = hiddenRowsNote(selection);
  return note === null ? [lines] : [lines, [`*${escapeMarkdown(note)}*`]];
}

function failureList(report: Report, columns: TargetColumn[]): string[] {
  const groups = failureGroups(report, columns);
  if (groups.length === 0) return [];
  const lines = ["Failures:", ""];
  for (const group of groups) {
    const examples = group.targets
      .slice(0, 3)
      .map((t) => `#${t.index + 1}`)
      .join(", ");
    const more = group.targets.length > 3 ? ` and ${group.targets.length - 3} more` : "";
    const modeList = group.modes.map((m) => `\`${m.key}\``).join(", ");
    lines.push(
      `- ${group.targets.length} × ${group.kind}: ${escapeMarkdown(group.message)} (${modeList}; ${examples}${more})`,
    );
  }
  return lines;
}

function histogramTable(report: Report, modes: Mode[]): Iterable<string> {
  const rows: string[][] = [];
  for (const mode of modes) {
    const bins = report.summary.modes[mode]?.latencyHistogram ?? [];
    if (bins.length < 2) continue;
    for (const row of histogramRows(bins, 20)) {
      rows.push([`\`${mode}\``, row.range, String(row.count), row.bar]);
    }
  }
  if (rows.length === 0) return [];
  return table(
    ["Mode", "Latency", "Requests", "Histogram"],
    ["left", "right", "right", "left"],
    rows,
  );
}

/** Per mode: the mean of each phase, connections opened and peak in flight. */
function phaseTable(report: Report, modes: Mode[]): Iterable<string> {
  const rows: string[][] = [];
  for (const mode of modes) {
    const s = report.summary.modes[mode];
    if (s === undefined) continue;
    const p = s.phases;
    rows.push([
      `\`${mode}\``,
      ...[p.queuedMs, p.dnsMs, p.tcpMs, p.tlsMs, p.waitMs, p.downloadMs].map(ms),
      s.connectionsOpened === null ? "–" : String(Number(s.connectionsOpened.toFixed(1))),
      String(s.peakInFlight),
    ]);
  }
  if (rows.length === 0) return [];
  return table(
    [
      "Mode",
      "Queued [ms]",
      "DNS [ms]",
      "TCP [ms]",
      "TLS [ms]",
      "Wait [ms]",
      "Download [ms]",
      "Connections",
      "Peak in flight",
    ],
    ["left", ...Array<"right">(8).fill("right")],
    rows,
  );
}

function eventLoopTable(report: Report, modes: Mode[]): Iterable<string> {
  const rows: string[][] = [];
  for (const mode of modes) {
    const e = report.summary.modes[mode]?.eventLoop;
    if (e === undefined || e === null) continue;
    rows.push([
      `\`${mode}\``,
      ms(e.maxDelayMs),
      ms(e.p99DelayMs),
      e.heartbeat.expected > 0 ? `${e.heartbeat.fired}/${e.heartbeat.expected}` : "–",
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
 * failures, the phase table, the event-loop table when measured, and warnings as quotes; a line at a time.
 */
export function* renderMarkdown(report: Report, options: RenderOptions): Generator<string> {
  const modes = reportModes(report);
  const multiRun = isMultiRun(report);
  const cmp = report.summary.comparison;
  const blocks: Iterable<string>[] = [
    [`**fetchbench** · ${escapeMarkdown(reportContext(report))}`],
    modeTable(report, modes),
  ];
  if (cmp !== null) blocks.push([comparisonSentence(cmp, multiRun)]);
  blocks.push(...sweepTable(report));
  const slowed = serverSlowedSentence(report);
  if (slowed !== null) blocks.push([slowed]);
  const columns = targetColumns(report);
  if (report.summary.targets.length > 0) blocks.push(...targetTable(report, columns, options));
  blocks.push(failureList(report, columns));
  blocks.push(histogramTable(report, modes));
  blocks.push(phaseTable(report, modes));
  blocks.push(eventLoopTable(report, modes));
  const sentence = blockingSentence(report, modes);
  if (sentence !== null) blocks.push([sentence]);
  for (const w of report.summary.warnings)
    blocks.push([`> **Warning:** ${escapeMarkdown(w.message)}`]);
  // A line at a time; a blank line between blocks that have any.
  let separator = "";
  for (const block of blocks) {
    let empty = true;
    for (const line of block) {
      yield `${empty ? separator : ""}${line}\n`;
      empty = false;
    }
    if (!empty) separator = "\n";
  }
}
