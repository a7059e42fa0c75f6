/**
 * `fetchbench compare <baseline.json> <current.json>` and `run … --baseline`: what changed
 * between two reports, with a noise-aware verdict, and `--max-regression` as an exit code.
 */

import { ExitCode, UsageError } from "../errors.js";
import {
  compareReports,
  MATCHES,
  type Match,
  type ModeChange,
  type ReportComparison,
  regressions,
} from "../report/compare.js";
import type { Report } from "../report/model.js";
import { readReportFile } from "../report/reader.js";
import {
  COMPARISON_FORMATS,
  type ComparisonFormat,
  formatChange,
  renderComparison,
} from "../report/render-comparison.js";
import { quoteInput } from "../targets.js";
import type { CommandIo } from "./report.js";

export interface CompareCommandOptions {
  format?: string;
  json?: boolean;
  maxRegression?: string;
  all?: boolean;
  match?: string;
}

/** Prints the comparison; 1 when `--max-regression` is exceeded, else 0. */
export async function compareCommand(
  io: CommandIo,
  baselineFile: string,
  currentFile: string,
  raw: CompareCommandOptions,
): Promise<number> {
  const format = raw.json ? "json" : parseComparisonFormat(raw.format ?? "table");
  const maxRegression =
    raw.maxRegression === undefined ? null : parseMaxRegression(raw.maxRegression);
  const match = parseMatch(raw.match ?? "url");
  const baseline = await readReportFile(baselineFile);
  const current = await readReportFile(currentFile);
  const comparison = compareReports(baseline, current, match);
  io.stdout(renderComparison(comparison, format, { allRows: raw.all === true }));
  return regressionExitCode(io, comparison, maxRegression);
}

/**
 * For `run … --baseline`: compares the fresh report against the saved one and prints the
 * comparison (as a table after a table report; on standard error when standard output carries
 * another format, so that it stays parseable). Returns 1 on a regression beyond the limit.
 */
export function compareWithBaseline(
  io: CommandIo & { reportFormat: string },
  baseline: Report,
  current: Report,
  maxRegression: number | null,
): { code: number; comparison: ReportComparison; regressions: ModeChange[] } {
  const comparison = compareReports(baseline, current);
  const text = renderComparison(comparison, "table", { allRows: false });
  if (io.reportFormat === "table") io.stdout(`\n${text}`);
  else io.stderr(text);
  return {
    code: regressionExitCode(io, comparison, maxRegression),
    comparison,
    regressions: maxRegression === null ? [] : regressions(comparison, maxRegression),
  };
}

function regressionExitCode(
  io: CommandIo,
  comparison: ReportComparison,
  maxRegression: number | null,
): number {
  if (maxRegression === null) return ExitCode.ok;
  const slower = regressions(comparison, maxRegression);
  for (const mode of slower) {
    io.stderr(
      `fetchbench: --max-regression ${maxRegression}%: ${mode.variant} is slower by ${formatChange(
        mode.wall.verdict !== "cannot tell" ? mode.wall : mode.latency,
      )} (significant at ${Math.round(comparison.confidence * 100)}% confidence)\n`,
    );
  }
  return slower.length > 0 ? ExitCode.failed : ExitCode.ok;
}

/** `--max-regression`: a percentage from 0 up, with or without `%`: `10`, `2.5%`. */
export function parseMaxRegression(value: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)%?$/.exec(value.trim());
  if (match?.[1] === undefined) {
    throw new UsageError(
      `Expected \`--max-regression\` to be a percentage such as 10 or 2.5%, got ${quoteInput(value)}`,
    );
  }
  return Number(match[1]);
}

function parseMatch(value: string): Match {
  if (!MATCHES.includes(value as Match)) {
    throw new UsageError(
      `Expected \`--match\` to be one of ${MATCHES.join(", ")}, got ${quoteInput(value)}`,
    );
  }
  return value as Match;
}

function parseComparisonFormat(value: string): ComparisonFormat {
  if (!COMPARISON_FORMATS.includes(value as ComparisonFormat)) {
    throw new UsageError(
      `Expected \`--format\` to be one of ${COMPARISON_FORMATS.join(", ")}, got ${quoteInput(value)}`,
    );
  }
  return value as ComparisonFormat;
}

/** Reads the `--baseline` report before anything is fetched, so a bad one costs no run. */
export async function readBaseline(file: string | undefined): Promise<Report | null> {
  return file === undefined ? null : await readReportFile(file);
}
