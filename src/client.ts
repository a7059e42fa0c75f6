import { X509Certificate } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { isIP } from "node:net";
import { performance } from "node:perf_hooks";
import {
  createSecureContext,
  type PeerCertificate,
  rootCertificates,
  type SecureContext,
  type ConnectionOptions as TlsOptions,
} from "node:tls";
import {
  Agent,
  buildConnector,
  type Dispatcher,
  Pool,
  ProxyAgent,
  Client as UndiciClient,
} from "undici";
import {
  addHop,
  type ConnectionObserver,
  type ConnectionTiming,
  type ConnectionUse,
  connectionTimer,
  expectConnection,
} from "./diagnostics.js";
import { errorCode } from "./errors.js";
import { localFailure, openFileLimit } from "./limits.js";
import {
  type ConnectionOptions,
  DEFAULT_CONNECTION,
  formatDuration,
  type ResolveRule,
  unbracket,
} from "./options.js";
import { type Env, proxyFor } from "./proxy-rules.js";
import { sanitize } from "./report/format.js";
import type {
  ErrorKind,
  HttpVersion,
  RequestError,
  RequestResult,
  Target,
} from "./report/model.js";
import { createSchedule, type Schedule } from "./schedule.js";

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
  /**
   * `-d, --data`: sent with every request and again on a 307 or 308; dropped, with the headers
   * that describe it, where a redirect turns the request into a GET. None: no body.
   */
  body?: Buffer | null;
}

/** Clock readings the runner hands to each request, from `performance.now()`. */
export interface RequestClock {
  /** When the run started: every offset in the result is from here. */
  runStart: number;
  /** When the runner put the request in line for a slot; dispatch minus this is `queuedMs`. */
  enqueuedAt: number;
  /** With `--rate`: when the schedule planned the request to start; the client sets it. */
  plannedAt?: number;
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
/** A redirect's own body is read and thrown away up to this size, then the hop is cut. */
const REDIRECT_BODY_LIMIT = 1 << 20;

/**
 * What shapes a run's connections besides the request options: `--http2`, TLS, proxies,
 * timeouts, caps and name overrides, with the environment the proxy variables come from.
 */
export interface ConnectionSettings {
  /** Most requests the run has in flight at once (1 for sequential and blocking); none: no cap. */
  maxInFlight?: number;
  /** The connection flags; none: undici's defaults, direct, certificates checked. */
  connection?: ConnectionOptions;
  /** Where `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` are read; none: no proxy. */
  env?: Env;
}

/**
 * The dispatcher every request of one run goes through, built from the run's settings: the one
 * place where connection options (pooling, TLS, HTTP/2, proxies, name overrides) are decided.
 */
export function createAgent(
  settings: Pick<ClientSettings, "timeoutMs"> & ConnectionSettings,
): Connections {
  return new Connections(settings);
}

/**
 * A dispatcher that sends each origin direct or through its proxy (curl's rules, from
 * `proxyFor`), counts the connections it opens and remembers which protocol each negotiated.
 */
export class Connections {
  readonly #settings: Pick<ClientSettings, "timeoutMs"> & ConnectionSettings;
  readonly #connection: ConnectionOptions;
  readonly #direct: Dispatcher;
  readonly #proxied = new Map<string, Dispatcher>();
  /** The dispatcher of each origin seen: the proxy rules are read once per origin, not per request. */
  readonly #routes = new Map<string, Dispatcher>();
  /** Per origin: the protocols its connections negotiated. */
  readonly #protocols = new Map<string, Set<HttpVersion>>();
  /**
   * Per https origin with `--http2`, while its first connection is being opened: the requests
   * held back until ALPN says whether they can share it (see `dispatch`).
   */
  readonly #waiting = new Map<string, (() => void)[]>();
  /** `--cacert` added to Node's own CAs, parsed once rather than on every connection. */
  readonly #secureContext: SecureContext | null;
  /** Times and numbers every connection the run opens (see src/diagnostics.ts). */
  readonly #timer = connectionTimer();

