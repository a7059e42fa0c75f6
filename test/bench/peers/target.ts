/**
 * The server the side-by-side suite measures against, always in a process of its own: a
 * private nginx with the echo module (one process, its own prefix, config and logs, never the
 * system service), or the built-in server where nginx cannot be had. Both answer the built-in
 * server's `/delay/<ms>` path, so the same URL files work on either.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { spawnServer } from "../../../src/server-process.js";

export interface TargetServer {
  /** `nginx 1.22.1 + echo` or `built-in server`. */
  name: string;
  /** Base URL without a trailing slash: `http://127.0.0.1:PORT`. */
  url: string;
  close(): Promise<void>;
}

const NGINX = "/usr/sbin/nginx";
const ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so";
const READY_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 2_000;

/**
 * Starts nginx when it and its echo module are installed (installing both with apt when this
 * process is root and they are missing); otherwise the built-in server. `log` gets one line
 * for each decision, so a run says which server it measured.
 */
export async function startTarget(
  workDir: string,
  log: (line: string) => void,
): Promise<TargetServer> {
  if (!nginxReady() && process.getuid?.() === 0) {
    log("nginx or its echo module is missing: installing nginx libnginx-mod-http-echo with apt");
    aptInstall(["nginx", "libnginx-mod-http-echo"], log);
  }
  if (nginxReady()) {
    try {
      return await startNginx(join(workDir, "nginx"));
    } catch (error) {
      log(`nginx did not start (${(error as Error).message}); using the built-in server`);
    }
  } else {
    log("nginx with the echo module is not available; using the built-in server");
  }
  const server = await spawnServer();
  return {
    name: "built-in server (fetchbench serve)",
    url: server.url,
    close: () => server.close(),
  };
}

/** Installs Debian packages; a failure is logged, and the caller falls back. */
export function aptInstall(packages: string[], log: (line: string) => void): void {
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update"], { stdio: "ignore", env });
    execFileSync("apt-get", ["install", "-y", ...packages], { stdio: "ignore", env });
  } catch (error) {
    log(`apt-get install ${packages.join(" ")} failed: ${(error as Error).message.split("\n")[0]}`);
  }
}

function nginxReady(): boolean {
  return existsSync(NGINX) && existsSync(ECHO_MODULE);
}

async function startNginx(prefix: string): Promise<TargetServer> {
  await mkdir(join(prefix, "logs"), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, "nginx.conf");
  await writeFile(conf, nginxConfig(prefix, port));
  const child = spawn(NGINX, ["-p", prefix, "-c", conf, "-e", join(prefix, "logs", "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Should this process end without close(), its nginx must not live on.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr += text;
  });
  const close = async () => {
    process.off("exit", killOnExit);
    await stop(child, exited);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(url, child);
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ""}`);
  }
  // `nginx -v` answers on standard error.
  const said = spawnSync(NGINX, ["-v"], { encoding: "utf8" }).stderr.trim();
  const version = said.replace(/^nginx version: /, "") || "nginx";
  return { name: `${version} + echo module, one process`, url, close };
}

/**
 * One process (no master, so one pid to kill), in the foreground, everything it writes
 * inside `prefix`. `/delay/<ms>` sleeps through `echo_sleep`, which takes seconds: the regular
 * expressions turn the milliseconds into seconds digit by digit.
 */
function nginxConfig(prefix: string, port: number): string {
  const temp = (name: string) => join(prefix, name);
  return `load_module ${ECHO_MODULE};
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 65536;
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "logs", "error.log")} error;
events { worker_connections 60000; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 65s;
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  default_type text/plain;
  server {
    listen 127.0.0.1:${port} backlog=65535;
    location = /delay/0 { echo OK; }
    location ~ ^/delay/(\\d)$ { echo_sleep 0.00$1; echo OK; }
    location ~ ^/delay/(\\d\\d)$ { echo_sleep 0.0$1; echo OK; }
    location ~ ^/delay/(\\d\\d\\d)$ { echo_sleep 0.$1; echo OK; }
    location ~ ^/delay/(\\d+)(\\d\\d\\d)$ { echo_sleep $1.$2; echo OK; }
    location / { return 404; }
  }
}
`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("nginx exited");
    try {
      const response = await request(`${url}/delay/1`);
      const body = await response.body.text();
      if (response.statusCode === 200 && body.trim() === "OK") return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new Error(`nginx did not answer within ${READY_TIMEOUT_MS} ms`);
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  }
  child.stderr?.destroy();
}
