/**
 * Where a request's time went before its response: the one owner of undici's
 * `diagnostics_channel` subscriptions, and the timed connector whose sockets they look up.
 *
 * Each connection a dispatcher opens goes through a connector wrapped here, which notes when
 * the name lookup, the TCP handshake and the TLS handshake ended, and numbers the connection.
 * As undici writes a request's headers it publishes `undici:client:sendHeaders` with the socket,
 * in the same turn in which it started the request's handler: the handler says it is the one
 * starting (`expectConnection`), and is told which connection it went out on and whether an
 * earlier request had used it. Subscribers run inside undici's request path: they are cheap
 * and never throw.
 */

import { subscribe } from "node:diagnostics_channel";
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import type { buildConnector } from "undici";

/** Channel names, as undici's `lib/core/diagnostics.js` spells them. */
const CHANNELS = {
  sendHeaders: "undici:client:sendHeaders",
} as const;

/** How one connection was opened, and how often it has been used since. */
export interface ConnectionTiming {
  /** From 1, in the order the dispatcher opened its connections. */
  readonly id: number;
  /** Name lookup; null when none was made (an IP address) or it was not seen (a proxy tunnel). */
  readonly dnsMs: number | null;
  /** TCP handshake; null when not seen (a proxy tunnel). */
  readonly tcpMs: number | null;
  /** TLS handshake; null for `http:` and when not seen (a proxy tunnel). */
  readonly tlsMs: number | null;
  /** The connect call to a usable socket: everything above, and a proxy's CONNECT tunnel. */
  readonly connectMs: number;
  /** Requests sent on it so far (HTTP/2 streams included). */
  requests: number;
}

/** What a request learnt about the connections its hops went out on. */
export interface ConnectionUse {
  /** The last hop's connection. */
  connectionId: number;
  /** No hop opened a connection. */
  reusedConnection: boolean;
  /** Sums over the connections the request's hops opened; null when they opened none. */
  dnsMs: number | null;
  tcpMs: number | null;
  tlsMs: number | null;
  connectMs: number | null;
}

/** Told, as a request goes out, which connection it took. */
export interface ConnectionObserver {
  onConnection(connection: ConnectionTiming, reused: boolean): void;
}

const timings = new WeakMap<object, ConnectionTiming>();
let starting: ConnectionObserver | null = null;
let subscribed = false;

/**
 * Called by a request handler as undici starts it (`onRequestStart`): undici writes its
 * headers in the same turn, and `observer` hears which connection they went out on.
 */
export function expectConnection(observer: ConnectionObserver): void {
  starting = observer;
}

function onSendHeaders(message: unknown): void {
  const observer = starting;
  if (observer === null) return;
  starting = null;
  try {
    const socket = (message as { socket?: object } | null)?.socket;
    // Sockets another dispatcher opened (Node's own fetch, say) are not ours to time.
    const timing = socket === undefined ? undefined : timings.get(socket);
    if (timing === undefined) return;
    timing.requests += 1;
    observer.onConnection(timing, timing.requests > 1);
  } catch {
    // Measuring must never break a request.
  }
}

/** Adds one hop's connection to what the request knew: phases add up over the connections opened. */
export function addHop(
  use: ConnectionUse | null,
  connection: ConnectionTiming,
  reused: boolean,
): ConnectionUse {
  const opened = reused ? null : connection;
  const sum = (a: number | null | undefined, b: number | null | undefined): number | null =>
    a == null ? (b ?? null) : b == null ? a : a + b;
  return {
    connectionId: connection.id,
    reusedConnection: (use?.reusedConnection ?? true) && reused,
    dnsMs: sum(use?.dnsMs, opened?.dnsMs),
    tcpMs: sum(use?.tcpMs, opened?.tcpMs),
    tlsMs: sum(use?.tlsMs, opened?.tlsMs),
    connectMs: sum(use?.connectMs, opened?.connectMs),
  };
}

/** One run's connection timer (see `connectionTimer`). */
export interface ConnectionTimer {
  /** Wraps a connector so that every socket it opens is timed and numbered. */
  wrap(connect: buildConnector.connector): buildConnector.connector;
  /** Connections opened so far through the connectors it wrapped: the last number given. */
  readonly opened: number;
}

/**
 * One run's connection timer: wraps connectors so that every socket they open is timed (lookup,
 * TCP, TLS) and numbered from 1 in the order opened, for the requests that go out on it.
 */
export function connectionTimer(): ConnectionTimer {
  if (!subscribed) {
    subscribed = true;
    subscribe(CHANNELS.sendHeaders, onSendHeaders);
  }
  const counter = { opened: 0 };
  return {
    wrap: (connect) => timedConnector(connect, counter),
    get opened() {
      return counter.opened;
    },
  };
}

/** Wraps a connector: notes when lookup, TCP and TLS ended, and keeps the timing by socket. */
function timedConnector(
  connect: buildConnector.connector,
  counter: { opened: number },
): buildConnector.connector {
  return (options, callback) => {
    const startedAt = performance.now();
    let lookupAt: number | null = null;
    let tcpAt: number | null = null;
    const socket: unknown = connect(options, (error, socket) => {
      if (error === null && socket) {
        const readyAt = performance.now();
        const secure = options.protocol === "https:";
        counter.opened += 1;
        timings.set(socket, {
          id: counter.opened,
          dnsMs: lookupAt === null ? null : lookupAt - startedAt,
          tcpMs: tcpAt === null ? null : tcpAt - (lookupAt ?? startedAt),
          tlsMs: secure && tcpAt !== null ? readyAt - tcpAt : null,
          connectMs: readyAt - startedAt,
          requests: 0,
        });
        callback(null, socket);
      } else callback(error as Error, null);
    });
    // undici's own connector hands back the socket at once (a proxy's tunnel does not), and
    // listens for `connect` already: ours goes first, so the time is noted before it is used.
    if (socket instanceof EventEmitter) {
      socket.prependOnceListener("lookup", () => {
        lookupAt = performance.now();
      });
      socket.prependOnceListener("connect", () => {
        tcpAt = performance.now();
      });
    }
    return socket as undefined;
  };
}