  constructor(settings: Pick<ClientSettings, "timeoutMs"> & ConnectionSettings) {
    this.#settings = settings;
    this.#connection = settings.connection ?? DEFAULT_CONNECTION;
    const { ca } = this.#connection;
    this.#secureContext = ca === null ? null : trusting(ca);
    this.#direct = new Agent({ ...this.#poolOptions(), connect: this.#tls() });
  }

  /** Connections opened so far (each TCP connect or proxy tunnel, whatever its origin). */
  get opened(): number {
    return this.#timer.opened;
  }

  /** The protocol of the connections to `origin`; null before one opened, or when they differ. */
  httpVersion(origin: string): HttpVersion | null {
    if (origin.startsWith("http:")) return "1.1";
    const seen = this.#protocols.get(origin);
    return seen?.size === 1 ? ([...seen][0] ?? null) : null;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin);
    // undici opens a connection for every request sent before the first one is up, so with
    // HTTP/2 the requests that arrive meanwhile wait for it: on h2 they share it as streams,
    // on HTTP/1.1 they go out as usual, one connection each.
    if (this.#connection.http2 && origin.startsWith("https:") && !this.#protocols.has(origin)) {
      const waiting = this.#waiting.get(origin);
      if (waiting !== undefined) {
        waiting.push(() => this.#route(origin).dispatch(options, handler));
        return true;
      }
      this.#waiting.set(origin, []);
    }
    return this.#route(origin).dispatch(options, handler);
  }

  async destroy(): Promise<void> {
    this.#waiting.clear();
    this.#routes.clear();
    await Promise.all([this.#direct, ...this.#proxied.values()].map((d) => d.destroy()));
  }

  #route(origin: string): Dispatcher {
    let route = this.#routes.get(origin);
    if (route === undefined) {
      route = this.#dispatcherFor(origin);
      this.#routes.set(origin, route);
    }
    return route;
  }

  #dispatcherFor(origin: string): Dispatcher {
    const proxy = proxyFor(new URL(origin), this.#connection, this.#settings.env ?? {});
    if (proxy === null) return this.#direct;
    let dispatcher = this.#proxied.get(proxy);
    if (dispatcher === undefined) {
      dispatcher = new ProxyAgent({
        ...this.#poolOptions(),
        uri: proxy,
        // Plain http:// requests go to the proxy in absolute form, as curl sends them; https://
        // goes through a CONNECT tunnel.
        proxyTunnel: false,
        requestTls: this.#tls(),
        proxyTls: this.#tls(),
      });
      this.#proxied.set(proxy, dispatcher);
    }
    return dispatcher;
  }

  /** Pooling shared by the direct and the proxied dispatchers. */
  #poolOptions(): Agent.Options {
    const { maxInFlight } = this.#settings;
    const { perHost, http2 } = this.#connection;
    // undici gives a finished connection back a loop turn after the response ends, so a
    // request sent at once would find it busy and open another: capped at the most requests
    // in flight, it waits for that turn instead, and a run keeps the connections it needs.
    const caps = [maxInFlight, perHost ?? undefined].filter((n) => n !== undefined);
    const connections = caps.length === 0 ? undefined : Math.min(...caps);
    return {
      keepAliveTimeout: 30_000,
      ...(connections === undefined ? {} : { connections }),
      allowH2: http2,
      // Our own deadline covers the whole request; undici's timers stay out of its way.
      headersTimeout: 0,
      bodyTimeout: 0,
      factory: (origin: string | URL, options: object) => this.#pool(String(origin), options),
    };
  }

