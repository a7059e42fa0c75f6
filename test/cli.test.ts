import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { Report } from "../src/report/model.js";
import { type ServerHandle, startServer } from "../src/server.js";
import { deadPort, runCli, runMain } from "./helpers.js";

let server: ServerHandle;
let dir: string;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-cli-"));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function list(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

/** A usage error is one line on standard error, nothing on standard output, exit 2. */
function expectUsageError(
  result: { code: number | null; stdout: string; stderr: string },
  message: string,
) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")[0]).toBe(`fetchbench: ${message}`);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("fetchbench run", () => {
  it("exits 0 and prints both modes and the comparison when every request is ok", async () => {
    const file = await list("ok.txt", [
      "# two endpoints",
      `${server.url}/delay/50`,
      "",
      `${server.url}/bytes/10`,
    ]);
    const result = await runMain([file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sequential\s+wall /m);
    expect(result.stdout).toMatch(/^concurrent\s+wall /m);
    expect(result.stdout).toMatch(
      /concurrent finished [\d.]+× (faster than|as fast as) sequential \(ideal [\d.]+×, \d+% of the bound\)/,
    );
    // Warnings (a first request that paid one-time costs, say) may come; errors may not.
    expect(result.stderr).not.toMatch(/^fetchbench:/m);
  });

  it("accepts the explicit run command", async () => {
    const file = await list("run.txt", [`${server.url}/bytes/1`]);
    const result = await runMain(["run", file, "--format", "json"]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).source).toBe(file);
  });

  it("reads the list from standard input with -", async () => {
    const result = await runMain(["-", "--json"], {
      input: `${server.url}/bytes/3\n${server.url}/bytes/4\n`,
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.source).toBe("-");
    expect(report.runs[0]?.requests.map((r) => r.bytes)).toEqual([3, 4]);
  });

  it("prints a JSON report with the documented fields", async () => {
    const file = await list("json.txt", [`${server.url}/delay/20`, `${server.url}/redirect/1`]);
    const result = await runMain([file, "--format", "json", "-t", "5s"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.schemaVersion).toBe(2);
    expect(report.tool.name).toBe("fetchbench");
    expect(report.options).toMatchObject({
      modes: ["sequential", "concurrent"],
      concurrency: "all",
      runs: 1,
      warmup: 0,
      timeoutMs: 5000,
      maxRedirects: 10,
    });
    expect(report.runs.map((run) => run.mode)).toEqual(["sequential", "concurrent"]);
    const request = report.runs[0]?.requests[1];
    expect(request).toMatchObject({
      index: 1,
      line: 2,
      ok: true,
      status: 200,
      redirects: 1,
      error: null,
    });
    expect(request?.finalUrl).toBe(`${server.url}/redirect/0`);
    for (const key of ["startMs", "queuedMs", "ttfbMs", "downloadMs", "latencyMs", "endMs"]) {
      expect(typeof (request as unknown as Record<string, unknown>)[key]).toBe("number");
    }
    expect(report.summary.comparison).toMatchObject({ baseline: "sequential", mode: "concurrent" });
    expect(report.summary.modes.sequential?.ok).toBe(2);
  });

  it("finishes 10 URLs of 200 ms concurrently in well under the sequential wall", async () => {
    const file = await list(
      "ten.txt",
      Array.from({ length: 10 }, () => `${server.url}/delay/200`),
    );
    const result = await runMain([file, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const sequential = report.summary.modes.sequential?.wallMs.mean ?? 0;
    const concurrent = report.summary.modes.concurrent?.wallMs.mean ?? Number.POSITIVE_INFINITY;
    expect(sequential).toBeGreaterThanOrEqual(1900);
    expect(concurrent).toBeLessThan(sequential / 3);
    expect(report.summary.comparison?.speedup).toBeGreaterThan(3);
  });

  it("exits 1 when a request fails and still reports every URL", async () => {
    const port = await deadPort();
    const file = await list("failing.txt", [
      `${server.url}/status/500`,
      `http://127.0.0.1:${port}/`,
      `${server.url}/bytes/5`,
    ]);
    const result = await runCli([file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("/status/500");
    expect(result.stdout).toContain(`127.0.0.1:${port}`);
    expect(result.stdout).toContain("/bytes/5");
    expect(result.stdout).toContain("ECONNREFUSED");
    expect(result.stderr).toMatch(/4 requests failed/);
  });

  it("exits 0 with --ignore-failures", async () => {
    const file = await list("ignored.txt", [`${server.url}/status/404`]);
    const result = await runMain([file, "--ignore-failures"]);
    expect(result.code).toBe(0);
  });

  it("turns a timeout into a failure with its kind", async () => {
    const file = await list("slow.txt", [`${server.url}/delay/3000`]);
    const result = await runMain([file, "--json", "--timeout", "200ms", "--modes", "concurrent"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runs[0]?.requests[0]?.error).toMatchObject({ kind: "timeout" });
  });

  it("runs only the modes asked for", async () => {
    const file = await list("one-mode.txt", [`${server.url}/bytes/1`]);
    const result = await runMain([file, "--json", "--modes", "concurrent"]);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.runs.map((run) => run.mode)).toEqual(["concurrent"]);
    expect(report.summary.comparison).toBeNull();
  });

  it("sends the method and headers asked for", async () => {
    const file = await list("method.txt", [`${server.url}/status/200`]);
    const result = await runMain([file, "--json", "-X", "head", "-H", "X-Test: 1"]);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.options.method).toBe("HEAD");
    expect(report.options.headers).toEqual({ "X-Test": "1" });
    expect(report.runs[0]?.requests[0]?.bytes).toBe(0);
  });

  it("prints no colour codes when standard output is not a terminal", async () => {
    const file = await list("plain.txt", [`${server.url}/status/503`]);
    const result = await runMain([file], { env: { NO_COLOR: "" } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes.
    expect(result.stdout + result.stderr).not.toMatch(/\u001b\[/);
  });
});

describe("bad input", () => {
  it("names the file and line of a bad URL and fetches nothing", async () => {
    const file = await list("bad.txt", [`${server.url}/bytes/1`, "htp:/x"]);
    expectUsageError(await runMain([file]), `${file}:2: not an http(s) URL: "htp:/x"`);
  });

  it("says so when the file does not exist", async () => {
    const file = join(dir, "missing.txt");
    expectUsageError(await runMain([file]), `${file}: no such file`);
  });

  it("says so when the path is a directory", async () => {
    const sub = join(dir, "a-directory");
    await mkdir(sub, { recursive: true });
    const result = await runMain([sub]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a directory/);
  });

  it("rejects an empty list", async () => {
    const file = await list("empty.txt", ["# nothing here", ""]);
    const result = await runMain([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no URLs in the list/);
  });

  it("rejects --concurrency 0", async () => {
    const file = await list("c0.txt", [`${server.url}/bytes/1`]);
    expectUsageError(
      await runMain([file, "--concurrency", "0"]),
      'Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "0"',
    );
  });

  it("rejects --timeout abc", async () => {
    const file = await list("tabc.txt", [`${server.url}/bytes/1`]);
    const result = await runMain([file, "--timeout", "abc"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fetchbench: Expected `--timeout` to be a duration/);
  });

  it("rejects an unknown mode", async () => {
    const file = await list("mode.txt", [`${server.url}/bytes/1`]);
    const result = await runMain([file, "--modes", "fast"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--modes/);
  });

  it("rejects an unknown option with exit 2", async () => {
    const result = await runMain(["--frobnicate", "x.txt"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it("asks for a file when none is given", async () => {
    const result = await runMain([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fetchbench: missing required argument 'file\|URL'$/m);
  });

  it("names the largest duration accepted for --timeout 25h", async () => {
    expectUsageError(
      await runMain(["x.txt", "--timeout", "25h"]),
      'Expected `--timeout` to be a duration of at most 24h, the largest accepted, got "25h"',
    );
  });

  it("gives commander's errors the same prefix and points to run --help", async () => {
    const result = await runMain(["x.txt", "--frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "fetchbench: unknown option '--frobnicate'\n(run `fetchbench run --help` for usage)\n",
    );
  });

  it("takes a mistyped command for one when no such file exists", async () => {
    expectUsageError(
      await runCli(["demoo"], { cwd: dir }),
      'unknown command "demoo" (did you mean demo?)',
    );
  });

  it("reads a file named like a command when it exists", async () => {
    await list("serv", [`${server.url}/bytes/1`]);
    const result = await runCli(["serv", "--json", "--modes", "sequential"], { cwd: dir });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Report).source).toBe("serv");
  });

  it("refuses a list file mixed with URLs", async () => {
    const file = await list("mixed.txt", [`${server.url}/bytes/1`]);
    expectUsageError(
      await runMain([`${server.url}/bytes/2`, file]),
      `a list file (${JSON.stringify(file)}) and URLs cannot be mixed: give either one file or the URLs`,
    );
  });

  it("names the argument of a bad URL argument", async () => {
    expectUsageError(
      await runMain([`${server.url}/bytes/1`, "ftp://example.com/x"]),
      'argument 2: not an http(s) URL: "ftp://example.com/x"',
    );
  });

  it("refuses two exports to one file before fetching anything", async () => {
    const file = await list("same-export.txt", [`${server.url}/bytes/1`]);
    const target = join(dir, "same.out");
    expectUsageError(
      await runMain([file, "--export-json", target, "--export-csv", target]),
      `\`--export-csv\` ${target}: is also the \`--export-json\` file; give each output its own file`,
    );
  });

  it("counts --export-junit among the exports that may not share a file", async () => {
    const file = await list("same-junit.txt", [`${server.url}/bytes/1`]);
    const target = join(dir, "same-junit.out");
    expectUsageError(
      await runMain([file, "--export-junit", target, "--export-csv", target]),
      `\`--export-junit\` ${target}: is also the \`--export-csv\` file; give each output its own file`,
    );
    expectUsageError(
      await runMain([file, "--export-junit", file]),
      `\`--export-junit\` ${file}: is also the URL list; give each output its own file`,
    );
  });

  it("refuses an export over the URL list and leaves the list as it was", async () => {
    const file = await list("over-input.txt", [`${server.url}/bytes/1`]);
    expectUsageError(
      await runMain([file, "--export-csv", file]),
      `\`--export-csv\` ${file}: is also the URL list; give each output its own file`,
    );
    expect(await readFile(file, "utf8")).toBe(`${server.url}/bytes/1\n`);
  });
});

describe("URLs as arguments", () => {
  it("runs the URLs given as arguments as the list, in order", async () => {
    const result = await runMain([`${server.url}/bytes/3`, `${server.url}/bytes/4`, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.source).toBe("<arguments>");
    expect(report.runs[0]?.requests.map((r) => [r.index, r.bytes])).toEqual([
      [0, 3],
      [1, 4],
    ]);
  });

  it("says where the URLs came from in the terminal report", async () => {
    const result = await runMain([`${server.url}/bytes/3`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fetchbench · 1 URL from the command line · /);
  });
});

describe("--sort and --top", () => {
  it("shows the n slowest URLs, slowest first", async () => {
    const urls = [10, 1500, 20, 800].map((ms) => `${server.url}/delay/${ms}`);
    const result = await runMain([
      ...urls,
      "--modes",
      "sequential",
      "--sort",
      "latency",
      "--top",
      "2",
    ]);
    expect(result.code).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => /^ +\d+ {2}http/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(["2", "4"]);
    expect(result.stdout).toContain("(+2 more rows, faster and all ok; --all shows every row)");
  });

  it("rejects an unknown sort column", async () => {
    expectUsageError(
      await runMain(["x.txt", "--sort", "speed"]),
      'Expected `--sort` to be one of list, latency, status, url, got "speed"',
    );
  });
});

describe("help and version", () => {
  it("shows the run options for fetchbench <file> --help", async () => {
    const result = await runMain(["urls.txt", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: fetchbench run \[options\] <file\|URL\.\.\.>/);
    expect(result.stdout).toContain("--concurrency");
  });

  it("shows numeric defaults without quotes", async () => {
    const result = await runMain(["run", "--help"]);
    expect(result.stdout).toMatch(/measured runs per mode \(default: 1\)/);
    expect(result.stdout).not.toMatch(/default: "/);
  });

  it("accepts -v as --version", async () => {
    const [short, long] = await Promise.all([runCli(["-v"]), runMain(["--version"])]);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("prints the same version alone as the CLI does after a command", async () => {
    const [alone, afterCommand, pkg] = await Promise.all([
      runCli(["-V"]),
      runCli(["run", "--version"]),
      readFile(new URL("../package.json", import.meta.url), "utf8"),
    ]);
    expect(alone.stdout).toBe(`${(JSON.parse(pkg) as { version: string }).version}\n`);
    expect(afterCommand.stdout).toBe(alone.stdout);
  });
});

describe("option notices", () => {
  it("warns that -c has no effect with only the sequential mode, and the header does not claim it", async () => {
    const result = await runMain([`${server.url}/bytes/1`, "-c", "8", "--modes", "sequential"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^Warning: --concurrency has no effect without the concurrent mode \(--modes sequential\)$/m,
    );
    expect(result.stdout).not.toMatch(/concurrency 8/);
  });

  it("says on a terminal that - reads standard input and how to end it", async () => {
    const stderr: string[] = [];
    const code = await main(["-", "--json", "--modes", "sequential"], {
      stdout: () => {},
      stderr: (text) => stderr.push(text),
      readStdin: async () => Buffer.from(`${server.url}/bytes/1\n`),
      stdoutIsTTY: false,
      stderrIsTTY: false,
      stdinIsTTY: true,
      stderrColumns: 80,
      env: {},
      onInterrupt: () => () => {},
    });
    expect(code).toBe(0);
    expect(stderr.join("")).toMatch(/reading URLs from standard input.*Ctrl-D/);
  });
});

describe("fitting the terminal", () => {
  it("wraps warnings on a terminal's standard error at word boundaries to its width", async () => {
    let stderr = "";
    const code = await main(
      [`${server.url}/bytes/1`, "-c", "8", "--modes", "sequential", "--json"],
      {
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        readStdin: async () => Buffer.from(""),
        stdoutIsTTY: false,
        stderrIsTTY: true,
        stderrColumns: 40,
        env: { NO_COLOR: "1" },
        onInterrupt: () => () => {},
      },
    );
    expect(code).toBe(0);
    // The progress line redraws after a carriage return; warnings are whole lines.
    const lines = stderr
      .split("\n")
      .map((line) => line.split("\r").at(-1) ?? "")
      .filter((line) => line.trim() !== "");
    const first = lines.findIndex((line) => line.startsWith("Warning: --concurrency"));
    const rest = lines.slice(first + 1);
    const end = rest.findIndex((line) => !line.startsWith("  "));
    const warning = lines.slice(first, first + 1 + (end === -1 ? rest.length : end));
    expect(warning.map((line) => line.trim()).join(" ")).toBe(
      "Warning: --concurrency has no effect without the concurrent mode (--modes sequential)",
    );
    expect(warning.length).toBeGreaterThan(1);
    for (const line of warning) expect(Array.from(line).length).toBeLessThanOrEqual(40);
  });

  it("wraps the demo's explanation to the report's width", async () => {
    const result = await runMain(["demo", "--count", "2", "--delay", "10ms"], {
      env: { COLUMNS: "40" },
    });
    expect(result.code).toBe(0);
    const explanation = result.stdout.split("\n\n")[0]?.split("\n") ?? [];
    expect(explanation.length).toBeGreaterThan(3);
    for (const line of explanation) expect(Array.from(line).length).toBeLessThanOrEqual(40);
    expect(explanation.join(" ")).toMatch(
      /^Demo: 2 URLs on a local server .* freezes the worker thread making it\.$/,
    );
  });
});

describe("fetchbench demo", () => {
  it("runs the comparison on the built-in server with no network", async () => {
    const result = await runMain(["demo", "--count", "4", "--delay", "50-100ms"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Demo: 4 URLs on a local server/);
    expect(result.stdout).toMatch(/concurrent finished/);
  });

  it("prints pure JSON with --json", async () => {
    const result = await runMain(["demo", "--count", "3", "--delay", "10ms", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.source).toBe("demo");
    expect(report.runs[0]?.requests).toHaveLength(3);
  });
});

describe("fetchbench serve", () => {
  it("serves until it is told to stop, then exits 0", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./helpers.js");
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const banner = await new Promise<string>((resolve) => {
      let text = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("\n")) resolve(text);
      });
    });
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/status/201`);
    expect(response.status).toBe(201);
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("rejects a bad port", async () => {
    const result = await runMain(["serve", "--port", "70000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port/);
  });
});
