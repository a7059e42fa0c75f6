/**
 * The built-in test server: known delays, sizes, statuses and faults, so that a comparison
 * can be run offline and every failure kind can be provoked on purpose.
 * node:http only; built to stay responsive with tens of thousands of idle connections.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import {
  constants,
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Stream,
} from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Certificate } from "./certificate.js";

/** Where to listen. */
export interface ServerOptions {
  /** TCP port; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** HTTPS (HTTP/1.1 over TLS) with a self-signed certificate made at start. */
  https?: boolean;
  /** HTTP/2 over TLS, with HTTP/1.1 for clients that do not offer h2; implies `https`. */
  http2?: boolean;
  /**
   * Keep a record of every request received, in `ServerHandle.received`; off by default so
   * that a long-running server does not grow without bound.
   */
  record?: boolean;
}

/** What the server saw of one request: for tests that check what went over the wire. */
export interface ReceivedRequest {
  /** As sent, e.g. `POST`. */
  method: string;
  /** Path and query as sent, e.g. `/redirect/1?x=1`. */
  target: string;
  /** Header names in lower case; repeated headers as node joins them. */
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes received so far: the whole body once the request has ended. */
  bodyLength: number;
}

/** A listening server. */
export interface ServerHandle {
  /** `http://host:port` (`https://` with TLS), without a trailing slash. */
  url: string;
  /** The host it was bound to, as given. */
  host: string;
  /** The port actually bound (never 0). */
  port: number;
  /** The self-signed certificate of a TLS listener (its PEM is also the CA to trust); null without TLS. */
  certificate: Certificate | null;
  /** Stops listening, drops every connection and pending timer; resolves once closed. */
  close(): Promise<void>;
}

/** A server listening in this process, which can show what it received. */
export interface LocalServerHandle extends ServerHandle {
  /**
   * Every request received, in arrival order (the hops of a redirect chain in turn); empty
   * unless started with `record: true`.
   */
  received: ReceivedRequest[];
}

/** Upper bounds of what a request may ask for. */
export const LIMITS = {
  /** Longest `delay`, in milliseconds (10 minutes). */
  delayMs: 600_000,
  /** Largest body for `bytes` and `truncate`, in bytes (1 GiB). */
  bytes: 1024 ** 3,
  /** Longest redirect chain. */
  redirects: 1000,
  /** Largest `capacity`: requests worked on at once. */
  capacity: 100_000,
} as const;

/** Every path the server answers, with a one-line description; shown by `/` and by `serve`. */
export const ENDPOINTS: readonly { path: string; description: string }[] = [
  { path: "/", description: "this list" },
  { path: "/delay/<ms>", description: `200 after <ms> milliseconds (0–${LIMITS.delayMs})` },
  { path: "/bytes/<n>", description: "200 with a body of <n> bytes (0–1 GiB), streamed" },
  {
    path: "/status/<code>",
    description: "answer with that status (200–599); 307 and 308 redirect to /delay/0",
  },
  {
    path: "/redirect/<n>",
    description: `302 to /redirect/<n-1>; /redirect/0 answers 200 (n ≤ ${LIMITS.redirects})`,
  },
  { path: "/echo", description: "200 with JSON {method, headers, bodyLength} of the request" },
  { path: "/reset", description: "reset the connection without answering" },
  { path: "/hang", description: "never answer" },
  { path: "/truncate/<n>", description: "promise <n> bytes, send half, then cut the connection" },
  {
    path: "?delay=<ms>&bytes=<n>&status=<code>",
    description: "modifiers for any path: wait first, then answer with that body size and status",
  },
  {
    path: "?capacity=<n>",
    description:
      "with a delay: work on at most <n> such requests at once, queue the rest (a fixed pool)",
  },
  {
    path: "?location=<url>",
    description: "with a redirect status (301, 302, 303, 307, 308): where it points",
  },
];

const LISTEN_BACKLOG = 8192;
/** Longer than the usual 60 s idle timeout of clients and proxies, so the client closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const CHUNK_BYTES = 64 * 1024;
/** One shared, never-mutated chunk: a large body costs no allocation per request. */
const FILL = Buffer.alloc(CHUNK_BYTES, "fetchbench\n");
const TEXT = "text/plain; charset=utf-8";
const BINARY = "application/octet-stream";

/** A request the server cannot serve: answered with `status` and the one-line `message`. */
class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

