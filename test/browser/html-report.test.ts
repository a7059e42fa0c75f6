/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * Without Chromium the test is skipped with a note on how to run it, except under CI (CI=1),
 * where a missing browser is a failure: `.ci/run` installs it.
 */

import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/model.js";
import { render } from "../../src/report/render.js";
import { type ServerHandle, startServer } from "../../src/server.js";
import { runCli } from "../helpers.js";

const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

/** `command -v chromium`: the first executable `chromium` on PATH, or null. */
async function findChromium(): Promise<string | null> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "chromium");
    const found = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return candidate;
  }
  return null;
}

const executablePath = await findChromium();
const ci = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "0";
const HOW =
  "install Debian's chromium (apt-get install -y chromium) so that `command -v chromium` finds it";

if (executablePath === null && !ci) {
  console.warn(`fetchbench: the browser test of the HTML report was SKIPPED: no Chromium; ${HOW}.`);
}

const HOSTILE_URL = 'http://127.0.0.1:9/<img src=x onerror="window.pwned=1">';
const HOSTILE_MESSAGE = "<script>window.pwned=2</script><b>bold</b>";

describe.runIf(executablePath === null && ci)("the HTML report in Chromium (CI)", () => {
  it("needs Chromium under CI", () => {
    throw new Error(`CI is set but no Chromium was found: ${HOW} (.ci/run does it as root)`);
  });
});

