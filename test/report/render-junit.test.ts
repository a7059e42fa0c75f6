import { describe, expect, it } from "vitest";
import { compareReports, regressions } from "../../src/report/compare.js";
import { renderJunit } from "../../src/report/render-junit.js";
import { hostile, manyUrls, multiRun } from "./fixtures.js";

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * A strict parser for the XML subset JUnit files use (declaration, elements, attributes in
 * double quotes, escaped text). It throws on anything malformed: unbalanced or mismatched tags,
 * a raw `<` or `&` outside an entity, an unquoted attribute, a control character.
 */
function parseXml(text: string): Element {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!text.startsWith(declaration)) throw new Error("no XML declaration");
  const control = [...text].find((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x20 && ch !== "\n" && ch !== "\t" && ch !== "\r";
  });
  if (control !== undefined) throw new Error("control character");
  const checkText = (chunk: string) => {
    if (/<|&(?!(amp|lt|gt|quot|apos);)/.test(chunk)) throw new Error(`bad text ${chunk}`);
    return chunk;
  };
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>/y;
  const stack: Element[] = [];
  let root: Element | null = null;
  let position = declaration.length;
  while (position < text.length) {
    const next = text.indexOf("<", position);
    if (next === -1) {
      if (text.slice(position).trim() !== "") throw new Error("text after the root");
      break;
    }
    const between = checkText(text.slice(position, next));
    if (stack.length > 0) (stack.at(-1) as Element).text += between;
    tag.lastIndex = next;
    const match = tag.exec(text);
    if (match === null) throw new Error(`malformed tag at ${next}: ${text.slice(next, next + 40)}`);
    const [whole, closing, name = "", rawAttributes = "", selfClosing] = match;
    position = next + whole.length;
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = "", value = ""] of rawAttributes.matchAll(/([\w-]+)="([^"]*)"/g)) {
      if (key in attributes) throw new Error(`attribute ${key} twice`);
      attributes[key] = checkText(value);
    }
    const element: Element = { name, attributes, children: [], text: "" };
    if (stack.length > 0) (stack.at(-1) as Element).children.push(element);
    else if (root === null) root = element;
    else throw new Error("two root elements");
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0 || root === null) throw new Error("unclosed elements");
  return root;
}

/**
 * What a reader of the XML relies on beyond the schema (junit-schema.test.ts validates against
 * that): testsuites > testsuite > testcase with at most one failure[type, message], and the
 * counts of tests and failures agree with the cases.
 */
function expectJunit(root: Element): void {
  expect(root.name).toBe("testsuites");
  let total = 0;
  let failed = 0;
  for (const suite of root.children) {
    expect(suite.name).toBe("testsuite");
    expect(suite.attributes.name).toBeTruthy();
    const cases = suite.children;
    for (const testcase of cases) {
      expect(testcase.name).toBe("testcase");
      expect(testcase.attributes.name).toBeTruthy();
      expect(testcase.attributes.classname).toBeTruthy();
      expect(testcase.attributes.time).toMatch(/^\d+\.\d{3}$/);
      const kinds = testcase.children.map((child) => child.name);
      expect(kinds.every((kind) => ["failure", "skipped", "system-out"].includes(kind))).toBe(true);
      expect(kinds.filter((kind) => kind === "failure").length).toBeLessThanOrEqual(1);
      for (const failure of testcase.children.filter((child) => child.name === "failure")) {
        expect(failure.attributes.type).toBeTruthy();
        expect(failure.attributes.message).toBeTruthy();
      }
    }
    const suiteFailures = cases.filter((c) => c.children.some((child) => child.name === "failure"));
    expect(Number(suite.attributes.tests)).toBe(cases.length);
    expect(Number(suite.attributes.failures)).toBe(suiteFailures.length);
    total += cases.length;
    failed += suiteFailures.length;
  }
  expect(Number(root.attributes.tests)).toBe(total);
  expect(Number(root.attributes.failures)).toBe(failed);
}

const noChecks = { thresholds: [], comparison: null };

describe("renderJunit", () => {
  it("has one test case per URL per mode, failures with their kind and message", () => {
    const root = parseXml(renderJunit(manyUrls, noChecks));
    expectJunit(root);
    const modes = Object.keys(manyUrls.summary.modes);
    expect(root.children.map((suite) => suite.attributes.name)).toEqual(
      modes.map((mode) => `fetchbench ${mode}`),
    );
    for (const suite of root.children) {
      expect(suite.children).toHaveLength(manyUrls.summary.targets.length);
    }
    const failing = manyUrls.summary.targets.filter((target) =>
      Object.values(target.modes).some((cell) => cell.failures > 0),
    );
    expect(failing.length).toBeGreaterThan(0);
    const first = failing[0];
    const mode = modes.find((m) => (first?.modes[m as "sequential"]?.failures ?? 0) > 0) ?? "";
    const testcase = root.children
      .find((suite) => suite.attributes.name === `fetchbench ${mode}`)
      ?.children.find((c) => c.attributes.name === `${first?.url} (line ${first?.line})`);
    const failure = testcase?.children.find((child) => child.name === "failure");
    expect(failure?.attributes.type).toBe(
      first?.modes[mode as "sequential"]?.error?.kind ?? "http",
    );
  });

  it("escapes markup and drops control characters a server sent", () => {
    expectJunit(parseXml(renderJunit(hostile, noChecks)));
  });

  it("has one test case per threshold and per mode compared, failing the missed and regressed", () => {
    const comparison = compareReports(multiRun, multiRun);
    const root = parseXml(
      renderJunit(multiRun, {
        thresholds: [
          { name: "--min-speedup 3", missed: null },
          { name: "--max-wall concurrent=1s", missed: "--max-wall concurrent=1s: took 2 s" },
        ],
        comparison: { comparison, regressions: regressions(comparison, 0) },
      }),
    );
    expectJunit(root);
    const thresholds = root.children.find((s) => s.attributes.name === "fetchbench thresholds");
    expect(thresholds?.attributes.failures).toBe("1");
    const compared = root.children.find((s) => s.attributes.name === "fetchbench regressions");
    expect(compared?.children).toHaveLength(comparison.modes.length);
    expect(compared?.attributes.failures).toBe("0");
  });
});
