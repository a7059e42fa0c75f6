import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Io } from "../src/cli.js";
import {
  type ClientSettings,
  openClient,
  type RequestOptions,
  requestResult,
} from "../src/client.js";
import { type ConnectionOptions, DEFAULT_CONNECTION } from "../src/options.js";
import type { RequestResult } from "../src/report/model.js";
import type { LocalServerHandle } from "../src/server.js";

export const BIN = fileURLToPath(new URL("../bin/fetchbench.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How long the process took to end by itself, in ms. */
  elapsedMs: number;
}

/** Runs the real CLI as a user would, with no colour and nothing inherited from a terminal. */
export function runCli(
  args: readonly string[],
  options: {
    input?: string;
    cwd?: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    /** Sends SIGINT (Ctrl-C) this long after the start. */
    interruptAfterMs?: number;
    /**
     * Sends SIGINT (Ctrl-C) once the process has got far enough: when this promise settles, or
     * when this test of what the process printed so far first holds.
     */
    interruptWhen?: Promise<unknown> | ((output: { stdout: string; stderr: string }) => boolean);
  } = {},
): Promise<CliResult & { interruptedAtMs: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: "1",
      ...options.env,
    };
    if (!options.env?.FORCE_COLOR) delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `fetchbench ${args.join(" ")} did not end within ${options.timeoutMs ?? 20_000} ms`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    let interruptedAtMs: number | null = null;
    let ended = false;
    const interrupt = () => {
      if (ended || interruptedAtMs !== null) return;
      interruptedAtMs = performance.now() - started;
      child.kill("SIGINT");
    };
    if (options.interruptAfterMs !== undefined) setTimeout(interrupt, options.interruptAfterMs);
    const when = options.interruptWhen;
    if (typeof when === "function") {
      const check = () => {
        if (when({ stdout, stderr })) interrupt();
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
    } else {
      when?.then(interrupt, reject);
    }
    child.on("error", reject);
    child.on("close", (code) => {
      ended = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started, interruptedAtMs });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A port on 127.0.0.1 with nothing listening on it: bound, noted, closed. */
export async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Runs the CLI in this process through `main(argv, io)`, as `runCli` would in a child process
 * with no terminal: the same arguments, parsing, run, report and exit code, without starting
 * Node. Tests of what only a real process shows (signals, `process.exitCode`, Node's own
 * warnings, the working folder) use `runCli`.
 */
export async function runMain(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const started = performance.now();
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => Buffer.from(options.input ?? ""),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    stderrColumns: 80,
    env: { NO_COLOR: "1", ...options.env },
    onInterrupt: () => () => {},
  };
  // Loaded here, so that tests which only build fixtures do not load the whole CLI.
  const { main } = await import("../src/cli.js");
  const code = await main(args, io);
  return { code, stdout, stderr, elapsedMs: performance.now() - started };
}

/**
 * Settles once `server` (started with `record: true`) has received `count` requests whose
 * target (path and query) matches `target`: a sign that a client got that far.
 */
export async function untilReceived(
  server: LocalServerHandle,
  count: number,
  target: RegExp = /./,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (server.received.filter((r) => target.test(r.target)).length < count) {
    if (performance.now() > deadline) {
      throw new Error(`the server did not receive ${count} × ${target} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One request's result for report tests, built by the client's own `requestResult()` so that a
 * new field is added in one place: `http://127.0.0.1/<index>` from line index + 1, dispatched at
 * 0 and done after `latencyMs` on no known connection, headers at `ttfbMs` (default: at the end;
 * none without a status), 200 unless a status or error says otherwise. `fields` set anything
 * else; `ok` follows from the status and error unless given.
 */
export function fakeResult(
  index: number,
  latencyMs: number,
  fields: Partial<RequestResult> = {},
): RequestResult {
  const url = fields.url ?? `http://127.0.0.1/${index}`;
  const status = fields.status === undefined ? 200 : fields.status;
  const ttfbMs = fields.ttfbMs === undefined ? latencyMs : fields.ttfbMs;
  const measured = requestResult(
    { index, line: index + 1, url },
    { runStart: 0, enqueuedAt: 0 },
    {
      finalUrl: url,
      status,
      bytes: 0,
      redirects: 0,
      start: 0,
      headersAt: status === null ? null : ttfbMs,
      end: latencyMs,
      error: fields.error ?? null,
    },
  );
  return { ...measured, ...fields };
}

/**
 * Fetches the URLs through one client opened with `request`, the connection flags and any other
 * settings, all at once or (`inTurn`) one after another; the results and the connections it opened.
 */
export async function fetchThrough(
  request: RequestOptions,
  urls: readonly string[],
  connection: Partial<ConnectionOptions> = {},
  settings: Partial<ClientSettings> = {},
  inTurn = false,
): Promise<{ results: RequestResult[]; connectionsOpened: number }> {
  const client = openClient({
    ...request,
    ...settings,
    connection: { ...DEFAULT_CONNECTION, ...connection },
  });
  const now = performance.now();
  const one = (url: string, index: number) =>
    client.request({ index, line: index + 1, url }, { runStart: now, enqueuedAt: now });
  try {
    const results: RequestResult[] = [];
    if (inTurn) for (const [index, url] of urls.entries()) results.push(await one(url, index));
    else results.push(...(await Promise.all(urls.map(one))));
    return { results, connectionsOpened: (await client.close()).connectionsOpened };
  } catch (error) {
    await client.close();
    throw error;
  }
}
