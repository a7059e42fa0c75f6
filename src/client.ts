import { STATUS_CODES } from "node:http";
import { performance } from "node:perf_hooks";
import { Agent, type Dispatcher, request } from "undici";
import { errorCode } from "./errors.js";
import { formatDuration } from "./options.js";
import { sanitize } from "./report/format.js";
import type { ErrorKind, RequestError, RequestResult, Target } from "./report/model.js";

/** How every request of a run is made; the same for every mode. */
export interface RequestOptions {
  /** HTTP method, upper-case. */
  method: string;
  /** Sent on every hop; `authorization` and `cookie` are dropped when a redirect leaves the origin. */
  headers: Record<string, string>;
  /** Deadline for the whole request: connect, redirects, headers and the whole body. */
  timeoutMs: number;
  /** Redirects followed at most; 0 takes a 3xx as the final answer, as curl does without -L. */
  maxRedirects: number;
}

/** Clock readings the runner hands to each request, from `performance.now()`. */
export interface RequestClock {
  /** When the run started: every offset in the result is from here. */
  runStart: number;
  /** When the runner put the request in line for a slot; dispatch minus this is `queuedMs`. */
  enqueuedAt: number;
}

/**
 * Performs one request and always resolves with its result: failures are data, never thrown.
 * Runners receive this as a parameter, so tests can pass a fake with fixed delays.
 */
export type RequestFn = (
  target: Target,
  clock: RequestClock,
  signal?: AbortSignal,
) => Promise<RequestResult>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A fresh keep-alive Agent, as each run of each mode gets one. */
export function createAgent(options: Pick<RequestOptions, "timeoutMs">): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    // Our own deadline covers the whole request; undici's timers stay out of its way.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { timeout: options.timeoutMs },
  });
}

/** Binds a dispatcher and the request options into the function every runner calls. */
export function createRequester(dispatcher: Dispatcher, options: RequestOptions): RequestFn {
  return (target, clock, signal) => fetchOne(dispatcher, options, target, clock, signal);
}

class DeadlineExceeded extends Error {}

async function fetchOne(
  dispatcher: Dispatcher,
  options: RequestOptions,
  target: Target,
  clock: RequestClock,
  outerSignal: AbortSignal | undefined,
): Promise<RequestResult> {
  const start = performance.now();
  const controller = new AbortController();
  const deadline = new DeadlineExceeded();
  const timer = setTimeout(() => controller.abort(deadline), options.timeoutMs);
  const onOuterAbort = () => controller.abort(outerSignal?.reason);
  if (outerSignal?.aborted) onOuterAbort();
  else outerSignal?.addEventListener("abort", onOuterAbort, { once: true });

  let url = target.url;
  let method = options.method;
  let headers = { ...options.headers };
  let redirects = 0;
  let status: number | null = null;
  let statusText = "";
  let bytes = 0;
  let headersAt: number | null = null;
  let error: RequestError | null = null;

  try {
    for (;;) {
      bytes = 0;
      const response = await request(url, {
        dispatcher,
        method: method as Dispatcher.HttpMethod,
        headers,
        signal: controller.signal,
      });
      headersAt = performance.now();
      status = response.statusCode;
      statusText = STATUS_CODES[status] ?? "";
      const location = response.headers.location;
      const next =
        REDIRECT_STATUSES.has(status) && options.maxRedirects > 0 && typeof location === "string"
          ? location
          : null;
      if (next !== null) {
        // Drain rather than cancel, so the connection stays reusable for the next hop.
        await response.body.dump({ limit: 1 << 20 });
        if (redirects >= options.maxRedirects) {
          error = {
            kind: "other",
            code: null,
            message: `more than ${options.maxRedirects} redirect${options.maxRedirects === 1 ? "" : "s"}`,
          };
          break;
        }
        const nextUrl = new URL(next, url);
        if (nextUrl.protocol !== "http:" && nextUrl.protocol !== "https:") {
          error = {
            kind: "other",
            code: null,
            message: `redirect to a non-http(s) URL: ${oneLine(nextUrl.href)}`,
          };
          break;
        }
        if (nextUrl.origin !== new URL(url).origin) headers = withoutCredentials(headers);
        // curl -L and browsers turn a POST into a GET on 301/302/303.
        if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
          if (method !== "HEAD") method = "GET";
        }
        url = nextUrl.href;
        redirects += 1;
        continue;
      }
      for await (const chunk of response.body) bytes += (chunk as Buffer).length;
      if (status >= 400) {
        error = { kind: "http", code: null, message: `HTTP ${status} ${statusText}`.trimEnd() };
      }
      break;
    }
  } catch (thrown) {
    error = classify(thrown, controller.signal, options.timeoutMs, headersAt !== null);
  } finally {
    clearTimeout(timer);
    outerSignal?.removeEventListener("abort", onOuterAbort);
  }

  const end = performance.now();
  // undici hands the connection back to its pool a tick after the body ends; a caller that
  // dispatched at once (the sequential loop) would open a second connection for nothing.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    index: target.index,
    line: target.line,
    url: target.url,
    finalUrl: url,
    ok: error === null && status !== null && status >= 200 && status < 400,
    status,
    bytes,
    redirects,
    reusedConnection: null,
    startMs: start - clock.runStart,
    queuedMs: Math.max(0, start - clock.enqueuedAt),
    connectMs: null,
    ttfbMs: headersAt === null ? null : headersAt - start,
    downloadMs: headersAt === null ? null : end - headersAt,
    latencyMs: end - start,
    endMs: end - clock.runStart,
    error,
  };
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !/^(authorization|cookie)$/i.test(name)),
  );
}

