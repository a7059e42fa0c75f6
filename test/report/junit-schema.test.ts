/**
 * The JUnit XML of `--export-junit` against the JUnit format's schema (test/fixtures/junit.xsd: what
 * GitLab, Jenkins and the GitHub test-report actions read), validated by libxml2.
 */

import { describe, expect, it } from "vitest";
import { assembleReport } from "../../src/report/assemble.js";
import { compareReports, regressions } from "../../src/report/compare.js";
import { type Report, variantKey } from "../../src/report/model.js";
import { type JunitChecks, renderJunit } from "../../src/report/render-junit.js";
import { junitSchemaErrors } from "../junit-schema.js";
import { hostile, manyUrls, multiRun } from "./fixtures.js";

/** The report with every request and wall taken `factor` times as long. */
function slowed(report: Report, factor: number): Report {
  return {
    ...report,
    runs: report.runs.map((run) => ({
      ...run,
      wallMs: run.wallMs * factor,
      requests: run.requests.map((request) => ({
        ...request,
        latencyMs: request.latencyMs * factor,
      })),
    })),
  };
}

/** The report's concurrent runs repeated at -c 1 and -c 4, as a sweep `-c 1,4` records them. */
function sweepOf(report: Report): Report {
  const runs = report.runs.flatMap((run) =>
    run.mode !== "concurrent"
      ? [run]
      : ([1, 4] as const).map((concurrency) => ({
          ...run,
          concurrency,
          variant: variantKey("concurrent", concurrency, true),
        })),
  );
  return assembleReport(runs, {
    startedAt: report.startedAt,
    source: report.source,
    options: { ...report.options, concurrency: 4, sweep: [1, 4] },
    shard: null,
    urlCount: report.urlCount,
    interrupted: false,
  });
}

function checks(baseline: Report, current: Report, maxRegression: number): JunitChecks {
  const comparison = compareReports(baseline, current);
  return {
    thresholds: [
      { name: "--min-speedup 3", missed: null },
      { name: "--max-wall concurrent=1s", missed: "--max-wall concurrent=1s: took 2 s" },
    ],
    comparison: { comparison, regressions: regressions(comparison, maxRegression) },
  };
}

const noChecks: JunitChecks = { thresholds: [], comparison: null };
const sweep = sweepOf(multiRun);

describe("JUnit XML against the common JUnit schema", () => {
  it("the validator rejects what the schema forbids", async () => {
    const errors = await junitSchemaErrors(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites timestamp="2026-01-01"><testsuite name="a" failures="0" errors="0"><testcase/></testsuite></testsuites>\n',
    );
    expect(errors.join("\n")).toContain(
      "attribute 'timestamp': The attribute 'timestamp' is not allowed",
    );
    expect(errors.join("\n")).toContain("The attribute 'tests' is required but missing");
    expect(errors.join("\n")).toContain("The attribute 'name' is required but missing");
    expect(await junitSchemaErrors("<testsuites><testsuite>\n")).not.toEqual([]);
  });

  const cases: [string, () => string, (xml: string) => void][] = [
    [
      "failed requests of several kinds",
      () => renderJunit(manyUrls, noChecks),
      (xml) => expect(xml).toMatch(/<failure type="\w+" message="/),
    ],
    [
      "markup and control characters a server sent",
      () => renderJunit(hostile, noChecks),
      (xml) => expect(xml).toContain("&quot;"),
    ],
    [
      "thresholds, one missed, and a regression verdict that failed",
      () => renderJunit(multiRun, checks(multiRun, slowed(multiRun, 3), 10)),
      (xml) => {
        expect(xml).toContain('<failure type="threshold"');
        expect(xml).toContain('<failure type="regression" message="sequential is slower at 95%');
      },
    ],
    [
      "a sweep, one suite per variant",
      () => renderJunit(sweep, noChecks),
      (xml) => expect(xml).toContain('<testsuite name="fetchbench concurrent@4"'),
    ],
    [
      "a sweep's variants judged against a slower sweep",
      () => renderJunit(sweep, checks(sweep, slowed(sweep, 3), 10)),
      (xml) =>
        expect(xml).toContain(
          '<failure type="regression" message="concurrent@4 is slower at 95% confidence"',
        ),
    ],
    [
      "variants the comparison could not pair, as skipped cases",
      () => renderJunit(multiRun, checks(sweep, multiRun, 10)),
      (xml) =>
        expect(xml).toMatch(
          /<testcase name="concurrent@1 against the baseline" [^>]*>\n {6}<skipped message="not compared: only in the baseline; the current report ran the concurrent mode at -c /,
        ),
    ],
  ];
  it.each(cases)("%s", async (_name, render, check) => {
    const xml = render();
    check(xml);
    expect(await junitSchemaErrors(xml)).toEqual([]);
  });
});