  #pool(origin: string, options: Pool.Options): Dispatcher {
    // Timed and numbered for the phases (src/diagnostics.ts): undici's own connector, or a
    // proxy's tunnel (whose time is all connect).
    const connector = this.#timer.wrap(
      typeof options.connect === "function"
        ? options.connect
        : buildConnector({
            ...options.connect,
            allowH2: this.#connection.http2,
            ...this.#identityOf(origin),
          }),
    );
    return new Pool(origin, {
      ...options,
      connect: (params, callback) => this.#connect(origin, connector, params, callback),
      factory: (url: URL, clientOptions: Pool.Options) => {
        if (!this.#connection.http2) return new UndiciClient(url, clientOptions);
        const connect = clientOptions.connect as buildConnector.connector;
        // Set as each connection says its protocol: on HTTP/2 left unset, so it takes as many
        // streams as the server allows; on HTTP/1.1 one request at a time, as without the flag
        // (unset, undici would send `Connection: close` and open a connection per request).
        const client = new UndiciClient(url, {
          ...clientOptions,
          connect: (params, callback) =>
            connect(params, (error, socket) => {
              if (socket) {
                const h2 = "alpnProtocol" in socket && socket.alpnProtocol === "h2";
                client.pipelining = h2 ? (undefined as unknown as number) : 1;
              }
              (callback as (e: Error | null, s: typeof socket) => void)(error, socket);
            }),
        });
        return client;
      },
    });
  }

  /** Opens one connection for `origin`: `--resolve`, then counting and the negotiated protocol. */
  #connect(
    origin: string,
    connector: buildConnector.connector,
    params: buildConnector.Options,
    callback: buildConnector.Callback,
  ): void {
    const bare = unbracket(params.hostname).toLowerCase();
    const rule = resolveRule(this.#connection.resolve, bare, params.port, params.protocol);
    const addresses = rule?.addresses ?? [null];
    const attempt = (i: number): void => {
      const address = addresses[i];
      const target =
        address === null || address === undefined
          ? params
          : {
              ...params,
              hostname: address,
              // The name stays what TLS checks the certificate against (and sends as SNI).
              servername: params.servername || (isIP(bare) === 0 ? bare : undefined),
            };
      connector(target, (error, socket) => {
        if (error && i + 1 < addresses.length) {
          attempt(i + 1);
          return;
        }
        // On failure undici's connector passes the error alone.
        const opened = error ? null : socket;
        if (opened) {
          const alpn = "alpnProtocol" in opened ? opened.alpnProtocol : false;
          const versions = this.#protocols.get(origin) ?? new Set<HttpVersion>();
          versions.add(alpn === "h2" ? "2" : "1.1");
          this.#protocols.set(origin, versions);
        }
        (callback as (e: Error | null, s: typeof socket) => void)(error, socket);
        // After undici has set the connection up: the requests held for it go now.
        const waiting = this.#waiting.get(origin);
        if (waiting !== undefined) {
          this.#waiting.delete(origin);
          queueMicrotask(() => {
            for (const send of waiting) send();
          });
        }
      });
    };
    attempt(0);
  }

  /**
   * An IP address in the URL: its certificate is checked against that address, as curl does,
   * also when `--resolve` connects to another one (see `checkAddress`). A name needs nothing:
   * undici sends it as SNI and TLS checks the certificate against it.
   */
  #identityOf(origin: string): Pick<TlsOptions, "checkServerIdentity"> {
    const host = unbracket(new URL(origin).hostname);
    if (isIP(host) === 0) return {};
    return { checkServerIdentity: (_name, certificate) => checkAddress(host, certificate) };
  }

  /** TLS options: `-k` and `--cacert`. */
  #tls(): buildConnector.BuildOptions {
    const { insecure, connectTimeoutMs } = this.#connection;
    return {
      timeout: connectTimeoutMs ?? this.#settings.timeoutMs,
      ...(insecure ? { rejectUnauthorized: false } : {}),
      ...(this.#secureContext === null ? {} : { secureContext: this.#secureContext }),
    };
  }
}

/** What a client is opened with: the request options and what shapes its connections. */
export interface ClientSettings extends RequestOptions, ConnectionSettings {
  /** `--rate`: requests started per second over the run, on a fixed schedule; none: at once. */
  ratePerSecond?: number | null;
}

/** What a client counted over its life, reported when it closes. */
export interface ClientCounts {
  /** Connections the dispatcher opened (each TCP connect, whatever its origin). */
  connectionsOpened: number;
}

