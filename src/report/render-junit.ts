/**
 * JUnit XML for CI test reporters (GitLab, Jenkins, GitHub test-report actions): one test case
 * per URL per mode (a failed request is a failure with its kind and message), one per threshold,
 * one per variant compared against a baseline (a variant left out of the comparison is a
 * skipped case, with the reason). Renders, never measures.
 *
 * The output is the JUnit format in its strict form, as Jenkins' schema has it (a test validates it
 * against test/fixtures/junit.xsd): `timestamp` belongs to each `testsuite`, not to `testsuites`.
 */

import type { ModeChange, ReportComparison } from "./compare.js";
import { errorText, sanitize, targetColumns } from "./format.js";
import type { Report } from "./model.js";

/** What the run was judged by, besides the report itself. */
export interface JunitChecks {
  /** Each threshold asked for, as its flag reads (`--min-speedup 3`), and its missed line or null. */
  thresholds: { name: string; missed: string | null }[];
  /** The comparison against `--baseline`, with the modes that count as regressions. */
  comparison: { comparison: ReportComparison; regressions: ModeChange[] } | null;
}

interface Case {
  name: string;
  classname: string;
  seconds: number;
  failure: { type: string; message: string } | null;
  /** Why the case was not run (a variant the comparison could not pair). */
  skipped?: string;
  output?: string;
}

export function renderJunit(report: Report, checks: JunitChecks): string {
  const suites: { name: string; cases: Case[] }[] = [];
  // In a sweep the concurrent mode is one suite per concurrency (`concurrent@8`).
  for (const { key: mode, cell: cellOf } of targetColumns(report)) {
    const cases: Case[] = [];
    for (const target of report.summary.targets) {
      const cell = cellOf(target);
      if (cell === undefined) continue;
      cases.push({
        name: `${target.url} (line ${target.line})`,
        classname: `fetchbench.${mode}`,
        seconds: cell.latencyMs / 1000,
        failure:
          cell.failures === 0
            ? null
            : {
                type: cell.error?.kind ?? "http",
                message: `${cell.failures} of the measured runs failed: ${
                  cell.error ? errorText(cell.error) : `status ${cell.status ?? "none"}`
                }`,
              },
      });
    }
    if (cases.length > 0) suites.push({ name: `fetchbench ${mode}`, cases });
  }
  if (checks.thresholds.length > 0) {
    suites.push({
      name: "fetchbench thresholds",
      cases: checks.thresholds.map(({ name, missed }) => ({
        name,
        classname: "fetchbench.thresholds",
        seconds: 0,
        failure: missed === null ? null : { type: "threshold", message: missed },
      })),
    });
  }
  if (checks.comparison !== null) {
    const { comparison: result, regressions } = checks.comparison;
    const confidence = `${Math.round(result.confidence * 100)}% confidence`;
    suites.push({
      name: "fetchbench regressions",
      cases: [
        ...result.modes.map((mode) => ({
          name: `${mode.variant} against the baseline`,
          classname: "fetchbench.regressions",
          seconds: 0,
          failure: regressions.includes(mode)
            ? { type: "regression", message: `${mode.variant} is slower at ${confidence}` }
            : null,
          output: `${mode.verdict}${mode.verdict === "cannot tell" ? "" : ` at ${confidence}`}`,
        })),
        ...result.notCompared.map(({ variant, reason }) => ({
          name: `${variant} against the baseline`,
          classname: "fetchbench.regressions",
          seconds: 0,
          failure: null,
          skipped: `not compared: ${reason}`,
        })),
      ],
    });
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = suites.reduce((n, suite) => n + suite.cases.length, 0);
  const failed = suites.reduce((n, suite) => n + failures(suite.cases), 0);
  lines.push(`<testsuites name="fetchbench" tests="${total}" failures="${failed}" errors="0">`);
  for (const suite of suites) {
    const seconds = suite.cases.reduce((n, c) => n + c.seconds, 0);
    const skipped = suite.cases.filter((c) => c.skipped !== undefined).length;
    lines.push(
      `  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${failures(suite.cases)}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}" timestamp="${xml(report.startedAt)}">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="${c.seconds.toFixed(3)}"`;
      if (c.failure === null && c.skipped === undefined && c.output === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (c.skipped !== undefined) lines.push(`      <skipped message="${xml(c.skipped)}"/>`);
      if (c.failure !== null) {
        lines.push(
          `      <failure type="${xml(c.failure.type)}" message="${xml(c.failure.message)}">${xml(c.failure.message)}</failure>`,
        );
      }
      if (c.output !== undefined) lines.push(`      <system-out>${xml(c.output)}</system-out>`);
      lines.push("    </testcase>");
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}

function failures(cases: Case[]): number {
  return cases.filter((c) => c.failure !== null).length;
}

/** Text safe in XML content and attributes: control characters out, markup escaped. */
function xml(text: string): string {
  return sanitize(text).replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch] ?? ch,
  );
}
