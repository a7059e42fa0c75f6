// Makes the README's picture of the HTML report (test/browser/report.png): an HTML report of
// `fetchbench demo`, opened in headless Chromium at 1100 × 1420 px (its top: the cards, the
// waterfall, the event loop), the pointer on the first concurrent bar so that its tooltip
// shows. Needs `npm run build` and Debian's chromium.
//   node test/browser/screenshot.mjs [out.png]
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = process.argv[2] ?? join(root, "test/browser/report.png");
const dir = await mkdtemp(join(tmpdir(), "fetchbench-shot-"));
try {
  const html = join(dir, "demo.html");
  execFileSync(process.execPath, [join(root, "bin/fetchbench.js"), "demo", "--export-html", html], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const executablePath = execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" });
  const browser = await chromium.launch({
    executablePath: executablePath.trim(),
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1420 } });
  await page.goto(pathToFileURL(html).href);
  await page
    .locator('svg.waterfall g.mode[data-mode="concurrent"] g.bar')
    .first()
    .locator("rect.wait")
    .hover();
  await page.locator("#fb-tip").waitFor({ state: "visible" });
  await page.screenshot({ path: out });
  await browser.close();
  process.stdout.write(`${out}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
