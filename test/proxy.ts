/**
 * A real forward proxy for tests (the `proxy` package: plain requests and CONNECT tunnels),
 * started on 127.0.0.1 and recording every request that passed through it.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createProxy } from "proxy";

/** One request the proxy accepted. */
export interface Passed {
  /** `GET`, `POST`, … for plain HTTP; `CONNECT` for a tunnel (HTTPS). */
  method: string;
  /** The absolute URL of a plain request, or `host:port` of a tunnel. */
  target: string;
  /** The Proxy-Authorization header, when one was sent. */
  authorization: string | undefined;
}

export interface TestProxy {
  /** `http://127.0.0.1:port`. */
  url: string;
  port: number;
  /** What passed through, in order of arrival. */
  passed: Passed[];
  /** Client connections open right now (plain requests and tunnels). */
  open(): number;
  /** Stops listening and cuts every connection and tunnel. */
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free port. With `credentials` (`user:password`), a request without
 * them in Proxy-Authorization is refused with 407 and not recorded.
 */
export async function startProxy(options: { credentials?: string } = {}): Promise<TestProxy> {
  const passed: Passed[] = [];
  const sockets = new Set<Socket>();
  const server = createProxy(createServer());
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(options.credentials).toString("base64")}`;
  server.authenticate = (req: IncomingMessage) => {
    const authorization = req.headers["proxy-authorization"];
    if (expected !== undefined && authorization !== expected) return false;
    passed.push({ method: req.method ?? "", target: req.url ?? "", authorization });
    return true;
  };
  // Tunnels leave the HTTP server's own bookkeeping, so every socket is tracked here.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    passed,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