/** One run's way to the network: the request function and the dispatcher behind it. */
export interface Client {
  request: RequestFn;
  /** Destroys the dispatcher (every request has settled by then) and reports what it counted. */
  close(): Promise<ClientCounts>;
}

/** Called with every result as its request settles, before the runner sees it (progress). */
export type ResultListener = (result: RequestResult) => void;

/** Opens the dispatcher for one run of any mode and binds the request options to it. */
export function openClient(settings: ClientSettings, onResult?: ResultListener): Client {
  // Read while descriptors are still free, for the message of a request that runs out of them.
  openFileLimit();
  const connections = createAgent(settings);
  const signals = new SignalWatch();
  const request = requester(connections, settings, onResult ?? null, signals);
  const rate = settings.ratePerSecond ?? null;
  return {
    request: rate === null ? request : scheduled(request, createSchedule(rate)),
    async close() {
      signals.release();
      // Every request has settled by now, so nothing is cut; destroy skips the graceful wait.
      await connections.destroy();
      return { connectionsOpened: connections.opened };
    },
  };
}

/**
 * Where an exchange sends its hops: an undici dispatcher, or `Connections`, which also says
 * which protocol an origin's connections negotiated.
 */
export interface Route {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
  httpVersion?(origin: string): HttpVersion | null;
}

/** Binds a dispatcher and the request options into the function every runner calls. */
export function createRequester(
  dispatcher: Route,
  options: RequestOptions,
  onResult?: ResultListener,
): RequestFn {
  return requester(dispatcher, options, onResult ?? null, new SignalWatch());
}

function requester(
  dispatcher: Route,
  options: RequestOptions,
  onResult: ResultListener | null,
  signals: SignalWatch,
): RequestFn {
  return (target, clock, signal) => {
    const exchange = new Exchange(dispatcher, options, target, clock, onResult);
    const settled = new Promise<RequestResult>((resolve) => {
      exchange.resolve = resolve;
    });
    if (signal?.aborted) exchange.interrupt(INTERRUPTED);
    else {
      if (signal) signals.watch(signal, exchange);
      exchange.dispatch();
    }
    return settled;
  };
}

/**
 * Holds each request until its planned start: one schedule for the run, whatever the mode, so
 * the runners stay as they are (sequential waits for each request, so it starts at its plan or
 * when the previous one ended; blocking's worker waits on it in turn).
 */
function scheduled(request: RequestFn, schedule: Schedule): RequestFn {
  return async (target, clock, signal) => {
    const plannedAt = await schedule.next(clock.runStart, signal);
    return request(target, { ...clock, plannedAt }, signal);
  };
}

/** What a request's final measurements are; everything else comes from the target and clock. */
export interface Measured {
  finalUrl: string;
  status: number | null;
  bytes: number;
  redirects: number;
  /** `performance.now()` at dispatch, at the final headers (null: none came) and at the end. */
  start: number;
  /**
   * When the first hop got a connection an earlier request had used: as its headers went out
   * on it, later than `start` when it waited for it to be free (`--per-host`, or a capped pool
   * giving one back). None or null: it opened its own (opened for it, so no wait), or never
   * got one; `start` stands in.
   */
  connectedAt?: number | null;
  headersAt: number | null;
  end: number;
  error: RequestError | null;
  /** The connections its hops went out on; null or absent when it reached none. */
  connection?: ConnectionUse | null;
  /** The final response's protocol; none or null: not known. */
  httpVersion?: HttpVersion | null;
}

const NO_CONNECTION = {
  connectionId: null,
  reusedConnection: null,
  dnsMs: null,
  tcpMs: null,
  tlsMs: null,
  connectMs: null,
} as const;

