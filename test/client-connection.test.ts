/**
 * The connection options of the client factory against real listeners on 127.0.0.1: HTTP/2,
 * TLS checks, proxies and the connect options.
 */
import { createSecureServer } from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Certificate, createCertificate } from "../src/certificate.js";
import type { ConnectionOptions } from "../src/options.js";
import { peakOverlap } from "../src/runners/concurrent.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { deadPort, fetchThrough } from "./helpers.js";
import { startProxy, type TestProxy } from "./proxy.js";

const request = { method: "GET", headers: {}, timeoutMs: 10_000, maxRedirects: 10 };

/** Fetches every URL at once through one client; the results and the connections it opened. */
const fetchAll = fetchThrough.bind(null, request);

const many = (base: string, path: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${base}${path}${path.includes("?") ? "&" : "?"}i=${i}`);

describe("--http2", () => {
  let h2: LocalServerHandle;
  let h1: LocalServerHandle;
  beforeAll(async () => {
    h2 = await startServer({ port: 0, http2: true });
    h1 = await startServer({ port: 0, https: true });
  });
  afterAll(async () => {
    await h2.close();
    await h1.close();
  });

  it("sends 100 requests at once over a handful of HTTP/2 connections", async () => {
    const ca = h2.certificate?.cert ?? null;
    const { results, connectionsOpened } = await fetchAll(many(h2.url, "/delay/100", 100), {
      http2: true,
      ca,
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(new Set(results.map((r) => r.httpVersion))).toEqual(new Set(["2"]));
    expect(connectionsOpened).toBeGreaterThanOrEqual(1);
    expect(connectionsOpened).toBeLessThanOrEqual(4);
  });

  it("speaks HTTP/1.1 to the same server without the flag", async () => {
    const ca = h2.certificate?.cert ?? null;
    const { results } = await fetchAll(many(h2.url, "/bytes/10", 3), { ca });
    expect(results.map((r) => [r.ok, r.httpVersion])).toEqual(Array(3).fill([true, "1.1"]));
  });

  it("falls back to HTTP/1.1, one request per connection, where the server has no h2", async () => {
    const ca = h1.certificate?.cert ?? null;
    const started = performance.now();
    const { results, connectionsOpened } = await fetchAll(many(h1.url, "/delay/300", 10), {
      http2: true,
      ca,
    });
    const wall = performance.now() - started;
    expect(results.map((r) => [r.ok, r.httpVersion])).toEqual(Array(10).fill([true, "1.1"]));
    // Ten at once, not one after another on a pipelined connection (that would be ≥ 3 s).
    expect(connectionsOpened).toBeGreaterThan(1);
    expect(wall).toBeLessThan(2500);
  });

  it("fails an HTTP/2 body cut short, and keeps the other streams going", async () => {
    const ca = h2.certificate?.cert ?? null;
    const { results } = await fetchAll([`${h2.url}/truncate/10000`, `${h2.url}/bytes/5000`], {
      http2: true,
      ca,
    });
    const [cut, whole] = results;
    expect(cut?.ok).toBe(false);
    expect(cut?.error?.kind).toBe("reset");
    expect(cut?.bytes).toBeLessThan(10_000);
    expect(whole).toMatchObject({ ok: true, bytes: 5000, httpVersion: "2" });
  });

  it("records no protocol for a request that got no response", async () => {
    const ca = h2.certificate?.cert ?? null;
    const { results } = await fetchAll([`${h2.url}/hang`], { http2: true, ca }, { timeoutMs: 300 });
    expect(results[0]).toMatchObject({ ok: false, httpVersion: null });
  });
});

describe("HTTP/2 bodies", () => {
  it("fails a stream that ends before its Content-Length (nghttp2 checks it)", async () => {
    const certificate = createCertificate();
    const server = createSecureServer({ cert: certificate.cert, key: certificate.key });
    server.on("stream", (stream) => {
      stream.respond({ ":status": 200, "content-length": "100" });
      stream.end("only ten b");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { results } = await fetchAll([`https://127.0.0.1:${port}/`], {
        http2: true,
        ca: certificate.cert,
      });
      expect(results[0]).toMatchObject({
        ok: false,
        bytes: 10,
        httpVersion: "2",
        error: { kind: "reset" },
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("certificates", () => {
  let selfSigned: LocalServerHandle;
  beforeAll(async () => {
    selfSigned = await startServer({ port: 0, https: true });
  });
  afterAll(() => selfSigned.close());

  /** An HTTPS server on 127.0.0.1 with the given certificate; closed by the returned function. */
  async function httpsWith(certificate: Certificate) {
    const server = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (_, res) =>
      res.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `https://127.0.0.1:${port}/`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }

  it("fails a self-signed certificate as tls, saying so and how to accept it", async () => {
    const { results } = await fetchAll([`${selfSigned.url}/bytes/10`], {});
    expect(results[0]).toMatchObject({ ok: false, status: null, httpVersion: null });
    expect(results[0]?.error).toEqual({
      kind: "tls",
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      message:
        "self-signed certificate; accept it on purpose with -k (--insecure), or trust its CA with --cacert <file>",
    });
  });

  it("accepts it with -k, and with its certificate as the CA", async () => {
    const insecure = await fetchAll([`${selfSigned.url}/bytes/10`], { insecure: true });
    expect(insecure.results[0]).toMatchObject({ ok: true, bytes: 10 });
    const trusted = await fetchAll([`${selfSigned.url}/bytes/10`], {
      ca: selfSigned.certificate?.cert ?? null,
    });
    expect(trusted.results[0]).toMatchObject({ ok: true, bytes: 10 });
  });

  it("still refuses a certificate the given CA did not sign", async () => {
    const { results } = await fetchAll([`${selfSigned.url}/bytes/10`], {
      ca: createCertificate().cert,
    });
    expect(results[0]?.error?.kind).toBe("tls");
  });

  it("fails an expired certificate even from a trusted CA, and -k accepts it", async () => {
    const day = 86_400_000;
    const expired = createCertificate({
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
    });
    const server = await httpsWith(expired);
    try {
      const { results } = await fetchAll([server.url], { ca: expired.cert });
      expect(results[0]?.error).toEqual({
        kind: "tls",
        code: "CERT_HAS_EXPIRED",
        message: "expired certificate; accept it on purpose with -k (--insecure)",
      });
      const insecure = await fetchAll([server.url], { insecure: true });
      expect(insecure.results[0]?.ok).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("fails a certificate for another host, naming the names it has", async () => {
    const other = createCertificate({ hosts: ["other.example"] });
    const server = await httpsWith(other);
    try {
      const { results } = await fetchAll([server.url], { ca: other.cert });
      expect(results[0]?.error?.kind).toBe("tls");
      expect(results[0]?.error?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
      expect(results[0]?.error?.message).toMatch(
        /^certificate for another host \(127\.0\.0\.1 is not among DNS:other\.example\); accept it on purpose with -k \(--insecure\)$/,
      );
    } finally {
      await server.close();
    }
  });
});

describe("proxies", () => {
  let proxy: TestProxy;
  let plain: LocalServerHandle;
  let tls: LocalServerHandle;
  beforeAll(async () => {
    proxy = await startProxy();
    plain = await startServer({ port: 0 });
    tls = await startServer({ port: 0, https: true });
  });
  afterAll(async () => {
    await proxy.close();
    await plain.close();
    await tls.close();
  });

  async function through(
    urls: readonly string[],
    connection: Partial<ConnectionOptions>,
    env: Record<string, string>,
  ) {
    proxy.passed.length = 0;
    const { results } = await fetchAll(urls, { insecure: true, ...connection }, { env });
    return { results, passed: proxy.passed.map(({ method, target }) => ({ method, target })) };
  }

  it("sends https through a CONNECT tunnel of HTTPS_PROXY, and http direct", async () => {
    const host = new URL(tls.url).host;
    const { results, passed } = await through(
      [`${tls.url}/bytes/10`, `${plain.url}/bytes/10`],
      {},
      { HTTPS_PROXY: proxy.url },
    );
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(passed).toEqual([{ method: "CONNECT", target: host }]);
  });

  it("sends http to HTTP_PROXY as a full URL (lower-case name too)", async () => {
    for (const name of ["HTTP_PROXY", "http_proxy"]) {
      const { results, passed } = await through(
        [`${plain.url}/bytes/10`],
        {},
        { [name]: proxy.url },
      );
      expect(results[0]).toMatchObject({ ok: true, bytes: 10, httpVersion: "1.1" });
      expect(passed).toEqual([{ method: "GET", target: `${plain.url}/bytes/10` }]);
    }
  });

  it("reaches NO_PROXY hosts and --noproxy hosts directly", async () => {
    const url = `${plain.url}/bytes/10`;
    const env = await through([url], {}, { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
    expect(env.results[0]?.ok).toBe(true);
    expect(env.passed).toEqual([]);
    const flag = await through([url], { noProxy: ["127.0.0.1"] }, { HTTP_PROXY: proxy.url });
    expect(flag.results[0]?.ok).toBe(true);
    expect(flag.passed).toEqual([]);
    // --noproxy replaces NO_PROXY: an empty list sends everything through the proxy again.
    const none = await through([url], { noProxy: [] }, { HTTP_PROXY: proxy.url, NO_PROXY: "*" });
    expect(none.passed).toHaveLength(1);
  });

  it("lets -x override the environment's proxy", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const { results, passed } = await through(
      [`${plain.url}/bytes/10`, `${tls.url}/bytes/10`],
      { proxy: proxy.url },
      { HTTP_PROXY: dead, HTTPS_PROXY: dead },
    );
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(passed.map((p) => p.method).sort()).toEqual(["CONNECT", "GET"]);
  });

  it("fails a request whose proxy is down as a connect failure", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const { results } = await through([`${plain.url}/bytes/10`], { proxy: dead }, {});
    expect(results[0]?.error?.kind).toBe("connect");
  });

  it("fails a tunnel the proxy refuses as a connect failure with its status", async () => {
    const guarded = await startProxy({ credentials: "user:secret" });
    try {
      const { results } = await fetchAll([`${tls.url}/bytes/10`], {
        proxy: guarded.url,
        insecure: true,
      });
      expect(results[0]?.error).toMatchObject({
        kind: "connect",
        message: "the proxy refused the tunnel: HTTP 407 Proxy Authentication Required",
      });
      const { results: allowed } = await fetchAll([`${tls.url}/bytes/10`], {
        proxy: guarded.url.replace("http://", "http://user:secret@"),
        insecure: true,
      });
      expect(allowed[0]?.ok).toBe(true);
    } finally {
      await guarded.close();
    }
  });
});

describe("connect options", () => {
  it("--connect-timeout cuts a connection that does not open, as a connect timeout", async () => {
    // Takes the TCP connection and never answers the TLS handshake.
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => {
      sockets.add(socket.on("error", () => {}));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const { results } = await fetchAll([`https://127.0.0.1:${port}/`], {
        connectTimeoutMs: 300,
      });
      expect(results[0]?.error).toEqual({
        kind: "timeout",
        code: "UND_ERR_CONNECT_TIMEOUT",
        message: "no connection within 300 ms (connect timeout)",
      });
      // Well before the request's own 10 s deadline.
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    }
  });

  it("--per-host caps the connections to each origin", async () => {
    const a = await startServer({ port: 0 });
    const b = await startServer({ port: 0 });
    try {
      const urls = [...many(a.url, "/delay/100", 8), ...many(b.url, "/delay/100", 8)];
      const { results, connectionsOpened } = await fetchAll(urls, { perHost: 2 });
      expect(results.every((r) => r.ok)).toBe(true);
      expect(connectionsOpened).toBeLessThanOrEqual(4);
      // Eight requests over two connections take at least four rounds of 100 ms.
      expect(Math.max(...results.map((r) => r.endMs))).toBeGreaterThanOrEqual(380);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("--per-host counts the wait for a free connection as queued, not as latency", async () => {
    const server = await startServer({ port: 0 });
    try {
      const { results } = await fetchAll(many(server.url, "/delay/200", 6), { perHost: 2 });
      expect(results.every((r) => r.ok)).toBe(true);
      // Queued requests are not in flight: never more than the two connections at once.
      expect(peakOverlap(results)).toBe(2);
      const byStart = [...results].sort((a, b) => a.startMs - b.startMs);
      const ends = results.map((r) => r.endMs).sort((a, b) => a - b);
      for (const [i, r] of byStart.entries()) {
        // Two at a time: the third and later start when an earlier one has ended and freed
        // its connection, and their wait for it is queueing.
        if (i >= 2) expect(r.startMs).toBeGreaterThanOrEqual((ends[i - 2] ?? 0) - 1);
        expect(r.queuedMs).toBeGreaterThanOrEqual(i < 2 ? 0 : i < 4 ? 150 : 350);
        // Latency is the server's 200 ms and the exchange, from the start above.
        expect(r.latencyMs).toBeGreaterThanOrEqual(190);
        // The phases add up to the latency, and the queue ends where it starts.
        expect((r.ttfbMs ?? 0) + (r.downloadMs ?? 0)).toBeCloseTo(r.latencyMs, 6);
        expect(r.startMs + r.latencyMs).toBeCloseTo(r.endMs, 6);
      }
    } finally {
      await server.close();
    }
  });

  it("--resolve sends a name to a chosen address, keeping it for Host and TLS", async () => {
    const certificate = createCertificate({ hosts: ["api.test"] });
    const hosts: (string | undefined)[] = [];
    const server = createHttpsServer(
      { cert: certificate.cert, key: certificate.key },
      (req, res) => {
        hosts.push(req.headers.host);
        res.end("ok");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { results } = await fetchAll([`https://api.test:${port}/`], {
        ca: certificate.cert,
        resolve: [{ host: "api.test", port, addresses: ["127.0.0.1"] }],
      });
      // The certificate is only valid for api.test, so TLS checked that name too.
      expect(results[0]).toMatchObject({ ok: true, bytes: 2 });
      expect(hosts).toContain(`api.test:${port}`);
      const other = await fetchAll([`https://api.test:${port + 1}/`], {
        resolve: [{ host: "api.test", port, addresses: ["127.0.0.1"] }],
      });
      // Another port is not overridden: the name goes to DNS, which has no api.test.
      expect(other.results[0]?.ok).toBe(false);
      expect(other.results[0]?.status).toBeNull();
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