const KIND_BY_CODE: Record<string, ErrorKind> = {
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  ETIMEDOUT: "timeout",
  ECONNREFUSED: "connect",
  EHOSTUNREACH: "connect",
  ENETUNREACH: "connect",
  EHOSTDOWN: "connect",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  EAI_FAIL: "dns",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "reset",
  UND_ERR_ABORTED: "aborted",
  ABORT_ERR: "aborted",
  // The client machine ran out of something: never the server's fault.
  EMFILE: "local",
  ENFILE: "local",
  EADDRNOTAVAIL: "local",
  ENOBUFS: "local",
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_)/;

/** Turns anything a request threw into a kind, the undici or system code, and one line. */
export function classify(
  thrown: unknown,
  signal: AbortSignal,
  timeoutMs: number,
  gotHeaders: boolean,
): RequestError {
  if (signal.aborted && signal.reason instanceof DeadlineExceeded) {
    const what = gotHeaders ? "body not complete" : "no response";
    return { kind: "timeout", code: null, message: `${what} within ${formatDuration(timeoutMs)}` };
  }
  if (signal.aborted) {
    return { kind: "aborted", code: errorCode(thrown), message: "request aborted (interrupted)" };
  }
  const root = rootCause(thrown);
  const code = errorCode(root) ?? errorCode(thrown);
  let kind: ErrorKind = (code && KIND_BY_CODE[code]) || "other";
  if (code && TLS_CODE.test(code)) kind = "tls";
  const message = root instanceof Error && root.message ? root.message : String(root);
  return { kind, code, message: oneLine(message) };
}

/** The error that says most: undici wraps system errors in `cause`, happy eyeballs in AggregateError. */
function rootCause(thrown: unknown): unknown {
  let current = thrown;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[0];
    } else if (current instanceof Error && current.cause !== undefined && !errorCode(current)) {
      current = current.cause;
    } else if (
      current instanceof Error &&
      errorCode(current) === "UND_ERR_SOCKET" &&
      current.cause instanceof Error &&
      errorCode(current.cause)
    ) {
      current = current.cause;
    } else break;
  }
  return current;
}

/** Error text a server or the system produced, made one line and safe to print, kept short. */
function oneLine(text: string): string {
  return sanitize(text).replace(/\s+/g, " ").trim().slice(0, 300);
}
