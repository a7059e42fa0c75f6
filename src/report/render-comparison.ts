/** A comparison of two reports as terminal text, Markdown or JSON; renders, never computes. */

import type { Change, ModeChange, ReportComparison, UrlChange } from "./compare.js";
import { escapeMarkdown, formatMs, sanitize, truncateMiddle } from "./format.js";

export const COMPARISON_FORMATS = ["table", "markdown", "json"] as const;
export type ComparisonFormat = (typeof COMPARISON_FORMATS)[number];

/** Per-URL rows shown unless every one is asked for. */
const MAX_URL_ROWS = 20;

export function renderComparison(
  comparison: ReportComparison,
  format: ComparisonFormat,
  options: { allRows: boolean },
): string {
  if (format === "json") return `${JSON.stringify(comparison, null, 2)}\n`;
  return format === "markdown"
    ? renderMarkdown(comparison, options.allRows)
    : renderText(comparison, options.allRows);
}

/** `+12.3% ± 1.1%` (slower), `-40.0%` (faster), or `–` without a ratio. */
export function formatChange(change: Pick<Change, "ratio" | "ratioStddev">): string {
  if (change.ratio === null) return "–";
  const percent = (change.ratio - 1) * 100;
  const sign = percent > 0 ? "+" : percent < 0 ? "−" : "±";
  const text = `${sign}${Math.abs(percent).toFixed(1)}%`;
  return change.ratioStddev === null ? text : `${text} ± ${(change.ratioStddev * 100).toFixed(1)}%`;
}

function figures(change: Change): string {
  const before = change.baselineMs === null ? "–" : formatMs(change.baselineMs);
  const after = change.currentMs === null ? "–" : formatMs(change.currentMs);
  return `${before} → ${after}`;
}

/** `slower (Welch's t, p = 0.003)`, `cannot tell: one measured run on each side; …`. */
export function verdictText(change: Change): string {
  if (change.verdict === "cannot tell") return `cannot tell: ${change.reason ?? "no test"}`;
  const test = change.test === "welch-t" ? "Welch's t" : "Mann–Whitney U";
  return `${change.verdict} (${test}, ${formatP(change.pValue ?? 1)})`;
}

function formatP(p: number): string {
  return p < 0.0001 ? "p < 0.0001" : `p = ${p.toPrecision(2)}`;
}

function confidenceText(comparison: ReportComparison): string {
  return `${Math.round(comparison.confidence * 100)}% confidence`;
}

function shownUrls(comparison: ReportComparison, allRows: boolean): UrlChange[] {
  const told = comparison.urls.filter(
    (url) => allRows || url.latency.verdict === "slower" || url.latency.verdict === "faster",
  );
  return allRows ? told : told.slice(0, MAX_URL_ROWS);
}

function modeHeadline(mode: ModeChange, comparison: ReportComparison): string {
  return mode.verdict === "cannot tell"
    ? `${mode.variant}: cannot tell`
    : `${mode.variant}: ${mode.verdict} at ${confidenceText(comparison)}`;
}

/** `concurrent@16: only in the current report; the baseline ran the concurrent mode at -c 1,4`. */
function notComparedLines(comparison: ReportComparison): string[] {
  return comparison.notCompared.map(({ variant, reason }) => `${variant}: ${reason}`);
}

function renderText(comparison: ReportComparison, allRows: boolean): string {
  const lines = [
    `Comparing ${sanitize(comparison.current.source)} (${comparison.current.startedAt}) against the baseline ${sanitize(comparison.baseline.source)} (${comparison.baseline.startedAt})`,
  ];
  if (comparison.differences.length > 0) {
    lines.push("", "Differences (only what matches is compared):");
    for (const line of comparison.differences) lines.push(`  ${sanitize(line)}`);
  }
  const skipped = notComparedLines(comparison);
  if (skipped.length > 0) {
    lines.push("", "Not compared:");
    for (const line of skipped) lines.push(`  ${sanitize(line)}`);
  }
  if (comparison.modes.length === 0) lines.push("", "No mode can be compared.");
  for (const mode of comparison.modes) {
    lines.push("", modeHeadline(mode, comparison));
    for (const [label, change] of [
      ["wall (mean)", mode.wall],
      ["latency (median)", mode.latency],
    ] as const) {
      lines.push(
        `  ${label.padEnd(17)} ${figures(change).padEnd(22)} ${formatChange(change).padEnd(18)} ${verdictText(change)}`,
      );
    }
  }
  const urls = shownUrls(comparison, allRows);
  if (urls.length > 0) {
    lines.push("", "Per URL (median latency):");
    const width = Math.max(...urls.map((url) => url.variant.length));
    for (const url of urls) {
      lines.push(
        `  ${url.variant.padEnd(width)} ${truncateMiddle(sanitize(url.url), 50).padEnd(50)} ${figures(url.latency).padEnd(22)} ${formatChange(url.latency).padEnd(18)} ${verdictText(url.latency)}`,
      );
    }
  }
  const hidden = comparison.urls.length - urls.length;
  if (hidden > 0 && !allRows) {
    lines.push(
      "",
      `${hidden} more URL row${hidden === 1 ? "" : "s"} without a significant change or not shown (--all shows every one)`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function renderMarkdown(comparison: ReportComparison, allRows: boolean): string {
  const cell = (text: string) => escapeMarkdown(text);
  const lines = [
    "## fetchbench comparison",
    "",
    `Current ${cell(comparison.current.source)} (${comparison.current.startedAt}) against the baseline ${cell(comparison.baseline.source)} (${comparison.baseline.startedAt}), verdicts at ${confidenceText(comparison)}.`,
  ];
  if (comparison.differences.length > 0) {
    lines.push("", "Differences (only what matches is compared):", "");
    for (const line of comparison.differences) lines.push(`- ${cell(line)}`);
  }
  const skipped = notComparedLines(comparison);
  if (skipped.length > 0) {
    lines.push("", "Not compared:", "");
    for (const line of skipped) lines.push(`- ${cell(line)}`);
  }
  if (comparison.modes.length > 0) {
    lines.push(
      "",
      "| Mode | Verdict | Wall (mean) | Wall change | Wall test | Latency (median) | Latency change | Latency test |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const mode of comparison.modes) {
      lines.push(
        `| ${mode.variant} | **${mode.verdict}** | ${figures(mode.wall)} | ${formatChange(mode.wall)} | ${cell(verdictText(mode.wall))} | ${figures(mode.latency)} | ${formatChange(mode.latency)} | ${cell(verdictText(mode.latency))} |`,
      );
    }
  } else {
    lines.push("", "No mode can be compared.");
  }
  const urls = shownUrls(comparison, allRows);
  if (urls.length > 0) {
    lines.push(
      "",
      "| Mode | URL | Latency (median) | Change | Verdict |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const url of urls) {
      lines.push(
        `| ${url.variant} | ${cell(url.url)} | ${figures(url.latency)} | ${formatChange(url.latency)} | ${cell(verdictText(url.latency))} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