type Action =
  | { kind: "index" }
  | { kind: "answer" }
  | { kind: "echo" }
  | { kind: "redirect"; remaining: number }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "truncate"; bytes: number };

/** What one request asks for, validated. */
interface Plan {
  action: Action;
  delayMs: number;
  /** Body size; null for the endpoint's short text body. */
  bytes: number | null;
  status: number;
  /** The `location` header of a redirect status; null for none. */
  location: string | null;
  /** The query as received, passed on along a redirect chain. */
  search: string;
  /** Requests with this `capacity` worked on at once, the rest queued; null for no limit. */
  capacity: number | null;
}

/**
 * The server's pool for one `capacity` value, shared by every request naming it: at most
 * `capacity` are worked on (their delay runs) at once, the rest wait in arrival order.
 */
interface Pool {
  active: number;
  waiting: (() => void)[];
}

/** A request and response of either protocol: HTTP/2 uses node's compatibility API. */
type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;
type Listener = (req: Request, res: Response) => void;

/** Starts the test server; resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<LocalServerHandle> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  // Only requests that are waiting (a delay, a hang) are tracked, never connections, so
  // idle connections cost nothing beyond node's own bookkeeping.
  const pending = new Set<() => void>();
  const received: ReceivedRequest[] = [];
  const pools = new Map<number, Pool>();
  // The HTTP/2 compatibility objects offer what the handlers use, except for cutting the
  // connection, which `drop`, `reset` and `cut` do per protocol.
  const listener: Listener = (req, res) => {
    const seen: ReceivedRequest = {
      method: req.method ?? "",
      target: req.url ?? "",
      headers: { ...req.headers },
      bodyLength: 0,
    };
    if (options.record === true) received.push(seen);
    // Always read the body (node would discard it anyway), so that its length is known.
    req.on("data", (chunk: Buffer) => {
      seen.bodyLength += chunk.length;
    });
    handle(req as IncomingMessage, res as ServerResponse, pending, seen, pools);
  };
  const tls = options.https === true || options.http2 === true;
  // Loaded only for TLS, so a plain server starts without generating a key.
  const certificate = tls ? (await import("./certificate.js")).createCertificate() : null;
  const server = createListener(listener, certificate, options.http2 === true);

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      const bound = (server.address() as AddressInfo).port;
      const urlHost = host.includes(":") ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `${tls ? "https" : "http"}://${urlHost}:${bound}`,
        host,
        port: bound,
        certificate,
        received,
        close() {
          closing ??= closeServer(server, pending);
          return closing;
        },
      });
    });
  });
}

/** What `close` needs of every kind of listener. */
interface Listening {
  listen: Server["listen"];
  address: Server["address"];
  once: Server["once"];
  off: Server["off"];
  close(callback: () => void): unknown;
  /** Drops every open connection; HTTP/2 listeners have no such method, so it is built. */
  dropAll(): void;
}

function createListener(
  listener: Listener,
  certificate: Certificate | null,
  http2: boolean,
): Listening {
  if (certificate === null) {
    const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, listener);
    return Object.assign(server, { dropAll: () => server.closeAllConnections() });
  }
  const { cert, key } = certificate;
  if (!http2) {
    const server = createHttpsServer(
      { cert, key, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
      listener,
    );
    return Object.assign(server, { dropAll: () => server.closeAllConnections() });
  }
  const server = createSecureServer({ cert, key, allowHTTP1: true }, listener);
  // HTTP/2 sessions and HTTP/1.1 fallback connections alike sit on a TCP socket; tracking
  // them costs a Set entry per connection, which only the HTTP/2 listener pays.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return Object.assign(server, {
    dropAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  }) as unknown as Listening;
}

function closeServer(server: Listening, pending: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    for (const cancel of pending) cancel();
    pending.clear();
    // close() stops accepting first, so no connection can slip in after the sweep below.
    server.close(() => resolve());
    server.dropAll();
  });
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  pending: Set<() => void>,
  seen: ReceivedRequest,
  pools: Map<number, Pool>,
): void {
  let plan: Plan;
  try {
    plan = parse(req.url ?? "/");
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    sendText(res, error.status, `${error.message}\n`);
    return;
  }
  if (plan.action.kind === "hang") {
    // Cut explicitly on close(), rather than trusting closeAllConnections() to know it.
    const cancel = () => {
      pending.delete(cancel);
      drop(req);
    };
    pending.add(cancel);
    res.once("close", () => pending.delete(cancel));
    return;
  }
  const work = (done: () => void) => {
    if (plan.delayMs === 0) {
      respond(req, res, plan, seen);
      done();
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(cancel);
      res.off("close", cancel);
      respond(req, res, plan, seen);
      done();
    }, plan.delayMs);
    const cancel = () => {
      clearTimeout(timer);
      pending.delete(cancel);
      done();
    };
    pending.add(cancel);
    // A client that gives up mid-delay must not leave its timer behind.
    res.once("close", cancel);
  };
  if (plan.capacity === null) work(() => {});
  else inPool(pools, plan.capacity, res, pending, work);
}