/** The one place a RequestResult is built: ok, offsets and phase times follow from the readings. */
export function requestResult(
  target: Target,
  clock: RequestClock,
  measured: Measured,
): RequestResult {
  const { status, start, headersAt, end, error } = measured;
  const { plannedAt } = clock;
  // Latency runs from when the request got its connection; the wait for one is queueing.
  const began = Math.max(start, measured.connectedAt ?? start);
  const connection = measured.connection ?? NO_CONNECTION;
  return {
    index: target.index,
    line: target.line,
    url: target.url,
    finalUrl: measured.finalUrl,
    ok: error === null && status !== null && status >= 200 && status < 400,
    status,
    bytes: measured.bytes,
    redirects: measured.redirects,
    reusedConnection: connection.reusedConnection,
    connectionId: connection.connectionId,
    httpVersion: headersAt === null ? null : (measured.httpVersion ?? null),
    startMs: began - clock.runStart,
    // How late it started against the plan, whatever held it: a slot, a connection, the server.
    scheduleLagMs: plannedAt === undefined ? null : began - plannedAt,
    // Waiting for the planned start is the schedule's, not a wait for a slot or a connection.
    queuedMs: Math.max(0, began - Math.max(clock.enqueuedAt, plannedAt ?? clock.enqueuedAt)),
    dnsMs: connection.dnsMs,
    tcpMs: connection.tcpMs,
    tlsMs: connection.tlsMs,
    connectMs: connection.connectMs,
    ttfbMs: headersAt === null ? null : headersAt - began,
    downloadMs: headersAt === null ? null : end - headersAt,
    latencyMs: end - began,
    endMs: end - clock.runStart,
    error,
  };
}

/** Why a request was cut by us rather than failed by the network. */
type Interruption = typeof DEADLINE | typeof INTERRUPTED;
const DEADLINE = "deadline";
const INTERRUPTED = "interrupted";

/**
 * Aborts the requests in flight when the run's signal fires: one listener per signal rather
 * than one per request, so thousands in flight cost a set entry each.
 */
class SignalWatch {
  #signal: AbortSignal | null = null;
  #inFlight = new Set<Exchange>();
  #listener: (() => void) | null = null;

  watch(signal: AbortSignal, exchange: Exchange): void {
    if (signal !== this.#signal) {
      this.release();
      this.#signal = signal;
      const inFlight = new Set<Exchange>();
      this.#inFlight = inFlight;
      this.#listener = () => {
        for (const each of inFlight) each.interrupt(INTERRUPTED);
      };
      signal.addEventListener("abort", this.#listener, { once: true });
    }
    exchange.watchers = this.#inFlight;
    this.#inFlight.add(exchange);
  }

  /** Stops listening: a signal that outlives the client (one per comparison) keeps nothing. */
  release(): void {
    if (this.#listener) this.#signal?.removeEventListener("abort", this.#listener);
    this.#signal = null;
    this.#listener = null;
  }
}

function onDeadline(exchange: Exchange): void {
  exchange.interrupt(DEADLINE);
}

/**
 * One request, redirects included, as an undici dispatch handler (the controller-style API of
 * undici 7): bytes are counted in the data callback, nothing is streamed or buffered, and one
 * timer covers connect, redirects, headers and body.
 */
class Exchange implements Dispatcher.DispatchHandler, ConnectionObserver {
  resolve: ((result: RequestResult) => void) | null = null;
  watchers: Set<Exchange> | null = null;
  readonly #start = performance.now();
  readonly #timer: NodeJS.Timeout;
  #url: string;
  /** The origin of `#url`, parsed once per hop when it is dispatched. */
  #origin = "";
  #method: string;
  #headers: Record<string, string>;
  #body: Buffer | null;
  #redirects = 0;
  #status: number | null = null;
  #statusText = "";
  #bytes = 0;
  #headersAt: number | null = null;
  /** When the first hop got its connection (see `Measured.connectedAt`). */
  #connectedAt: number | null = null;
  #connection: ConnectionUse | null = null;
  #httpVersion: HttpVersion | null = null;
  /** The current hop's controller; null until undici starts it. */
  #controller: Dispatcher.DispatchController | null = null;
  /** Set while the current hop is a redirect being drained: where it leads. */
  #next: string | null = null;
  #done = false;

