/**
 * Runs the built-in server in a child Node process, so that a benchmark's client and the
 * server never share an event loop: a busy client would otherwise slow the server down
 * and the numbers would measure both at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerHandle, ServerOptions } from "./server.js";

/** Same relative path from `src/server-process.ts` and from `dist/server-process.js`. */
const BIN = fileURLToPath(new URL("../bin/fetchbench.js", import.meta.url));
const BANNER = /^fetchbench server listening on (https?:\/\/\S+)$/;
/** Long enough for a cold start on a slow CI machine, short enough to notice a hung child. */
const STARTUP_TIMEOUT_MS = 15_000;
/** How long a child may take to exit after SIGTERM before it gets SIGKILL. */
const KILL_AFTER_MS = 2_000;
/** Enough of the child's stderr to explain a failed start. */
const STDERR_LIMIT = 16 * 1024;

/**
 * Starts `fetchbench serve` in a child process and resolves once it prints its banner.
 * Rejects, with the child's stderr, if it exits or stays silent instead.
 */
export function spawnServer(options: ServerOptions = {}): Promise<ServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  const child = spawn(process.execPath, [BIN, "serve", "--port", String(port), "--host", host], {
    // The IPC channel is how the server learns that this process died, even by a signal that
    // skips the exit hook below: `serve` stops when its parent disconnects.
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // The channel alone must not keep this process alive.
  child.channel?.unref();
  // Should the parent end without calling close(), the server must not live on as an orphan.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      process.off("exit", killOnExit);
      resolve();
    });
  });

  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text;
  });

  return new Promise<ServerHandle>((resolve, reject) => {
    let stdout = "";
    const fail = (reason: string) => {
      cleanup();
      child.kill("SIGKILL");
      const said = stderr.trim();
      reject(new Error(said ? `${reason}; its stderr:\n${said}` : `${reason} (no stderr)`));
    };
    const onData = (text: string) => {
      stdout += text;
      const end = stdout.indexOf("\n");
      if (end === -1) {
        if (stdout.length > STDERR_LIMIT) fail("the server printed no banner line");
        return;
      }
      const line = stdout.slice(0, end).replace(/\r$/, "");
      const printed = BANNER.exec(line)?.[1];
      if (printed === undefined || !URL.canParse(printed)) {
        fail(`the server's first line was not its banner: ${JSON.stringify(line)}`);
        return;
      }
      cleanup();
      // Keep draining, or a chatty child could block on a full pipe.
      child.stdout?.resume();
      resolve(handleFor(child, exited, printed));
    };
    const onError = (error: Error) => {
      process.off("exit", killOnExit);
      fail(`could not start ${BIN}: ${error.message}`);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`the server exited before listening (${signal ?? `code ${code}`})`);
    const timer = setTimeout(
      () => fail(`the server printed no banner within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("error", onError);
      child.off("close", onExit);
    };
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", onData);
    child.once("error", onError);
    // 'exit' can come before the last stderr chunk is read; 'close' waits for the pipes.
    child.once("close", onExit);
  });
}

function handleFor(child: ChildProcess, exited: Promise<void>, printed: string): ServerHandle {
  const url = new URL(printed);
  let closing: Promise<void> | undefined;
  return {
    url: printed.replace(/\/$/, ""),
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(url.port),
    certificate: null,
    close() {
      closing ??= stop(child, exited);
      return closing;
    },
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  }
  // The pipes close with the child; destroying them makes sure no handle is left behind.
  child.stdout?.destroy();
  child.stderr?.destroy();
}
