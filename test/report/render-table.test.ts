import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatMs,
  formatPercent,
  formatRatio,
  protocolText,
  reportModes,
  sanitize,
  truncateMiddle,
} from "../../src/report/format.js";
import type { ModeSummary, Report, RequestResult, RunResult } from "../../src/report/model.js";
import { renderTable } from "../../src/report/render-table.js";
import { buildSummary } from "../../src/report/summary.js";
import { fakeResult } from "../helpers.js";
import {
  HOSTILE_URL,
  hostile,
  manyUrls,
  multiRun,
  singleRun,
  withoutDelaySample,
} from "./fixtures.js";

const PLAIN = { color: false, allRows: false };
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point
const ANSI = /\u001b\[/;

/** Lines of the per-URL table: they start with the 1-based number, right-aligned. */
function urlRows(text: string): string[] {
  return text.split("\n").filter((line) => /^ {2,}\d+ {2}http/.test(line));
}

describe("renderTable", () => {
  it("shows a delay that was not sampled as a dash", () => {
    expect(renderTable(withoutDelaySample(multiRun), PLAIN)).toMatch(
      /max delay – · p99 – · heartbeat/,
    );
  });

  it("renders a single run of two modes", () => {
    expect(renderTable(singleRun, PLAIN)).toMatchInlineSnapshot(`
      "fetchbench · 10 URLs from urls.txt · concurrency all · timeout 2 s

      sequential   wall 3.22 s   8 ok · 2 failed   2.1 kB   sum 3.22 s   slowest 2.00 s
      concurrent   wall 2.00 s   8 ok · 2 failed   2.1 kB   sum 3.23 s   slowest 2.00 s

          #  URL                                sequential          concurrent
          1  http://127.0.0.1:41234/delay/100   200       101 ms    200       103 ms
          2  http://127.0.0.1:41234/delay/200   200       201 ms    200       203 ms
          3  http://127.0.0.1:41234/delay/300   200       301 ms    200       303 ms
          4  http://127.0.0.1:41234/delay/50    200      51.1 ms    200      52.6 ms
          5  http://127.0.0.1:41234/delay/5000  timeout   2.00 s    timeout   2.00 s
          6  http://127.0.0.1:41234/delay/150   200       151 ms    200       152 ms
          7  http://127.0.0.1:41234/status/503  503      2.10 ms    503      2.30 ms
          8  http://127.0.0.1:41234/delay/400   200       401 ms    200       402 ms
          9  http://127.0.0.1:41234/bytes/2048  200      3.20 ms    200      4.10 ms
         10  http://127.0.0.1:41234/redirect/2  200      4.50 ms    200      5.00 ms

        1 × timeout  no response headers within 2 s (UND_ERR_HEADERS_TIMEOUT)  (sequential, concurrent)
            #5  http://127.0.0.1:41234/delay/5000
        1 × http     503 Service Unavailable  (sequential, concurrent)
            #7  http://127.0.0.1:41234/status/503

      latency histogram (sequential)
        2.10 ms – 335 ms  8 ██████████████████████████████
         335 ms – 668 ms  1 ████
         668 ms – 1.00 s  0
         1.00 s – 1.33 s  0
         1.33 s – 1.67 s  0
         1.67 s – 2.00 s  1 ████

      latency histogram (concurrent)
        2.30 ms – 335 ms  8 ██████████████████████████████
         335 ms – 669 ms  1 ████
         669 ms – 1.00 s  0
         1.00 s – 1.33 s  0
         1.33 s – 1.67 s  0
         1.67 s – 2.00 s  1 ████

      latency       p50 126 ms · p90 561 ms · p99 1.86 s   (sequential)
                    p50 128 ms · p90 562 ms · p99 1.86 s   (concurrent)
      phases        queued 0 ms · dns – · tcp 600 µs · tls – · wait 135 ms · download 400 µs   (sequential)
                    queued 0 ms · dns – · tcp 600 µs · tls – · wait 135 ms · download 400 µs   (concurrent)
      connections   1 opened · peak 1 in flight     (sequential)
                    10 opened · peak 10 in flight   (concurrent)
      protocol      HTTP/1.1   (sequential)
                    HTTP/1.1   (concurrent)
      concurrent finished 1.6× faster than sequential (ideal 1.6×, 100% of the bound)
      "
    `);
  });

  it("renders several runs like hyperfine, with event loop and the blocking sentence", () => {
    expect(renderTable(multiRun, PLAIN)).toMatchInlineSnapshot(`
      "fetchbench · 5 URLs from urls.txt · concurrency all · timeout 30 s · 5 runs + 1 warm-up

      sequential
        Time (mean ± σ):      1.510 s ±  0.001 s
        Range (min … max):    1.509 s …  1.511 s    5 runs
        Requests:             25 ok · 0 failed · 50 B · latency p50 302 ms · p90 502 ms · p99 503 ms
        Phases (mean):        queued 0 ms · dns – · tcp 600 µs · tls – · wait 301 ms · download 400 µs
        Connections:          1 opened · peak 1 in flight
        Event loop:           max delay 11.2 ms · p99 10.6 ms · heartbeat 150/151 · busy 3%
        Protocol:             HTTP/1.1

      concurrent
        Time (mean ± σ):     502.9 ms ±   0.7 ms
        Range (min … max):   502.1 ms … 503.9 ms    5 runs
        Requests:             24 ok · 1 failed · 48 B · latency p50 302 ms · p90 502 ms · p99 503 ms
        Phases (mean):        queued 0 ms · dns – · tcp 600 µs · tls – · wait 295 ms · download 400 µs
        Connections:          5 opened · peak 5 in flight
        Event loop:           max delay 11.2 ms · p99 10.6 ms · heartbeat 49/50 · busy 6%
        Protocol:             HTTP/1.1

      blocking
        Time (mean ± σ):      1.514 s ±  0.001 s
        Range (min … max):    1.513 s …  1.515 s    5 runs
        Requests:             25 ok · 0 failed · 50 B · latency p50 303 ms · p90 503 ms · p99 503 ms
        Phases (mean):        queued 0 ms · dns – · tcp 600 µs · tls – · wait 302 ms · download 400 µs
        Connections:          1 opened · peak 1 in flight
        Event loop:           max delay 502 ms · p99 499 ms · heartbeat 5/151 · busy 100%
        Protocol:             HTTP/1.1

          #  URL                               sequential     concurrent     blocking
          1  http://127.0.0.1:41234/delay/100  200  102 ms    200  102 ms    200  102 ms
          2  http://127.0.0.1:41234/delay/200  200  202 ms    200  202 ms    200  203 ms
          3  http://127.0.0.1:41234/delay/300  200  302 ms    200  302 ms    200  303 ms
          4  http://127.0.0.1:41234/delay/400  200  402 ms    200  403 ms    200  402 ms
          5  http://127.0.0.1:41234/delay/500  200  502 ms    200  502 ms    200  503 ms

        1 × ok  in the last run, failed in an earlier one  (concurrent)
            #3  http://127.0.0.1:41234/delay/300  failed in 1 of 5 runs

      latency histogram (sequential)
        101 ms – 168 ms  5 ██████████████████████████████
        168 ms – 235 ms  5 ██████████████████████████████
        235 ms – 302 ms  4 ████████████████████████
        302 ms – 369 ms  1 ██████
        369 ms – 436 ms  5 ██████████████████████████████
        436 ms – 503 ms  5 ██████████████████████████████

      latency histogram (concurrent)
        101 ms – 168 ms  6 ██████████████████████████████
        168 ms – 235 ms  5 █████████████████████████
        235 ms – 302 ms  2 ██████████
        302 ms – 369 ms  2 ██████████
        369 ms – 436 ms  5 █████████████████████████
        436 ms – 503 ms  5 █████████████████████████

      latency histogram (blocking)
        102 ms – 169 ms  5 ██████████████████████████████
        169 ms – 236 ms  5 ██████████████████████████████
        236 ms – 303 ms  2 ████████████
        303 ms – 370 ms  3 ██████████████████
        370 ms – 437 ms  5 ██████████████████████████████
        437 ms – 504 ms  5 ██████████████████████████████

      While blocking, the thread that waited on each request could run nothing else (its heartbeat timer fired 5 of 151
      times); while awaiting, it could.
      concurrent ran 3.00 ± 0.00 times faster than sequential
        ideal 3.01× · 100% of the bound (bound 502 ms)
      "
    `);
  });

  it("adds ANSI colour only when asked", () => {
    const colored = renderTable(singleRun, { color: true, allRows: false });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain("\u001b[31m2 failed");
    expect(renderTable(singleRun, PLAIN)).not.toMatch(ANSI);
    expect(renderTable(multiRun, PLAIN)).not.toMatch(ANSI);
  });

  it("shows 20 of 25 rows, every failed one among them, and says how many are hidden", () => {
    const text = renderTable(manyUrls, PLAIN);
    const rows = urlRows(text);
    expect(rows).toHaveLength(20);
    expect(rows.some((row) => row.includes("/refused"))).toBe(true);
    expect(rows.some((row) => row.includes("/status/404"))).toBe(true);
    expect(text).toContain("(+5 more rows, faster and all ok; --all shows every row)");
  });

  it("keeps the slowest rows and shows them in list order", () => {
    const rows = urlRows(renderTable(manyUrls, PLAIN));
    const numbers = rows.map((row) => Number(row.trim().split(/\s+/)[0]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    // The five fastest ok URLs are the ones left out.
    for (const hidden of [1, 9, 12, 16, 23]) expect(numbers).not.toContain(hidden);
  });

  it("shows every row with allRows", () => {
    const text = renderTable(manyUrls, { color: false, allRows: true });
    expect(urlRows(text)).toHaveLength(25);
    expect(text).not.toContain("more rows");
  });

  it("shares the row budget between failures and the slowest ok rows", () => {
    const one = renderTable(manyUrls, { color: false, allRows: false, maxRows: 1 });
    expect(urlRows(one)).toHaveLength(1);
    expect(one).toContain("(+24 more rows: 1 failed, 23 ok; --all shows every row)");
    const four = urlRows(renderTable(manyUrls, { color: false, allRows: false, maxRows: 4 }));
    expect(four).toHaveLength(4);
    expect(four.filter((row) => /refused|status\/404/.test(row))).toHaveLength(2);
  });

  it("keeps 2,000 URLs with 60 failures to a short report: failures by kind, a row budget", () => {
    const report = largeReport(2000, 60);
    const text = renderTable(report, PLAIN);
    expect(text.split("\n").length).toBeLessThan(60);
    expect(urlRows(text)).toHaveLength(20);
    // The slowest ok URL (the last one) is among the rows, beside failures.
    expect(urlRows(text).some((row) => row.includes("/ok/1999"))).toBe(true);
    expect(text).toMatch(/^ {2}40 × http {5}HTTP 503 Service Unavailable {2}\(sequential\)$/m);
    expect(text).toMatch(
      /^ {2}20 × connect {2}connect ECONNREFUSED 127\.0\.0\.1:1 .*\(sequential\)$/m,
    );
    expect(text).toContain("… and 37 more");
    expect(text).toContain("(+1980 more rows: 50 failed, 1930 ok; --all shows every row)");
  });

  it.each([40, 60, 80, 120])(
    "fits every line, the mode, latency and event-loop lines and the URL table too, into %i columns",
    (columns) => {
      const report: Report = structuredClone(singleRun);
      const first = report.summary.targets[0];
      if (first !== undefined)
        first.url = `http://127.0.0.1:18080/${"x".repeat(80)}/delay/300?i=17`;
      if (report.summary.comparison) report.summary.comparison.latencyRatio = 4.8;
      for (const fixture of [report, multiRun]) {
        const text = renderTable(fixture, { ...PLAIN, width: columns });
        for (const line of text.split("\n")) {
          expect(Array.from(line).length, line).toBeLessThanOrEqual(columns);
        }
        // Nothing is lost to the narrowing: every mode's figures and every URL are still there.
        for (const mode of reportModes(fixture)) {
          expect(text).toContain(`(${mode})`);
          expect(text).toMatch(new RegExp(`^${mode}\\b`, "m"));
        }
        if (Object.values(fixture.summary.modes).some((m) => m?.eventLoop)) {
          expect(text).toMatch(/heartbeat \d+\/\d+/);
        }
        expect(text).toMatch(/p99 [\d.]+ m?s/);
        expect(text).toMatch(/slowest|Range/);
      }
      const text = renderTable(report, { ...PLAIN, width: columns });
      expect(text).toMatch(/http:.*….*i=17/);
      // Shortened in the middle where need be, each URL keeps its end.
      for (const target of report.summary.targets) expect(text).toContain(target.url.slice(-6));
    },
  );

  it("stacks the modes under each URL where they do not fit side by side", () => {
    const narrow = renderTable(multiRun, { ...PLAIN, width: 40 });
    const url = multiRun.summary.targets[0]?.url ?? "";
    const lines = narrow.split("\n");
    const at = lines.findIndex((line) => line.endsWith(url));
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4).map((line) => line.trim().split(/\s+/)[0])).toEqual(
      reportModes(multiRun),
    );
    expect(lines[at + 1]).toMatch(/^ +sequential +200 +[\d.]+ ms$/);
    // Wide enough, the modes stay side by side.
    expect(renderTable(multiRun, { ...PLAIN, width: 120 })).toMatch(
      /# +URL +sequential +concurrent/,
    );
  });

  it("orders and cuts the table with --sort and --top", () => {
    const report = largeReport(200, 6);
    const slowest = urlRows(renderTable(report, { ...PLAIN, sort: "latency", maxRows: 3 }));
    expect(slowest.map((row) => Number(row.trim().split(/\s+/)[0]))).toEqual([200, 199, 198]);
    const byUrl = urlRows(renderTable(report, { ...PLAIN, sort: "url", maxRows: 2 }));
    expect(byUrl).toHaveLength(2);
    expect(byUrl[0]).toContain("/fail/0");
    const byStatus = urlRows(renderTable(report, { ...PLAIN, sort: "status", maxRows: 6 }));
    expect(byStatus.every((row) => /connect|503/.test(row))).toBe(true);
  });

  it("cuts long URLs in the middle to keep the table within 120 columns, even with allRows", () => {
    const report: Report = structuredClone(singleRun);
    const long = `http://127.0.0.1:41234/${"a".repeat(200)}/end`;
    const first = report.summary.targets[0];
    if (first !== undefined) first.url = long;
    for (const allRows of [false, true]) {
      const rows = urlRows(renderTable(report, { color: false, allRows }));
      expect(rows[0]).toContain("http://127.0.0.1:41234/aaa");
      expect(rows[0]).toContain("…");
      expect(rows[0]).toMatch(/aaa\/end {2}/);
      for (const row of rows) expect(row.length).toBeLessThanOrEqual(120);
    }
  });

  it("strips control characters from URLs and error messages", () => {
    const text = renderTable(hostile, PLAIN);
    expect(HOSTILE_URL).toContain("\u001b");
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("\u0007");
    expect(text).toContain('/a|b`c,d"e\uFFFD[31mred');
  });

  it("prints no comparison with one mode", () => {
    const text = renderTable(hostile, PLAIN);
    expect(text).not.toMatch(/faster|comparison/);
    expect(text).toMatchInlineSnapshot(`
      "fetchbench · 2 URLs from hostile.txt · timeout 30 s

      sequential   wall 4.60 ms   1 ok · 1 failed   4 B   sum 4.20 ms   slowest 3.00 ms

          #  URL                                       sequential
          1  http://127.0.0.1:41234/a|b\`c,d"e�[31mred  200    3.00 ms
          2  http://127.0.0.1:41234/bad-header         other  1.20 ms

        1 × other  =HYPERLINK("http://evil.example","click")�  (sequential)
            #2  http://127.0.0.1:41234/bad-header

      latency histogram (sequential)
        1.20 ms – 1.50 ms  1 ██████████████████████████████
        1.50 ms – 1.80 ms  0
        1.80 ms – 2.10 ms  0
        2.10 ms – 2.40 ms  0
        2.40 ms – 2.70 ms  0
        2.70 ms – 3.00 ms  1 ██████████████████████████████

      latency       p50 2.10 ms · p90 2.82 ms · p99 2.98 ms   (sequential)
      phases        queued 0 ms · dns – · tcp 600 µs · tls – · wait 1.40 ms · download 400 µs   (sequential)
      connections   1 opened · peak 1 in flight   (sequential)
      protocol      HTTP/1.1   (sequential)
      "
    `);
  });

  it("says why nothing is compared when a mode has no measured run", () => {
    const report: Report = structuredClone(singleRun);
    delete report.summary.modes.concurrent;
    report.summary.comparison = null;
    expect(renderTable(report, PLAIN)).toContain("No comparison: concurrent has no measured run.");
  });

  it("says how much of the list an interrupted comparison got to", () => {
    const interrupted: Report = { ...singleRun, interrupted: true, urlCount: 50 };
    expect(renderTable(interrupted, PLAIN).split("\n")[0]).toBe(
      "fetchbench · 10 of 50 URLs from urls.txt (interrupted) · concurrency all · timeout 2 s",
    );
  });

  it("does not paint the headline green when a warning puts the figure in doubt", () => {
    const doubtful: Report = structuredClone(singleRun);
    const colored = { color: true, allRows: false };
    const headline = (report: Report) =>
      renderTable(report, colored)
        .split("\n")
        .find((line) => line.includes("finished")) ?? "";
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are the point
    expect(headline(doubtful)).toMatch(/^\u001b\[32m/);
    doubtful.summary.warnings.push({ kind: "beyond-bound", message: "beat the bound" });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes are the point
    expect(headline(doubtful)).toMatch(/^\u001b\[33m/);
  });

  it("says so when the server slowed down under concurrency", () => {
    // The sentence wraps at the report's width; joined, it reads as one.
    const text = (report: Report) => renderTable(report, PLAIN).replaceAll("\n", " ");
    expect(text(singleRun)).not.toMatch(/slowed down/);
    const slowed: Report = structuredClone(singleRun);
    if (slowed.summary.comparison) slowed.summary.comparison.latencyRatio = 4.8;
    expect(text(slowed)).toContain(
      "The server slowed down under concurrency: the median concurrent request took 4.8× as long as the median sequential one, so the speed-up hides a server that queues requests.",
    );
  });

  it("does not blame the server when its own event loop was nearly always busy", () => {
    const text = (report: Report) => renderTable(report, PLAIN).replaceAll("\n", " ");
    const busy: Report = structuredClone(singleRun);
    if (busy.summary.comparison) busy.summary.comparison.latencyRatio = 29.7;
    const heartbeat = { expected: 90, fired: 2 };
    const loop = { maxDelayMs: 373, p99DelayMs: 373, utilization: 0.99, heartbeat };
    const concurrent = busy.summary.modes.concurrent;
    if (concurrent) concurrent.eventLoop = loop;
    expect(text(busy)).not.toMatch(/The server slowed down/);
    expect(text(busy)).toContain(
      "Requests slowed down under concurrency: the median concurrent request took 29.7× as long as the median sequential one, but fetchbench's own event loop was busy 99% of that run, delays up to 373 ms, so this machine held requests back too; a lower --concurrency tells the server's share apart.",
    );
    // Just below the share, the server is named as before.
    if (concurrent) concurrent.eventLoop = { ...loop, utilization: 0.89 };
    expect(text(busy)).toContain("The server slowed down under concurrency");
  });

  it("shows a heartbeat that had nothing to measure as –, not 0/0", () => {
    const short: Report = structuredClone(multiRun);
    const loop = short.summary.modes.blocking?.eventLoop;
    if (loop) loop.heartbeat = { expected: 0, fired: 0 };
    const text = renderTable(short, PLAIN);
    expect(text).not.toContain("heartbeat 0/0");
    expect(text).toMatch(/heartbeat – · busy/);
  });

  it("leaves warnings out, for the CLI to print on standard error", () => {
    expect(singleRun.summary.warnings.length).toBeGreaterThan(0);
    expect(renderTable(singleRun, PLAIN)).not.toMatch(/Warning/);
  });
});

describe("format helpers", () => {
  it("formats durations to 3 significant figures", () => {
    expect([0.512, 12.34, 201, 1090, 61_200, 0, 999.7, 0.9999].map(formatMs)).toEqual([
      "512 µs",
      "12.3 ms",
      "201 ms",
      "1.09 s",
      "61.2 s",
      "0 ms",
      "1.00 s",
      "1.00 ms",
    ]);
  });

  it("formats bytes in SI units", () => {
    expect([0, 512, 2100, 3_400_000, 123_456_789, 999_960].map(formatBytes)).toEqual([
      "0 B",
      "512 B",
      "2.1 kB",
      "3.4 MB",
      "123 MB",
      "1.0 MB",
    ]);
  });

  it("formats ratios and percentages", () => {
    expect(formatRatio(9.6)).toBe("9.6×");
    expect(formatRatio(6, 2)).toBe("6.00×");
    expect(formatRatio(123.4)).toBe("123×");
    expect(formatPercent(0.96)).toBe("96%");
  });

  it("sanitize replaces control characters and keeps text on one line", () => {
    expect(sanitize("a\u001b[31mb")).toBe("a\uFFFD[31mb");
    expect(sanitize("a\tb\r\nc")).toBe("a b  c");
    expect(sanitize("x\u009by\u007fz\u202eq")).toBe("x\uFFFDy\uFFFDz\uFFFDq");
    expect(sanitize("café · 東京")).toBe("café · 東京");
  });

  it("truncates in the middle", () => {
    expect(truncateMiddle("abcdefghij", 5)).toBe("ab…ij");
    expect(truncateMiddle("abc", 5)).toBe("abc");
  });
});

/** A sequential run over `count` URLs, the first `failures` of them failing (⅓ refused, ⅔ 503). */
function largeReport(count: number, failures: number): Report {
  const requests: RequestResult[] = Array.from({ length: count }, (_, index) => {
    const failedKind = index < failures ? (index % 3 === 0 ? "connect" : "http") : null;
    const path = failedKind === null ? `/ok/${index}` : `/fail/${index}`;
    const latencyMs = failedKind === null ? 10 + index / 10 : 1;
    const error =
      failedKind === "connect"
        ? { kind: "connect", code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" }
        : failedKind === "http"
          ? { kind: "http", code: null, message: "HTTP 503 Service Unavailable" }
          : null;
    return fakeResult(index, latencyMs, {
      url: `http://127.0.0.1:41234${path}`,
      status: failedKind === "http" ? 503 : failedKind === null ? 200 : null,
      bytes: 2,
      ttfbMs: null,
      error: error as RequestResult["error"],
    });
  });
  const run: RunResult = {
    mode: "sequential",
    iteration: 1,
    warmup: false,
    concurrency: 1,
    wallMs: 5000,
    connectionsOpened: 1,
    peakInFlight: 1,
    eventLoop: null,
    requests,
  };
  const options = { ...singleRun.options, modes: ["sequential" as const] };
  return {
    ...singleRun,
    urlCount: count,
    notRun: { sequential: 0 },
    options,
    runs: [run],
    summary: buildSummary([run], options),
  };
}

describe("protocolText", () => {
  const mode = (httpVersions: ModeSummary["httpVersions"]) => ({ httpVersions }) as ModeSummary;

  it("names the one protocol, and counts each when they differ", () => {
    expect(protocolText(mode({ "2": 100 }))).toBe("HTTP/2");
    expect(protocolText(mode({ "1.1": 3, "2": 97 }))).toBe("HTTP/1.1 ×3 · HTTP/2 ×97");
  });

  it("is absent when no response recorded one", () => {
    expect(protocolText(mode({}))).toBeNull();
  });
});