/** Runs `work` once the pool for `capacity` has a free slot; a client that leaves first frees its place. */
function inPool(
  pools: Map<number, Pool>,
  capacity: number,
  res: ServerResponse,
  pending: Set<() => void>,
  work: (done: () => void) => void,
): void {
  let pool = pools.get(capacity);
  if (pool === undefined) {
    pool = { active: 0, waiting: [] };
    pools.set(capacity, pool);
  }
  const shared = pool;
  const start = () => {
    shared.active += 1;
    let released = false;
    work(() => {
      if (released) return;
      released = true;
      shared.active -= 1;
      shared.waiting.shift()?.();
    });
  };
  if (shared.active < capacity) {
    start();
    return;
  }
  const leave = () => {
    const at = shared.waiting.indexOf(admit);
    if (at !== -1) shared.waiting.splice(at, 1);
    pending.delete(leave);
  };
  const admit = () => {
    res.off("close", leave);
    pending.delete(leave);
    start();
  };
  shared.waiting.push(admit);
  pending.add(leave);
  res.once("close", leave);
}

function respond(
  req: IncomingMessage,
  res: ServerResponse,
  plan: Plan,
  seen: ReceivedRequest,
): void {
  if (res.destroyed) return;
  const { action } = plan;
  if (plan.location !== null) res.setHeader("location", plan.location);
  switch (action.kind) {
    case "index":
      sendText(res, 200, indexText());
      return;
    case "answer":
      if (plan.bytes === null) sendText(res, plan.status, statusText(plan.status));
      else sendBytes(req, res, plan.status, plan.bytes);
      return;
    case "echo":
      // Answer once the whole body is in, so that its length is final.
      if (req.complete) sendEcho(res, plan.status, seen);
      else req.once("end", () => sendEcho(res, plan.status, seen));
      return;
    case "redirect":
      if (action.remaining === 0) {
        respond(req, res, { ...plan, action: { kind: "answer" } }, seen);
        return;
      }
      res.setHeader("location", `/redirect/${action.remaining - 1}${plan.search}`);
      sendText(res, 302, `redirecting to /redirect/${action.remaining - 1}\n`);
      return;
    case "reset":
      // A real RST, so the client sees ECONNRESET rather than a polite end of stream.
      reset(req);
      return;
    case "truncate":
      truncate(res, plan.status, action.bytes);
      return;
    case "hang":
      return;
  }
}

function parse(target: string): Plan {
  // Split by hand rather than with `new URL()`, which throws on targets such as `//`.
  const mark = target.indexOf("?");
  const pathname = mark === -1 ? target : target.slice(0, mark);
  const search = mark === -1 ? "" : target.slice(mark);
  const params = new URLSearchParams(search);
  const query = parseQuery(params);
  const segments = pathname.split("/").slice(1);
  const [name = "", arg, ...rest] = segments;
  const plan: Plan = {
    action: { kind: "answer" },
    delayMs: query.delay ?? 0,
    bytes: query.bytes ?? null,
    status: query.status ?? 200,
    location: null,
    search,
    capacity: query.capacity ?? null,
  };
  const noSuchEndpoint = () =>
    new BadRequest(404, `no such endpoint \`${clip(pathname)}\`; GET / lists them`);
  const finish = (): Plan => {
    plan.location = parseLocation(params, plan);
    return plan;
  };
  const needsArg = name === "delay" || name === "bytes" || name === "status";
  const takesArg = needsArg || name === "redirect" || name === "truncate";
  if (rest.length > 0 || (takesArg ? arg === undefined : arg !== undefined)) {
    throw noSuchEndpoint();
  }
  const given = (key: "delay" | "bytes" | "status") => {
    if (query[key] !== undefined) {
      throw new BadRequest(400, `\`${key}\` is given both in the path and in the query`);
    }
  };
  switch (name) {
    case "":
      plan.action = { kind: "index" };
      return plan;
    case "delay":
      given("delay");
      plan.delayMs = parseDelay(arg ?? "");
      return finish();
    case "bytes":
      given("bytes");
      plan.bytes = parseBytes(arg ?? "");
      checkBody(plan);
      return finish();
    case "status":
      given("status");
      plan.status = parseStatus(arg ?? "");
      checkBody(plan);
      return finish();
    case "redirect":
      plan.action = { kind: "redirect", remaining: parseRedirects(arg ?? "") };
      checkBody(plan);
      return plan;
    case "echo":
      if (query.bytes !== undefined) {
        throw new BadRequest(400, "`bytes` does not apply to /echo, whose body is its answer");
      }
      plan.action = { kind: "echo" };
      return finish();
    case "reset":
      plan.action = { kind: "reset" };
      return plan;
    case "hang":
      plan.action = { kind: "hang" };
      return plan;
    case "truncate":
      given("bytes");
      plan.action = { kind: "truncate", bytes: parseBytes(arg ?? "") };
      return plan;
    default:
      throw noSuchEndpoint();
  }
}

