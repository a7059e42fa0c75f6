import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/report/format.js";
import type { Report } from "../../src/report/model.js";
import type { RenderOptions } from "../../src/report/render.js";
import { formatSpec, render } from "../../src/report/render.js";
import { hostile, manyUrls, multiRun, singleRun, withoutDelaySample } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };

/** The whole text, its pieces joined. */
function renderMarkdown(report: Report, options: RenderOptions): string {
  return render(report, "markdown", options);
}

/** Rows of the per-URL table: they start with the 1-based number. */
function urlRows(text: string): string[] {
  return text.split("\n").filter((line) => /^\| \d+ \| /.test(line));
}

describe("renderMarkdown", () => {
  it("renders a single run in hyperfine's layout", () => {
    expect(renderMarkdown(singleRun, PLAIN)).toMatchInlineSnapshot(`
      "**fetchbench** · 10 URLs from urls.txt · concurrency all · timeout 2 s

      | Mode | Mean [ms] | Min [ms] | Max [ms] | Relative | p50 [ms] | p90 [ms] | p99 [ms] |
      | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      | \`sequential\` | 3218.4 | 3218.4 | 3218.4 | 1.61 | 126.1 | 561.1 | 1856.7 |
      | \`concurrent\` | 2001.9 | 2001.9 | 2001.9 | 1.00 | 127.8 | 561.9 | 1857.3 |

      concurrent finished 1.6× faster than sequential (ideal 1.6×, 100% of the bound of 2.00 s).

      | # | URL | sequential | concurrent |
      | ---: | :--- | :--- | :--- |
      | 1 | http://127.0.0.1:41234/delay/100 | 200 · 101 ms | 200 · 103 ms |
      | 2 | http://127.0.0.1:41234/delay/200 | 200 · 201 ms | 200 · 203 ms |
      | 3 | http://127.0.0.1:41234/delay/300 | 200 · 301 ms | 200 · 303 ms |
      | 4 | http://127.0.0.1:41234/delay/50 | 200 · 51.1 ms | 200 · 52.6 ms |
      | 5 | http://127.0.0.1:41234/delay/5000 | **timeout** · 2.00 s | **timeout** · 2.00 s |
      | 6 | http://127.0.0.1:41234/delay/150 | 200 · 151 ms | 200 · 152 ms |
      | 7 | http://127.0.0.1:41234/status/503 | **503** · 2.10 ms | **503** · 2.30 ms |
      | 8 | http://127.0.0.1:41234/delay/400 | 200 · 401 ms | 200 · 402 ms |
      | 9 | http://127.0.0.1:41234/bytes/2048 | 200 · 3.20 ms | 200 · 4.10 ms |
      | 10 | http://127.0.0.1:41234/redirect/2 | 200 · 4.50 ms | 200 · 5.00 ms |

      Failures:

      - 1 × timeout: no response headers within 2 s (UND_ERR_HEADERS_TIMEOUT) (\`sequential\`, \`concurrent\`; #5)
      - 1 × http: 503 Service Unavailable (\`sequential\`, \`concurrent\`; #7)

      | Mode | Latency | Requests | Histogram |
      | :--- | ---: | ---: | :--- |
      | \`sequential\` | 2.10 ms – 335 ms | 8 | ████████████████████ |
      | \`sequential\` | 335 ms – 668 ms | 1 | ███ |
      | \`sequential\` | 668 ms – 1.00 s | 0 |  |
      | \`sequential\` | 1.00 s – 1.33 s | 0 |  |
      | \`sequential\` | 1.33 s – 1.67 s | 0 |  |
      | \`sequential\` | 1.67 s – 2.00 s | 1 | ███ |
      | \`concurrent\` | 2.30 ms – 335 ms | 8 | ████████████████████ |
      | \`concurrent\` | 335 ms – 669 ms | 1 | ███ |
      | \`concurrent\` | 669 ms – 1.00 s | 0 |  |
      | \`concurrent\` | 1.00 s – 1.33 s | 0 |  |
      | \`concurrent\` | 1.33 s – 1.67 s | 0 |  |
      | \`concurrent\` | 1.67 s – 2.00 s | 1 | ███ |

      | Mode | Queued [ms] | DNS [ms] | TCP [ms] | TLS [ms] | Wait [ms] | Download [ms] | Connections | Peak in flight |
      | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      | \`sequential\` | 0.0 | – | 0.6 | – | 134.7 | 0.4 | 1 | 1 |
      | \`concurrent\` | 0.0 | – | 0.6 | – | 135.4 | 0.4 | 10 | 10 |

      > **Warning:** sequential: 2 of 10 requests failed (1 timeout, 1 http)

      > **Warning:** concurrent: 2 of 10 requests failed (1 timeout, 1 http)
      "
    `);
  });

  it("renders several runs with ± and the event-loop table", () => {
    expect(renderMarkdown(multiRun, PLAIN)).toMatchInlineSnapshot(`
      "**fetchbench** · 5 URLs from urls.txt · concurrency all · timeout 30 s · 5 runs + 1 warm-up

      | Mode | Mean [ms] | Min [ms] | Max [ms] | Relative | p50 [ms] | p90 [ms] | p99 [ms] |
      | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      | \`sequential\` | 1509.9 ± 0.8 | 1508.7 | 1510.7 | 3.00 ± 0.00 | 301.6 | 502.0 | 502.7 |
      | \`concurrent\` | 502.9 ± 0.7 | 502.1 | 503.9 | 1.00 | 302.2 | 501.9 | 503.1 |
      | \`blocking\` | 1513.9 ± 0.8 | 1512.7 | 1514.7 | 3.01 ± 0.00 | 303.0 | 502.6 | 503.5 |

      concurrent ran 3.00 ± 0.00 times faster than sequential (ideal 3.01×, 100% of the bound of 502 ms).

      | # | URL | sequential | concurrent | blocking |
      | ---: | :--- | :--- | :--- | :--- |
      | 1 | http://127.0.0.1:41234/delay/100 | 200 · 102 ms | 200 · 102 ms | 200 · 102 ms |
      | 2 | http://127.0.0.1:41234/delay/200 | 200 · 202 ms | 200 · 202 ms | 200 · 203 ms |
      | 3 | http://127.0.0.1:41234/delay/300 | 200 · 302 ms | 200 · 302 ms | 200 · 303 ms |
      | 4 | http://127.0.0.1:41234/delay/400 | 200 · 402 ms | 200 · 403 ms | 200 · 402 ms |
      | 5 | http://127.0.0.1:41234/delay/500 | 200 · 502 ms | 200 · 502 ms | 200 · 503 ms |

      Failures:

      - 1 × ok: in the last run, failed in an earlier one (\`concurrent\`; #3)

      | Mode | Latency | Requests | Histogram |
      | :--- | ---: | ---: | :--- |
      | \`sequential\` | 101 ms – 168 ms | 5 | ████████████████████ |
      | \`sequential\` | 168 ms – 235 ms | 5 | ████████████████████ |
      | \`sequential\` | 235 ms – 302 ms | 4 | ████████████████ |
      | \`sequential\` | 302 ms – 369 ms | 1 | ████ |
      | \`sequential\` | 369 ms – 436 ms | 5 | ████████████████████ |
      | \`sequential\` | 436 ms – 503 ms | 5 | ████████████████████ |
      | \`concurrent\` | 101 ms – 168 ms | 6 | ████████████████████ |
      | \`concurrent\` | 168 ms – 235 ms | 5 | █████████████████ |
      | \`concurrent\` | 235 ms – 302 ms | 2 | ███████ |
      | \`concurrent\` | 302 ms – 369 ms | 2 | ███████ |
      | \`concurrent\` | 369 ms – 436 ms | 5 | █████████████████ |
      | \`concurrent\` | 436 ms – 503 ms | 5 | █████████████████ |
      | \`blocking\` | 102 ms – 169 ms | 5 | ████████████████████ |
      | \`blocking\` | 169 ms – 236 ms | 5 | ████████████████████ |
      | \`blocking\` | 236 ms – 303 ms | 2 | ████████ |
      | \`blocking\` | 303 ms – 370 ms | 3 | ████████████ |
      | \`blocking\` | 370 ms – 437 ms | 5 | ████████████████████ |
      | \`blocking\` | 437 ms – 504 ms | 5 | ████████████████████ |

      | Mode | Queued [ms] | DNS [ms] | TCP [ms] | TLS [ms] | Wait [ms] | Download [ms] | Connections | Peak in flight |
      | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      | \`sequential\` | 0.0 | – | 0.6 | – | 301.3 | 0.4 | 1 | 1 |
      | \`concurrent\` | 0.0 | – | 0.6 | – | 295.2 | 0.4 | 5 | 5 |
      | \`blocking\` | 0.0 | – | 0.6 | – | 302.1 | 0.4 | 1 | 1 |

      | Mode | Max delay [ms] | p99 [ms] | Heartbeat | Busy |
      | :--- | ---: | ---: | ---: | ---: |
      | \`sequential\` | 11.2 | 10.6 | 150/151 | 3% |
      | \`concurrent\` | 11.2 | 10.6 | 49/50 | 6% |
      | \`blocking\` | 501.9 | 499.1 | 5/151 | 100% |

      While blocking, the thread that waited on each request could run nothing else (its heartbeat timer fired 5 of 151 times); while awaiting, it could.

      > **Warning:** concurrent: 1 of 25 requests failed across 5 runs (1 reset)
      "
    `);
  });

  it("shows a delay that was not sampled as a dash", () => {
    const row = renderMarkdown(withoutDelaySample(multiRun), PLAIN)
      .split("\n")
      .find((line) => line.startsWith("| `sequential` |") && line.includes("/"));
    expect(
      row
        ?.split("|")
        .slice(2, 4)
        .map((cell) => cell.trim()),
    ).toEqual(["–", "–"]);
  });

  it("escapes pipes, backticks and brackets in URLs and strips control characters", () => {
    const text = renderMarkdown(hostile, PLAIN);
    expect(text).toContain('http://127.0.0.1:41234/a\\|b\\`c,d"e\uFFFD\\[31mred');
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("\u0007");
    // Every per-URL row still has its four cell borders.
    for (const row of urlRows(text)) expect(row.replaceAll("\\|", "").split("|")).toHaveLength(5);
  });

  it("escapeMarkdown escapes what breaks a table cell or injects markup", () => {
    expect(escapeMarkdown("a|b`c\\d<e>[f]")).toBe("a\\|b\\`c\\\\d\\<e\\>\\[f\\]");
    expect(escapeMarkdown("http://x/a_b*c")).toBe("http://x/a_b*c");
    expect(escapeMarkdown("\u001b[2J")).toBe("\uFFFD\\[2J");
  });

  it("chooses the per-URL rows like the terminal report", () => {
    const text = renderMarkdown(manyUrls, PLAIN);
    const rows = urlRows(text);
    expect(rows).toHaveLength(20);
    expect(rows.some((row) => row.includes("/refused") && row.includes("**connect**"))).toBe(true);
    expect(rows.some((row) => row.includes("/status/404") && row.includes("**404**"))).toBe(true);
    expect(text).toContain("*(+5 more rows, faster and all ok; --all shows every row)*");
    expect(urlRows(renderMarkdown(manyUrls, { color: false, allRows: true }))).toHaveLength(25);
  });

  it("shows 1.00 as the relative speed of a lone mode and no comparison", () => {
    const text = renderMarkdown(hostile, PLAIN);
    expect(text).toContain("| `sequential` | 4.6 | 4.6 | 4.6 | 1.00 |");
    expect(text).not.toContain("faster");
  });

  it("says so when the server slowed down under concurrency", () => {
    const slowed: Report = structuredClone(singleRun);
    if (slowed.summary.comparison) slowed.summary.comparison.latencyRatio = 3;
    expect(renderMarkdown(slowed, PLAIN)).toMatch(
      /^The server slowed down under concurrency: the median concurrent request took 3\.0× as long/m,
    );
  });

  it("has no ANSI codes even with colour on", () => {
    expect(render(singleRun, "markdown", { color: true, allRows: false })).not.toContain("\u001b");
  });

  it("comes a line at a time, one piece per per-URL row with --all", () => {
    const pieces = [...formatSpec("markdown").render(manyUrls, { color: false, allRows: true })];
    const rows = pieces.filter((piece) => /^(\n)?\| \d+ \|/.test(piece));
    expect(rows).toHaveLength(manyUrls.summary.targets.length);
    expect(pieces.join("")).toBe(renderMarkdown(manyUrls, { color: false, allRows: true }));
  });
});
