import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../src/server.js";
import { runCli } from "./helpers.js";

let server: ServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-html-"));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function list(name: string, paths: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${paths.map((p) => `${server.url}${p}`).join("\n")}\n`);
  return path;
}

describe("the HTML report from a real run", () => {
  it("--export-html writes a page with a bar per request of each mode", async () => {
    const file = await list("html.txt", ["/delay/20", "/delay/40", "/status/503"]);
    const target = join(dir, "report.html");
    const result = await runCli([
      file,
      "--modes",
      "sequential,concurrent,blocking",
      "--export-html",
      target,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/concurrent finished/);
    const page = await readFile(target, "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    for (const mode of ["sequential", "concurrent", "blocking"]) {
      const start = page.indexOf(`<g class="mode" data-mode="${mode}">`);
      const end = page.indexOf('<g class="loop"', start);
      expect(page.slice(start, end).match(/<g class="bar" /g)).toHaveLength(3);
    }
    expect(page).toMatch(/<rect class="frozen"/);
  });

  it("--format html prints the page on standard output", async () => {
    const file = await list("html-stdout.txt", ["/bytes/10"]);
    const result = await runCli([file, "--format", "html"]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(result.stdout.endsWith("</html>\n")).toBe(true);
  });
});

describe("HAR from a real run", () => {
  it("--export-har writes valid HAR 1.2 with an entry per request of each run", async () => {
    const file = await list("har.txt", ["/delay/20", "/bytes/100", "/status/404"]);
    const target = join(dir, "run.har");
    const result = await runCli([file, "--runs", "2", "--export-har", target]);
    expect(result.code).toBe(1);
    const doc = JSON.parse(await readFile(target, "utf8")) as {
      log: { pages: unknown[]; entries: { response: { status: number; bodySize: number } }[] };
    };
    const validator = createRequire(import.meta.url)("har-validator") as {
      har(data: unknown): Promise<unknown>;
    };
    await expect(validator.har(doc)).resolves.toBeTruthy();
    expect(doc.log.pages).toHaveLength(4);
    expect(doc.log.entries).toHaveLength(4 * 3);
    expect(doc.log.entries.map((e) => e.response.status).sort()).toEqual(
      [200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404].sort(),
    );
    expect(doc.log.entries.filter((e) => e.response.bodySize === 100)).toHaveLength(4);
  });
});
