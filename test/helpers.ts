import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type Io, main } from "../src/cli.js";

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
  } = {},
): Promise<CliResult> {
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
    if (options.interruptAfterMs !== undefined) {
      setTimeout(() => child.kill("SIGINT"), options.interruptAfterMs);
    }
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
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

/** Runs the CLI in this process, as a pipe would see it (no terminal, no Ctrl-C). */
export async function runInProcess(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => Buffer.from(""),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stderrColumns: 80,
    env: {},
    onInterrupt: () => () => {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
