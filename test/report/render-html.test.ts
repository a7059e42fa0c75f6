import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/report/format.js";
import type { Report, RequestResult } from "../../src/report/model.js";
import { EXPORT_FORMATS, findFormat, formatList, render } from "../../src/report/render.js";
import { MAX_BARS_PER_MODE, renderHtml } from "../../src/report/render-html.js";
import { hostile, multiRun, singleRun } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };
const BASE = "http://127.0.0.1:41234";

function html(report: Report): string {
  return render(report, "html", PLAIN);
}

/** The report with every occurrence of `from` in its text replaced, as a server could send it. */
function replaced(report: Report, from: string, to: string): Report {
  return JSON.parse(JSON.stringify(report), (_key, value: unknown) =>
    typeof value === "string" ? value.replaceAll(from, to) : value,
  ) as Report;
}

/** The bars drawn for a mode: each `<g class="bar">` inside that mode's group. */
function barsOf(page: string, mode: string): string[] {
  const start = page.indexOf(`<g class="mode" data-mode="${mode}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = page.indexOf('<g class="loop"', start);
  return page.slice(start, end).match(/<g class="bar" [^>]*>/g) ?? [];
}

/** The tooltip texts the page's script reads. */
function tips(page: string): string[] {
  const match = /<script type="application\/json" id="fb-tips">([\s\S]*?)<\/script>/.exec(page);
  expect(match).not.toBeNull();
  return JSON.parse(match?.[1] ?? "") as string[];
}

describe("renderHtml", () => {
  it("is in the format registry, so --format html and --export-html exist", () => {
    expect(findFormat("HTML")).toBe("html");
    expect(EXPORT_FORMATS.map((f) => f.name)).toContain("html");
    expect(formatList()).toContain("html");
  });

  it("writes a whole document with a card per mode and the comparison sentence", () => {
    const page = html(multiRun);
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page.endsWith("</html>\n")).toBe(true);
    for (const mode of ["sequential", "concurrent", "blocking"]) {
      expect(page).toContain(`<div class="card" data-mode="${mode}">`);
      expect(page).toContain(`<figure class="dist" data-mode="${mode}">`);
    }
    expect(page).toMatch(/<p class="sentence" id="comparison">concurrent ran 3\.\d\d ± /);
    expect(page).toContain("heartbeat timer fired 5 of");
  });

  it("draws one bar per request of each mode's last measured run, on one axis", () => {
    const page = html(singleRun);
    for (const mode of ["sequential", "concurrent"]) {
      const run = singleRun.runs.find((r) => r.mode === mode);
      expect(barsOf(page, mode)).toHaveLength(run?.requests.length ?? -1);
    }
    expect(page.match(/<svg class="waterfall"/g)).toHaveLength(1);
    const last = multiRun.runs.filter((r) => r.mode === "concurrent" && !r.warmup).at(-1);
    expect(tips(html(multiRun)).some((t) => t.includes(`concurrent, run ${last?.iteration}`))).toBe(
      true,
    );
  });

  it("gives every bar a tooltip with its phases", () => {
    const page = html(singleRun);
    const all = tips(page);
    const ids = [...page.matchAll(/data-tip="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(all.map((_, i) => i));
    const first = all[0] ?? "";
    expect(first).toContain(`#1 ${BASE}/delay/100`);
    expect(first).toMatch(/queued 0 ms · dns – · tcp 600 µs · tls –/);
    expect(first).toMatch(/connect 600 µs · wait 100 ms · download 400 µs/);
    expect(first).toContain("new connection");
    expect(all.find((t) => t.includes("/delay/5000"))).toContain(
      "timeout: no response headers within 2 s (UND_ERR_HEADERS_TIMEOUT)",
    );
  });

  it("reads phase fields the model does not type yet, and draws them", () => {
    const report = structuredClone(singleRun);
    const request = report.runs[0]?.requests[0] as RequestResult & Record<string, unknown>;
    Object.assign(request, { dnsMs: 0.1, tcpMs: 0.2, tlsMs: 0.3, connectionId: 7 });
    const page = html(report);
    const tip = tips(page)[0] ?? "";
    expect(tip).toContain("dns 100 µs · tcp 200 µs · tls 300 µs");
    expect(tip).toContain("new connection #7");
    const bar = page.slice(page.indexOf('data-tip="0"'), page.indexOf('data-tip="1"'));
    for (const cls of ["dns", "tcp", "tls"]) expect(bar).toContain(`<rect class="${cls}"`);
    expect(bar).not.toContain('<rect class="connect"');
  });

  it("refers to nothing outside the file", () => {
    const page = html(multiRun);
    expect(page).not.toMatch(/\s(src|href|srcset|action|xlink:href)=/i);
    expect(page).not.toMatch(/url\(|@import/i);
    // The only addresses are the report's own URLs, shown as text.
    expect(page.replaceAll(escapeHtml(BASE), "")).not.toMatch(/https?:|\/\/[a-z0-9]/i);
    expect(page).toContain(`content="default-src 'none';`);
  });

  it("follows the reader's light or dark scheme", () => {
    const page = html(singleRun);
    expect(page).toContain('<meta name="color-scheme" content="light dark">');
    expect(page).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{--bg:/);
  });

  it("escapes markup a URL list or a server sends, and keeps it as text", () => {
    const attack = '/x"><img src=x onerror=alert(1)><script>alert(2)</script>\u2028</script>';
    const report = replaced(hostile, "/bad-header", attack);
    const page = html(report);
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).not.toContain("<img");
    expect(page).toContain(escapeHtml(`${BASE}${attack}`));
    // The tooltip data holds no raw line separator and reads back as the text that was sent.
    const open = page.indexOf('id="fb-tips">') + 'id="fb-tips">'.length;
    const json = page.slice(open, page.indexOf("</script>", open));
    expect(json).not.toMatch(/[\u2028<>]/);
    expect(tips(page).some((t) => t.includes(`${BASE}${attack}`))).toBe(true);
    // The error message is escaped in the table too.
    const message = replaced(hostile, "=HYPERLINK", "<b onclick=x>bold</b>");
    expect(html(message)).toContain("&lt;b onclick=x&gt;bold&lt;/b&gt;");
    expect(html(message)).not.toContain("<b onclick");
  });

  it("has a sortable table with a row per URL and a sort value per cell", () => {
    const page = html(singleRun);
    const table = page.slice(page.indexOf('<table class="sortable urls">'));
    expect(table.match(/<th( class="n")?><button type="button">/g)).toHaveLength(2 + 2 * 2);
    const rows = table.slice(table.indexOf("<tbody>")).match(/<tr>/g);
    expect(rows).toHaveLength(singleRun.summary.targets.length);
    expect(table).toContain(
      `data-v="${singleRun.summary.targets[0]?.modes.sequential?.latencyMs}"`,
    );
  });

  it("is streamed in pieces, a bar and a row at a time", () => {
    const pieces = Array.from(renderHtml(singleRun, PLAIN));
    const requests = singleRun.runs.reduce((n, r) => n + r.requests.length, 0);
    expect(pieces.length).toBeGreaterThan(requests * 2);
    expect(pieces.join("")).toBe(html(singleRun));
  });

  it("draws the failed and slowest requests when a run has more than it can draw", () => {
    const count = MAX_BARS_PER_MODE + 25;
    const base = singleRun.runs[1]?.requests[0] as RequestResult;
    const requests = Array.from({ length: count }, (_, i) => ({
      ...base,
      index: i,
      line: i + 1,
      latencyMs: i === 3 ? 0.5 : 1 + i / 10,
      ok: i !== 3,
      error: i === 3 ? { kind: "reset" as const, code: "ECONNRESET", message: "reset" } : null,
    }));
    const run = { ...(singleRun.runs[1] as Report["runs"][number]), requests };
    const report: Report = { ...singleRun, runs: [run] };
    const page = html(report);
    const bars = barsOf(page, "concurrent");
    expect(bars).toHaveLength(MAX_BARS_PER_MODE);
    // The failed one is drawn, however fast; the fastest ok ones are left out.
    expect(bars).toContain('<g class="bar" data-tip="0" data-index="3">');
    expect(page).not.toContain('data-index="4"');
    expect(page).toContain(`data-index="${count - 1}"`);
    expect(page).toContain("+25 faster requests, all ok, not drawn");
  });
});
