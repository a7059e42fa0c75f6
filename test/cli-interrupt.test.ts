import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { BIN } from "./helpers.js";

let dir: string;
let server: LocalServerHandle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fetchbench-interrupt-"));
  server = await startServer({ port: 0, record: true });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI as a child process whose standard output is read only when the test says so. */
function start(args: readonly string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  }) as ChildProcessWithoutNullStreams;
  child.stdin.end();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, ended, stderr: () => stderr };
}

function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the child has written to standard output; nothing is read from it. */
function firstOutput(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => child.stdout.once("readable", () => resolve()));
}

/**
 * A list big enough that its JSON report (over half a megabyte) cannot fit in the pipe: with nobody
 * reading standard output, the CLI waits there, mid-report, until the reader comes back.
 */
async function bigList(name: string): Promise<string> {
  const path = join(dir, name);
  const urls = Array.from({ length: 600 }, (_, i) => `${server.url}/status/200?n=${i}`);
  await writeFile(path, `${urls.join("\n")}\n`);
  return path;
}

describe("Ctrl-C twice", () => {
  it("exits at once on the second, even while the first waits on a reader that never reads", async () => {
    const list = await bigList("stuck.txt");
    const run = start([list, "--modes", "concurrent", "--json", "--quiet"]);
    await firstOutput(run.child);
    // Time for the pipe to fill on a busy machine: the CLI is now stuck writing the report.
    await sleep(1000);
    run.child.kill("SIGINT");
    await sleep(500);
    run.child.kill("SIGINT");
    const second = performance.now();
    const result = await Promise.race([run.ended, sleep(5000).then(() => null)]);
    if (result === null) run.child.kill("SIGKILL");
    expect(result).not.toBeNull();
    // The first cannot finish while standard output stays full; the second ends the process
    // (killed by SIGINT, which a shell reports as 130).
    expect(result?.signal).toBe("SIGINT");
    expect(performance.now() - second).toBeLessThan(5000);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it.each(["sequential", "concurrent", "blocking"])(
    "ends a %s run at once, with no stack trace",
    async (mode) => {
      const path = join(dir, `slow-${mode}.txt`);
      const marker = `mode=${mode}`;
      await writeFile(path, `${server.url}/delay/8000?${marker}\n${server.url}/delay/8000\n`);
      const run = start([path, "--modes", mode, "--json", "--quiet"]);
      run.child.stdout.resume();
      // Ready: the first request reached the server.
      await until(
        () => server.received.some((seen) => seen.target.includes(marker)),
        "the first request",
      );
      run.child.kill("SIGINT");
      await sleep(50);
      run.child.kill("SIGINT");
      const signalled = performance.now();
      const result = await Promise.race([run.ended, sleep(5000).then(() => null)]);
      if (result === null) run.child.kill("SIGKILL");
      expect(result).not.toBeNull();
      expect(result?.signal === "SIGINT" || result?.code === 130).toBe(true);
      expect(performance.now() - signalled).toBeLessThan(5000);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    },
  );
});

describe("an interrupted export", () => {
  it("leaves the file as it was, never part of a report, and no temporary file", async () => {
    const list = await bigList("export.txt");
    const folder = await mkdtemp(join(dir, "out-"));
    const target = join(folder, "report.json");
    await writeFile(target, "old\n");
    const run = start([
      list,
      "--modes",
      "concurrent",
      "--json",
      "--quiet",
      "--export-json",
      target,
    ]);
    await firstOutput(run.child);
    // Stuck on standard output, before the export: Ctrl-C now interrupts the writing.
    await sleep(1000);
    run.child.kill("SIGINT");
    await sleep(200);
    let stdout = "";
    run.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    const result = await run.ended;
    expect(result.code).toBe(130);
    // The report on standard output was already under way and is whole.
    expect(JSON.parse(stdout)).toMatchObject({ schemaVersion: 2 });
    expect(run.stderr()).toContain(`${target}: cannot write (interrupted)`);
    expect(await readFile(target, "utf8")).toBe("old\n");
    expect(await readdir(folder)).toEqual(["report.json"]);
  });
});
