import { describe, expect, it } from "vitest";
import { redactHeaders } from "../../src/report/assemble.js";
import type { Report } from "../../src/report/model.js";
import type { RenderOptions } from "../../src/report/render.js";
import { formatSpec, render } from "../../src/report/render.js";
import { ELEMENTS_PER_PIECE, escapeHazards } from "../../src/report/render-json.js";
import { hostile, manyUrls, multiRun, singleRun } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };

/** The whole text, its pieces joined. */
function renderJson(report: Report, options: RenderOptions): string {
  return render(report, "json", options);
}

describe("renderJson", () => {
  it.each([
    ["single run", singleRun],
    ["25 URLs", manyUrls],
    ["several runs", multiRun],
    ["hostile text", hostile],
  ])("round-trips the %s report", (_name, report) => {
    expect(JSON.parse(renderJson(report, PLAIN))).toEqual(report);
  });

  it("pretty-prints with two spaces and ends with a newline", () => {
    const text = renderJson(singleRun, PLAIN);
    expect(text).toBe(`${JSON.stringify(singleRun, null, 2)}\n`);
    expect(text.startsWith('{\n  "schemaVersion": 2,\n  "tool": {')).toBe(true);
  });

  it("ignores colour and row options", () => {
    expect(renderJson(manyUrls, { color: true, allRows: true, maxRows: 1 })).toBe(
      renderJson(manyUrls, PLAIN),
    );
  });

  it("escapes raw C1, bidi and line-separator characters without changing the value", () => {
    const report: Report = structuredClone(hostile);
    const first = report.summary.targets[0];
    if (first !== undefined) first.url = "http://x/\u009b31m\u202e\u2028";
    const text = renderJson(report, PLAIN);
    expect(text).not.toMatch(/[\u0080-\u009f\u202e\u2028]/);
    expect(text).toContain("http://x/\\u009b31m\\u202e\\u2028");
    // ESC is escaped by JSON.stringify itself.
    expect(text).not.toContain("\u001b");
    expect(JSON.parse(text)).toEqual(report);
  });

  it("comes in pieces, several per request, that join to JSON.stringify's text", () => {
    const pieces = [...formatSpec("json").render(multiRun, PLAIN)];
    const requests = multiRun.runs.reduce((n, run) => n + run.requests.length, 0);
    expect(pieces.length).toBeGreaterThan(requests);
    expect(pieces.join("")).toBe(`${JSON.stringify(multiRun, null, 2)}\n`);
  });

  it("writes many requests a few dozen to a piece, as JSON.stringify would at their depth", () => {
    const report = structuredClone(multiRun) as Report & Record<string, unknown>;
    const run = report.runs[0];
    const request = run?.requests[0];
    if (run === undefined || request === undefined) throw new Error("fixture without requests");
    run.requests = Array.from({ length: 1000 }, (_, i) => ({ ...request, index: i, line: i + 1 }));
    // Elements of every kind an array can hold, several levels down.
    report.extra = { deep: [[[1, "x\u2028", null, undefined, { a: [] }, {}, [2]]]] };
    const pieces = [...formatSpec("json").render(report, PLAIN)];
    expect(pieces.join("")).toBe(escapeHazards(`${JSON.stringify(report, null, 2)}\n`));
    // A request's text, with room for its indentation a few levels down.
    const oneRequest = 2 * JSON.stringify(request, null, 2).length;
    const longest = Math.max(...pieces.map((piece) => piece.length));
    expect(longest).toBeLessThanOrEqual(ELEMENTS_PER_PIECE * oneRequest);
    expect(longest).toBeGreaterThan(oneRequest);
  });

  it("writes empty arrays and objects, and drops undefined members, as JSON.stringify does", () => {
    const report = structuredClone(singleRun) as Report & Record<string, unknown>;
    report.extra = { list: [], empty: {}, gone: undefined, nested: [[1, [2, {}]], []] };
    expect(renderJson(report, PLAIN)).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});

describe("redactHeaders", () => {
  it("replaces the values of credential headers in any case, and keeps the others and the order", () => {
    expect(
      redactHeaders({
        authorization: "Bearer a",
        "X-Trace": "1",
        "Proxy-Authorization": "Basic b",
        COOKIE: "s=1",
        "X-Api-Key": "k",
      }),
    ).toEqual({
      authorization: "[redacted]",
      "X-Trace": "1",
      "Proxy-Authorization": "[redacted]",
      COOKIE: "[redacted]",
      "X-Api-Key": "[redacted]",
    });
  });
});