  constructor(
    private readonly dispatcher: Route,
    private readonly options: RequestOptions,
    private readonly target: Target,
    private readonly clock: RequestClock,
    private readonly onResult: ResultListener | null,
  ) {
    this.#url = target.url;
    this.#method = options.method;
    this.#headers = options.headers;
    this.#body = options.body ?? null;
    this.#timer = setTimeout(onDeadline, options.timeoutMs, this);
  }

  dispatch(): void {
    this.#controller = null;
    this.#next = null;
    this.#bytes = 0;
    let url: URL;
    try {
      url = new URL(this.#url);
    } catch (thrown) {
      this.#finish(classify(thrown, null, this.options.timeoutMs, false));
      return;
    }
    this.#origin = url.origin;
    this.dispatcher.dispatch(
      {
        origin: this.#origin,
        path: url.pathname + url.search,
        method: this.#method as Dispatcher.HttpMethod,
        // A copy: undici's plain-HTTP proxy path writes a Host header into the object it gets.
        headers: { ...this.#headers },
        body: this.#body,
      },
      this,
    );
  }

  interrupt(reason: Interruption): void {
    if (this.#done) return;
    const controller = this.#controller;
    this.#finish(classify(null, reason, this.options.timeoutMs, this.#headersAt !== null));
    // A request still waiting for a connection has no controller yet: it is aborted as it starts.
    controller?.abort(new Error(`request ${reason}`));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#done) controller.abort(new Error("request already settled"));
    else {
      this.#controller = controller;
      expectConnection(this);
    }
  }

  onConnection(connection: ConnectionTiming, reused: boolean): void {
    // The first hop's only. One it opened was opened for it: it waited for none, and starts
    // at dispatch. One an earlier request used may have been busy: it starts as its headers go out.
    if (this.#connection === null && reused) this.#connectedAt = performance.now();
    this.#connection = addHop(this.#connection, connection, reused);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (this.#done || controller !== this.#controller) return;
    this.#headersAt = performance.now();
    this.#httpVersion = this.dispatcher.httpVersion?.(this.#origin) ?? null;
    this.#status = statusCode;
    this.#statusText = STATUS_CODES[statusCode] ?? "";
    const location = headers.location;
    if (
      REDIRECT_STATUSES.has(statusCode) &&
      this.options.maxRedirects > 0 &&
      typeof location === "string"
    ) {
      this.#next = location;
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done || controller !== this.#controller) return;
    this.#bytes += chunk.length;
    // Drain a redirect's body rather than cut it, so the connection stays usable, within reason.
    if (this.#next !== null && this.#bytes > REDIRECT_BODY_LIMIT) {
      this.#controller = null;
      controller.abort(new Error("redirect body too large"));
      this.#follow();
    }
  }

  onResponseEnd(controller: Dispatcher.DispatchController): void {
    if (this.#done || controller !== this.#controller) return;
    if (this.#next !== null) {
      this.#follow();
      return;
    }
    const status = this.#status ?? 0;
    this.#finish(
      status >= 400
        ? { kind: "http", code: null, message: `HTTP ${status} ${this.#statusText}`.trimEnd() }
        : null,
    );
  }

  onResponseError(controller: Dispatcher.DispatchController | undefined, error: Error): void {
    // Before undici starts a hop its errors come without a controller.
    if (this.#done || (controller && controller !== this.#controller)) return;
    this.#finish(classify(error, null, this.options.timeoutMs, this.#headersAt !== null));
  }

  #follow(): void {
    const { maxRedirects } = this.options;
    if (this.#redirects >= maxRedirects) {
      this.#finish({
        kind: "other",
        code: null,
        message: `more than ${maxRedirects} redirect${maxRedirects === 1 ? "" : "s"}`,
      });
      return;
    }
    let nextUrl: URL;
    try {
      nextUrl = new URL(this.#next ?? "", this.#url);
    } catch (thrown) {
      this.#finish(classify(thrown, null, this.options.timeoutMs, true));
      return;
    }
    if (nextUrl.protocol !== "http:" && nextUrl.protocol !== "https:") {
      this.#finish({
        kind: "other",
        code: null,
        message: `redirect to a non-http(s) URL: ${oneLine(nextUrl.href)}`,
      });
      return;
    }
    if (nextUrl.origin !== this.#origin) {
      this.#headers = withoutCredentials(this.#headers);
    }
    const status = this.#status;
    // curl -L and browsers turn a POST into a GET on 301/302/303, and send no body with it.
    if (status === 303 || ((status === 301 || status === 302) && this.#method === "POST")) {
      if (this.#method !== "HEAD") this.#method = "GET";
      if (this.#body !== null) {
        this.#body = null;
        this.#headers = withoutBodyHeaders(this.#headers);
      }
    }
    this.#url = nextUrl.href;
    this.#redirects += 1;
    this.dispatch();
  }

  #finish(error: RequestError | null): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.watchers?.delete(this);
    const result = requestResult(this.target, this.clock, {
      finalUrl: this.#url,
      status: this.#status,
      bytes: this.#bytes,
      redirects: this.#redirects,
      start: this.#start,
      connectedAt: this.#connectedAt,
      headersAt: this.#headersAt,
      end: performance.now(),
      error,
      connection: this.#connection,
      httpVersion: this.#httpVersion,
    });
    this.onResult?.(result);
    this.resolve?.(result);
  }
}

/** The headers that describe a body, which the Fetch standard drops along with it on a redirect. */
const BODY_HEADERS = /^content-(type|encoding|language|location)$/i;

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !BODY_HEADERS.test(name)));
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
  // HTTP/2's own: the stream or the whole session was cut.
  ERR_HTTP2_STREAM_ERROR: "reset",
  ERR_HTTP2_SESSION_ERROR: "reset",
  ERR_HTTP2_STREAM_CANCEL: "reset",
  ERR_HTTP2_GOAWAY_SESSION: "reset",
  UND_ERR_ABORTED: "aborted",
  ABORT_ERR: "aborted",
};

/** Certificate checks that failed, by OpenSSL's or Node's code: what it was and whether a CA helps. */
const CERTIFICATE_PROBLEMS: Record<string, { what: string; caHelps: boolean }> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: { what: "self-signed certificate", caHelps: true },
  SELF_SIGNED_CERT_IN_CHAIN: { what: "self-signed certificate in the chain", caHelps: true },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { what: "certificate from an unknown CA", caHelps: true },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { what: "certificate from an unknown CA", caHelps: true },
  UNABLE_TO_GET_ISSUER_CERT: { what: "certificate from an unknown CA", caHelps: true },
  CERT_HAS_EXPIRED: { what: "expired certificate", caHelps: false },
  CERT_NOT_YET_VALID: { what: "certificate not valid yet", caHelps: false },
  ERR_TLS_CERT_ALTNAME_INVALID: { what: "certificate for another host", caHelps: false },
};

