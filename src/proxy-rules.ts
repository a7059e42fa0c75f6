/**
 * Which proxy a URL goes through, by curl's rules: `-x` over the environment, `--noproxy`
 * over `NO_PROXY`. Pure, so the client can ask it per origin and tests can ask it alone.
 */
import { isIP } from "node:net";
import type { ConnectionOptions } from "./options.js";
import { parseNoProxy, parseProxy, unbracket } from "./options.js";

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>;

/** The lower-case form first, as curl reads them; empty counts as unset. */
function fromEnv(env: Env, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Whether `host` (no brackets, lower-case) is in a no-proxy list. */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const name = unbracket(host.toLowerCase()).replace(/\.$/, "");
  return noProxy.some((entry) => {
    if (entry === "*") return true;
    const bare = unbracket(entry);
    if (isIP(bare) !== 0 || isIP(name) !== 0) return bare === name;
    // `example.com` and `.example.com` both match the domain and every name under it.
    const domain = bare.replace(/^\./, "").replace(/\.$/, "");
    return name === domain || name.endsWith(`.${domain}`);
  });
}

/**
 * The proxy URL for `url`, or null to connect directly. `-x` wins over `HTTPS_PROXY`
 * (https URLs) or `HTTP_PROXY` (http URLs), then `ALL_PROXY`; `--noproxy` replaces
 * `NO_PROXY`. An unusable proxy in the environment is an error naming the variable.
 */
export function proxyFor(
  url: URL,
  connection: Pick<ConnectionOptions, "proxy" | "noProxy">,
  env: Env,
): string | null {
  const noProxy =
    connection.noProxy ??
    parseNoProxy(
      fromEnv(env, "NO_PROXY") ?? "",
      env.no_proxy === undefined ? "$NO_PROXY" : "$no_proxy",
    );
  if (bypassesProxy(url.hostname, noProxy)) return null;
  if (connection.proxy !== null) return connection.proxy;
  const name = url.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  for (const variable of [name, "ALL_PROXY"]) {
    const value = fromEnv(env, variable);
    if (value !== undefined) {
      const spelled = env[variable.toLowerCase()] === undefined ? variable : variable.toLowerCase();
      return parseProxy(value, `$${spelled}`);
    }
  }
  return null;
}

/**
 * The proxies the URLs go through, each once, credentials left out so the report can show
 * them; empty when every URL goes direct.
 */
export function proxiesUsed(
  urls: readonly string[],
  connection: Pick<ConnectionOptions, "proxy" | "noProxy">,
  env: Env,
): string[] {
  const used = new Set<string>();
  // The rules depend on the scheme and host only: each origin is asked once.
  const origins = new Map<string, URL>();
  for (const url of urls) {
    const parsed = new URL(url);
    origins.set(parsed.origin, parsed);
  }
  for (const url of origins.values()) {
    const proxy = proxyFor(url, connection, env);
    if (proxy === null) continue;
    const shown = new URL(proxy);
    shown.username = "";
    shown.password = "";
    used.add(shown.href.replace(/\/$/, ""));
  }
  return [...used];
}