describe.runIf(executablePath !== null)("the HTML report in Chromium", () => {
  let server: ServerHandle;
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let report: Report;
  let sweepPage: Page;
  let sweep: Report;
  const leaving: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), "fetchbench-browser-"));
    const list = join(dir, "urls.txt");
    const paths = ["/delay/30", "/delay/60", "/delay/90", "/bytes/2048", "/status/500"];
    await writeFile(list, `${paths.map((p) => `${server.url}${p}`).join("\n")}\n`);
    const json = join(dir, "report.json");
    const result = await runCli([
      list,
      "--modes",
      "sequential,concurrent,blocking",
      "--export-json",
      json,
    ]);
    expect(result.code).toBe(1);
    report = JSON.parse(await readFile(json, "utf8")) as Report;
    // A list or a server that tries to inject markup: the URL of #4 and the error of #5.
    const swap = (value: unknown): unknown =>
      typeof value === "string"
        ? value
            .replace(`${server.url}/bytes/2048`, HOSTILE_URL)
            .replace(/^HTTP 500 .*/, HOSTILE_MESSAGE)
        : value;
    report = JSON.parse(JSON.stringify(report), (_key, value) => swap(value)) as Report;
    const file = join(dir, "report.html");
    await writeFile(file, render(report, "html", { color: false, allRows: true }));

    context = await chromium.launchPersistentContext(await mkdtemp(join(dir, "profile-")), {
      executablePath: executablePath ?? "",
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    // Anything but the file itself and data: URLs would be the page reaching out.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      leaving.push(url);
      return route.abort();
    });
    const watched = (opened: Page): Page => {
      opened.on("request", (request) => {
        const url = request.url();
        if (!url.startsWith("file:") && !url.startsWith("data:")) leaving.push(url);
      });
      opened.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      opened.on("pageerror", (error) => problems.push(error.message));
      return opened;
    };
    page = watched(context.pages()[0] ?? (await context.newPage()));
    await page.goto(pathToFileURL(file).href);

    // A sweep against a server that works on 2 requests at once: its page draws the curve.
    const sweepList = join(dir, "sweep.txt");
    const sweepUrls = Array.from(
      { length: 8 },
      (_, i) => `${server.url}/delay/40?capacity=2&n=${i}`,
    );
    await writeFile(sweepList, `${sweepUrls.join("\n")}\n`);
    const sweepJson = join(dir, "sweep.json");
    const swept = await runCli([sweepList, "-c", "1,2,4,8", "--export-json", sweepJson]);
    expect(swept.code).toBe(0);
    sweep = JSON.parse(await readFile(sweepJson, "utf8")) as Report;
    const sweepFile = join(dir, "sweep.html");
    await writeFile(sweepFile, render(sweep, "html", { color: false, allRows: true }));
    sweepPage = watched(await context.newPage());
    await sweepPage.goto(pathToFileURL(sweepFile).href);
  }, 120_000);

  afterAll(async () => {
    if (page !== undefined) {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "report.png"), fullPage: true });
    }
    if (sweepPage !== undefined) {
      await sweepPage.locator("svg.sweep").screenshot({ path: join(ARTIFACTS, "sweep.png") });
    }
    await context?.close();
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("draws one bar per request of each mode", async () => {
    for (const mode of ["sequential", "concurrent", "blocking"] as const) {
      const run = report.runs.filter((r) => r.mode === mode).at(-1);
      const bars = page.locator(`svg.waterfall g.mode[data-mode="${mode}"] g.bar`);
      expect(await bars.count()).toBe(run?.requests.length);
    }
    expect(
      await page.locator("svg.waterfall g.loop[data-mode=blocking] rect.frozen").count(),
    ).toBeGreaterThan(0);
  });

  it("shows a bar's phases in a tooltip", async () => {
    const bar = page.locator('svg.waterfall g.mode[data-mode="concurrent"] g.bar').first();
    await bar.locator("rect.wait").hover();
    const tip = page.locator("#fb-tip");
    await expect.poll(() => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    expect(text).toContain(`#1 ${server.url}/delay/30`);
    expect(text).toMatch(/queued .* · dns .* · tcp .* · tls /);
    expect(text).toMatch(/connect .* · wait .* · download /);
  });

  it("sorts the table by a column, both ways", async () => {
    const column = async (n: number) =>
      page
        .locator("table.urls tbody tr")
        .evaluateAll(
          (rows, i) =>
            rows.map((row) => row.querySelectorAll("td")[i]?.getAttribute("data-v") ?? ""),
          n,
        );
    const latency = 3; // #, URL, sequential status, sequential latency
    await page.locator("table.urls thead th").nth(latency).locator("button").click();
    const up = (await column(latency)).map(Number);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    await page.locator("table.urls thead th").nth(latency).locator("button").click();
    const down = (await column(latency)).map(Number);
    expect(down).toEqual([...up].reverse());
    await page.locator("table.urls thead th").nth(1).locator("button").click();
    const urls = await column(1);
    expect(urls).toEqual([...urls].sort());
    expect(await page.locator("table.urls thead th").nth(1).getAttribute("aria-sort")).toBe(
      "ascending",
    );
  });

  it("shows a hostile URL and error message as text", async () => {
    const table = page.locator("table.urls");
    expect(await table.innerText()).toContain(HOSTILE_URL);
    expect(await table.innerText()).toContain(HOSTILE_MESSAGE);
    expect(await page.locator("main img, main script, table b").count()).toBe(0);
    expect(await page.evaluate("typeof window.pwned")).toBe("undefined");
  });

  it("draws a sweep's curve: one point per variant on a log axis, the knee, the USL if kept", async () => {
    const keys = Object.keys(sweep.summary.variants ?? {});
    expect(keys).toEqual(["concurrent@1", "concurrent@2", "concurrent@4", "concurrent@8"]);
    const points = sweepPage.locator("svg.sweep g.point");
    expect(await points.evaluateAll((gs) => gs.map((g) => g.getAttribute("data-variant")))).toEqual(
      keys,
    );
    // Each point is drawn: a throughput dot and a p99 square inside the plot.
    for (const key of keys) {
      const point = sweepPage.locator(`svg.sweep g.point[data-variant="${key}"]`);
      expect(await point.locator("circle.tput").isVisible()).toBe(true);
      expect(await point.locator("rect.p99").isVisible()).toBe(true);
    }
    // Doubling concurrency, equal steps: the axis is a log scale.
    const xs = await sweepPage
      .locator("svg.sweep circle.tput")
      .evaluateAll((cs) => cs.map((c) => Number(c.getAttribute("cx"))));
    const steps = xs.slice(1).map((x, i) => x - (xs[i] ?? 0));
    for (const step of steps) expect(step).toBeCloseTo(steps[0] ?? 0, 0);
    const knee = sweep.summary.sweep?.knee?.variant;
    expect(knee).toBeDefined();
    expect(await sweepPage.locator("svg.sweep g.knee").getAttribute("data-variant")).toBe(knee);
    expect(await sweepPage.locator("table.sweep tbody tr").count()).toBe(keys.length);
    expect(await sweepPage.locator("svg.sweep path.usl").count()).toBe(
      sweep.summary.sweep?.usl === null ? 0 : 1,
    );
  });

  it("draws the sweep's curve in the reader's dark scheme too", async () => {
    const stroke = () =>
      sweepPage.evaluate(
        "getComputedStyle(document.querySelector('svg.sweep path.tput-line')).stroke",
      );
    await sweepPage.emulateMedia({ colorScheme: "light" });
    const light = await stroke();
    await sweepPage.emulateMedia({ colorScheme: "dark" });
    const dark = await stroke();
    const background = await sweepPage.evaluate("getComputedStyle(document.body).backgroundColor");
    await sweepPage.emulateMedia({ colorScheme: "light" });
    expect(dark).not.toBe(light);
    expect(background).toBe("rgb(20, 23, 28)");
  });

  it("fetches nothing and logs no error", async () => {
    expect(leaving).toEqual([]);
    expect(problems).toEqual([]);
  });
});