/** Which check failed and how to accept the certificate on purpose, as curl users would. */
function certificateMessage(
  problem: { what: string; caHelps: boolean },
  error: unknown,
  message: string,
): string {
  const accept = problem.caHelps
    ? "accept it on purpose with -k (--insecure), or trust its CA with --cacert <file>"
    : "accept it on purpose with -k (--insecure)";
  // A wrong host: the name asked for (from Node's message) and the names the certificate has.
  const asked = /(?:Host|IP): (\S+?)\.? is not/.exec(message)?.[1];
  const names = (error as { cert?: { subjectaltname?: unknown } } | null)?.cert?.subjectaltname;
  const which =
    asked !== undefined && typeof names === "string" ? ` (${asked} is not among ${names})` : "";
  return `${problem.what}${which}; ${accept}`;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_)/;

/**
 * Turns a request's failure into a kind, the undici or system code, and one line: `thrown` is
 * what the network gave, `interruption` says when we cut the request ourselves instead.
 */
export function classify(
  thrown: unknown,
  interruption: Interruption | null,
  timeoutMs: number,
  gotHeaders: boolean,
): RequestError {
  if (interruption === DEADLINE) {
    const what = gotHeaders ? "body not complete" : "no response";
    return { kind: "timeout", code: null, message: `${what} within ${formatDuration(timeoutMs)}` };
  }
  if (interruption === INTERRUPTED) {
    return { kind: "aborted", code: errorCode(thrown), message: "request aborted (interrupted)" };
  }
  const root = rootCause(thrown);
  const code = errorCode(root) ?? errorCode(thrown);
  // The client machine ran out of something: never the server's fault, and said so plainly
  // rather than with the socket or file the system call was about.
  const local = localFailure(code);
  if (local !== null) return { kind: "local", code, message: local };
  let kind: ErrorKind = (code && KIND_BY_CODE[code]) || "other";
  if (code && TLS_CODE.test(code)) kind = "tls";
  const message = root instanceof Error && root.message ? root.message : String(root);
  // undici reports a proxy that refused the tunnel as an abort; it is the connection that failed.
  const refused = /^Proxy response \((\d+)\)/.exec(message);
  if (refused) {
    const status = Number(refused[1]);
    const text = `${status} ${STATUS_CODES[status] ?? ""}`.trimEnd();
    return { kind: "connect", code, message: `the proxy refused the tunnel: HTTP ${text}` };
  }
  if (code === "UND_ERR_CONNECT_TIMEOUT") {
    const ms = /timeout: (\d+)ms/.exec(message)?.[1];
    const within = ms === undefined ? "" : ` within ${formatDuration(Number(ms))}`;
    return { kind, code, message: `no connection${within} (connect timeout)` };
  }
  const certificate = code === null ? undefined : CERTIFICATE_PROBLEMS[code];
  if (code !== null && certificate !== undefined) {
    return { kind, code, message: oneLine(certificateMessage(certificate, root, message)) };
  }
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

/**
 * What `tls.checkServerIdentity(address, certificate)` should say for an IP address, matched
 * by OpenSSL against the certificate's IP Address names. Node's own check fails every IPv6
 * address since the CVE-2026-48618 fix (22.23.0, 24.17.0): it tests the host for an IP after
 * `domainToASCII`, which turns an IPv6 literal into "", so no IP name is ever compared and a
 * right certificate is refused (nodejs/node#64144, fixed by #64145: right again in 24.21.0,
 * still wrong in 22.23.3).
 */
function checkAddress(address: string, certificate: PeerCertificate): Error | undefined {
  if (new X509Certificate(certificate.raw).checkIP(address) !== undefined) return undefined;
  // Worded as Node's own error, so it reads the same on every version; the names the
  // certificate has come from the certificate itself (see `certificateMessage`).
  const reason = `IP: ${address} is not in the cert's list`;
  return Object.assign(new Error(`Hostname/IP does not match certificate's altnames: ${reason}`), {
    code: "ERR_TLS_CERT_ALTNAME_INVALID",
    reason,
    host: address,
    cert: certificate,
  });
}

/** The last `--cacert` context built, kept for the next client: a run opens one per mode and run. */
let trusted: { ca: string; context: SecureContext } | null = null;

/**
 * A TLS context trusting Node's own CAs and `ca`, as curl --cacert adds to the bundle it was
 * built with. Building it parses every root certificate (tens of milliseconds), so the last one
 * is kept: every client of a process gets the same `--cacert`.
 */
function trusting(ca: string): SecureContext {
  if (trusted?.ca !== ca)
    trusted = { ca, context: createSecureContext({ ca: [...rootCertificates, ca] }) };
  return trusted.context;
}

/** The `--resolve` rule for a connection's host and port (the scheme's own when none is given). */
function resolveRule(
  rules: readonly ResolveRule[],
  host: string,
  port: string,
  protocol: string,
): ResolveRule | undefined {
  const wanted = port || (protocol === "https:" ? "443" : "80");
  return rules.find((rule) => rule.host === host && String(rule.port) === wanted);
}