function parseQuery(params: URLSearchParams): {
  delay?: number;
  bytes?: number;
  status?: number;
  capacity?: number;
} {
  const one = (key: string): string | undefined => {
    const values = params.getAll(key);
    if (values.length > 1) throw new BadRequest(400, `\`${key}\` is given more than once`);
    return values[0];
  };
  const delay = one("delay");
  const bytes = one("bytes");
  const status = one("status");
  const capacity = one("capacity");
  // Other parameters are ignored on purpose: they make otherwise equal URLs distinct.
  return {
    ...(delay === undefined ? {} : { delay: parseDelay(delay) }),
    ...(bytes === undefined ? {} : { bytes: parseBytes(bytes) }),
    ...(status === undefined ? {} : { status: parseStatus(status) }),
    ...(capacity === undefined
      ? {}
      : {
          capacity: parseInteger(
            capacity,
            "capacity",
            1,
            LIMITS.capacity,
            "a whole number of requests",
          ),
        }),
  };
}

function parseDelay(text: string): number {
  return parseInteger(text, "delay", 0, LIMITS.delayMs, "a whole number of milliseconds");
}

function parseBytes(text: string): number {
  return parseInteger(text, "bytes", 0, LIMITS.bytes, "a whole number of bytes");
}

function parseRedirects(text: string): number {
  return parseInteger(text, "redirect", 0, LIMITS.redirects, "a whole number of redirects");
}

function parseStatus(text: string): number {
  return parseInteger(text, "status", 200, 599, "a status code");
}

function parseInteger(
  text: string,
  key: string,
  min: number,
  max: number,
  expected: string,
): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (value >= min && value <= max) return value;
  // Informational statuses cannot end a response; say so rather than just "out of range".
  const why =
    key === "status" && value >= 100 && value < 200 ? " (1xx statuses are not allowed)" : "";
  throw new BadRequest(
    400,
    `bad \`${key}\` ${JSON.stringify(clip(text))}${why}: expected ${expected} from ${min} to ${max}`,
  );
}

/** Redirect statuses that point somewhere with `location`. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Where /status/307 and /status/308 point when no `location` is given. */
const DEFAULT_LOCATION = "/delay/0";

/**
 * The `location` query parameter, only with a redirect status. 307 and 308 always point
 * somewhere, since a client would take them without one as the final answer; 301–303 keep
 * answering without one, as they always have.
 */
function parseLocation(params: URLSearchParams, plan: Plan): string | null {
  const values = params.getAll("location");
  if (values.length > 1) throw new BadRequest(400, "`location` is given more than once");
  const given = values[0];
  if (!REDIRECT_STATUSES.has(plan.status)) {
    if (given === undefined) return null;
    throw new BadRequest(
      400,
      `\`location\` needs a redirect status (301, 302, 303, 307 or 308), not ${plan.status}`,
    );
  }
  if (given !== undefined) {
    // What a header value cannot hold (controls, characters past U+00FF) is refused, not a crash.
    if (given === "" || /[^\t\u0020-\u007e\u0080-\u00ff]/.test(given)) {
      throw new BadRequest(400, `bad \`location\` ${JSON.stringify(clip(given))}`);
    }
    return given;
  }
  return plan.status === 307 || plan.status === 308 ? DEFAULT_LOCATION : null;
}

