import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fileLimitWarning,
  HEADROOM,
  localFailure,
  openFileLimit,
  parseLimits,
  readFileLimit,
  socketsNeeded,
} from "../src/limits.js";
import type { Report } from "../src/report/model.js";
import { type ServerHandle, startServer } from "../src/server.js";
import { BIN } from "./helpers.js";

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            256                  524288               files
Max locked memory         8388608              8388608              bytes
`;

describe("parseLimits", () => {
  it("reads the soft and hard open-file limits", () => {
    expect(parseLimits(PROC_LIMITS)).toEqual({ soft: 256, hard: 524_288 });
  });

  it("reads unlimited as Infinity", () => {
    const text = "Max open files            unlimited            unlimited            files\n";
    expect(parseLimits(text)).toEqual({
      soft: Number.POSITIVE_INFINITY,
      hard: Number.POSITIVE_INFINITY,
    });
  });

  it("gives null when the line is missing", () => {
    expect(parseLimits("Max cpu time unlimited unlimited seconds\n")).toBeNull();
  });
});

describe("readFileLimit", () => {
  it.runIf(process.platform === "linux")("reads this process's limit and open files", async () => {
    const limit = await readFileLimit();
    expect(limit?.soft).toBeGreaterThan(0);
    expect(limit?.hard).toBeGreaterThanOrEqual(limit?.soft ?? 0);
    // At least standard input, output and error.
    expect(limit?.open).toBeGreaterThanOrEqual(3);
  });
});

describe("socketsNeeded", () => {
  it("counts the concurrent mode's cap, or every URL for all", () => {
    expect(socketsNeeded(["sequential", "concurrent"], "all", 600)).toBe(600);
    expect(socketsNeeded(["concurrent"], 50, 600)).toBe(50);
    expect(socketsNeeded(["concurrent"], 50, 10)).toBe(10);
  });

  it("counts one for the modes that fetch one at a time", () => {
    expect(socketsNeeded(["sequential", "blocking"], "all", 600)).toBe(1);
  });
});

describe("fileLimitWarning", () => {
  const limit = { soft: 256, hard: 524_288, open: 20 };

  it("says nothing when the sockets fit", () => {
    expect(fileLimitWarning(256 - 20 - HEADROOM, limit)).toBeNull();
  });

  it("gives the numbers and the ulimit -n that makes them fit", () => {
    const message = fileLimitWarning(600, limit);
    expect(message).toContain("600 connections");
    expect(message).toContain("only 256 files");
    expect(message).toContain("20 already open");
    expect(message).toContain(`\`ulimit -n ${600 + 20 + HEADROOM}\``);
    expect(message).toContain("no fault of the server");
  });

  it("names the hard limit when ulimit -n cannot reach far enough", () => {
    const message = fileLimitWarning(2_000, { soft: 256, hard: 1_024, open: 20 });
    expect(message).toContain(
      `\`ulimit -n ${2_000 + 20 + HEADROOM}\` in a shell whose hard limit allows it (here it is 1024`,
    );
  });
});

describe("localFailure", () => {
  it("gives the client machine's shortages one line that says what to do", () => {
    const limit = openFileLimit();
    const emfile = localFailure("EMFILE");
    expect(emfile).toMatch(/^too many open files in this process.*: lower --concurrency/);
    if (limit !== null && Number.isFinite(limit)) expect(emfile).toContain(`(ulimit -n ${limit})`);
    for (const code of ["ENFILE", "EADDRNOTAVAIL", "ENOBUFS"]) {
      expect(localFailure(code)).toMatch(/on this machine.*: lower --concurrency$/);
    }
  });

  it("leaves every other code to the network's kinds", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", null]) {
      expect(localFailure(code)).toBeNull();
    }
  });
});

describe.runIf(process.platform === "linux")("under ulimit -n 64", () => {
  let server: ServerHandle;
  let dir: string;

  beforeAll(async () => {
    server = await startServer();
    dir = await mkdtemp(join(tmpdir(), "fetchbench-limits-"));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI in bash with the open-file limit lowered to 64 (soft and hard). */
  async function runLimited(
    urls: number,
  ): Promise<{ code: number | null; stderr: string; report: Report }> {
    const list = join(dir, `urls-${urls}.txt`);
    const lines = Array.from({ length: urls }, (_, i) => `${server.url}/delay/300?i=${i}`);
    await writeFile(list, `${lines.join("\n")}\n`);
    const script = `ulimit -n 64 && exec "$0" "$1" "$2" --modes concurrent --json --ignore-failures`;
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-c", script, process.execPath, BIN, list], {
        env: { ...process.env, NO_COLOR: "1" },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk;
      });
      child.once("error", reject);
      child.once("close", (code) => {
        try {
          resolve({ code, stderr, report: JSON.parse(stdout) as Report });
        } catch {
          reject(new Error(`no JSON report; stderr: ${stderr}`));
        }
      });
    });
  }

  it("warns before the run, fails the excess as local, and never blames the server", async () => {
    const { code, stderr, report } = await runLimited(150);
    expect(code).toBe(0);
    const lines = stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^Warning: the concurrent mode may hold 150 connections open at once, but this process may open only 64 files .*no fault of the server; raise it with `ulimit -n \d+`/,
    );
    const requests = report.runs.flatMap((run) => run.requests);
    expect(requests).toHaveLength(150);
    const failed = requests.filter((request) => !request.ok);
    // Some requests got a descriptor and were answered; the rest ran out on this machine.
    expect(failed.length).toBeGreaterThan(0);
    expect(requests.some((request) => request.ok)).toBe(true);
    expect(failed.every((request) => request.error?.kind === "local")).toBe(true);
    expect(failed.every((request) => request.error?.code === "EMFILE")).toBe(true);
    // One plain line naming the limit, not the socket or file the system call was about.
    const messages = new Set(failed.map((request) => request.error?.message));
    expect([...messages]).toEqual([
      "too many open files in this process (ulimit -n 64): lower --concurrency or raise ulimit -n",
    ]);
    const local = report.summary.warnings.find((warning) => warning.kind === "local");
    expect(local?.message).toMatch(
      /failed on this machine, not at the server: \d+ × too many open files in this process \(ulimit -n 64\).*\(EMFILE\)$/,
    );
  }, 30_000);

  it("says nothing when the requests fit", async () => {
    const { stderr, report } = await runLimited(5);
    expect(stderr).toBe("");
    expect(report.runs[0]?.requests.every((request) => request.ok)).toBe(true);
  }, 30_000);
});