/** Keeps echoed input short enough for the one-line error body. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** 204, 205 and 304 must not carry a body, so asking for one is an error rather than ignored. */
function checkBody(plan: Plan): void {
  if (plan.bytes !== null && plan.bytes > 0 && !mayHaveBody(plan.status)) {
    throw new BadRequest(400, `status ${plan.status} cannot carry a body`);
  }
}

function mayHaveBody(status: number): boolean {
  return status !== 204 && status !== 205 && status !== 304;
}

function statusText(status: number): string {
  if (status === 200) return "ok\n";
  const reason = STATUS_CODES[status];
  return reason === undefined ? `${status}\n` : `${status} ${reason}\n`;
}

function indexText(): string {
  const width = Math.max(...ENDPOINTS.map((endpoint) => endpoint.path.length));
  const lines = ENDPOINTS.map(
    (endpoint) => `${endpoint.path.padEnd(width)}  ${endpoint.description}`,
  );
  return `fetchbench test server\n\n${lines.join("\n")}\n`;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (!mayHaveBody(status)) {
    res.writeHead(status, { "cache-control": "no-store", "content-type": TEXT });
    res.end();
    return;
  }
  const body = Buffer.from(text);
  res.writeHead(status, {
    "cache-control": "no-store",
    "content-type": TEXT,
    "content-length": body.length,
  });
  res.end(body);
}

function sendEcho(res: ServerResponse, status: number, seen: ReceivedRequest): void {
  if (res.destroyed) return;
  const body = Buffer.from(
    `${JSON.stringify({ method: seen.method, headers: seen.headers, bodyLength: seen.bodyLength })}\n`,
  );
  res.writeHead(status, {
    "cache-control": "no-store",
    "content-type": "application/json",
    "content-length": body.length,
  });
  res.end(body);
}

function sendBytes(req: IncomingMessage, res: ServerResponse, status: number, bytes: number): void {
  res.writeHead(status, {
    "cache-control": "no-store",
    "content-type": BINARY,
    "content-length": bytes,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  pump(res, bytes, () => res.end());
}

function truncate(res: ServerResponse, status: number, bytes: number): void {
  res.writeHead(status, {
    "cache-control": "no-store",
    "content-type": BINARY,
    "content-length": bytes,
  });
  res.flushHeaders();
  pump(res, Math.floor(bytes / 2), () => cut(res));
}

/** The HTTP/2 stream of a request or response, or undefined for HTTP/1.x. */
function streamOf(message: IncomingMessage | ServerResponse): ServerHttp2Stream | undefined {
  return (message as unknown as Partial<Http2ServerRequest>).stream;
}

/** Ends the request's exchange without an answer: its connection, or its HTTP/2 stream. */
function drop(req: IncomingMessage): void {
  const stream = streamOf(req);
  if (stream) stream.close(constants.NGHTTP2_CANCEL);
  else req.socket.destroy();
}

/** A real reset, so the client sees ECONNRESET (HTTP/2: RST_STREAM) rather than a polite end. */
function reset(req: IncomingMessage): void {
  const stream = streamOf(req);
  if (stream) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  else req.socket.resetAndDestroy();
}

/** Cuts a response short after what was already queued has gone out. */
function cut(res: ServerResponse): void {
  const stream = streamOf(res);
  if (stream) {
    // An error code, not CANCEL: undici ends a body quietly on a cancelled stream, short
    // of its content-length, where this must show as a failure.
    stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const socket = res.socket;
  if (socket === null) return;
  // end() first so the headers and half body already queued reach the client before
  // the connection goes; destroy() alone could drop them.
  socket.end(() => socket.destroy());
}

/** Writes `bytes` bytes in shared chunks, waiting for `drain` whenever the socket is full. */
function pump(res: ServerResponse, bytes: number, done: () => void): void {
  let remaining = bytes;
  const next = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const size = Math.min(remaining, CHUNK_BYTES);
      remaining -= size;
      if (!res.write(size === CHUNK_BYTES ? FILL : FILL.subarray(0, size))) {
        // If the client goes away instead, `drain` never comes and the listener goes with `res`.
        res.once("drain", next);
        return;
      }
    }
    done();
  };
  next();
}
