import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClientSettings, openClient, type RequestOptions } from "../src/client.js";
import { type ConnectionOptions, DEFAULT_CONNECTION } from "../src/options.js";
import type { RequestResult } from "../src/report/model.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { deadPort } from "./helpers.js";
import { startProxy, type TestProxy } from "./proxy.js";

const options: RequestOptions = { method: "GET", headers: {}, timeoutMs: 5000, maxRedirects: 10 };

let http: LocalServerHandle;
let https: LocalServerHandle;
let h2: LocalServerHandle;
let proxy: TestProxy;

beforeAll(async () => {
  [http, https, h2, proxy] = await Promise.all([
    startServer({ port: 0 }),
    startServer({ port: 0, https: true }),
    startServer({ port: 0, http2: true }),
    startProxy(),
  ]);
});
afterAll(async () => {
  await Promise.all([http.close(), https.close(), h2.close(), proxy.close()]);
});

function clock() {
  const now = performance.now();
  return { runStart: now, enqueuedAt: now };
}

/**
 * Fetches `urls` through a client opened as a run opens it (`openClient`), `together` at once
 * or one after another, with the connection flags given.
 */
async function fetchAll(
  urls: string[],
  together: boolean,
  connection: Partial<ConnectionOptions> = {},
  settings: Partial<ClientSettings> = {},
): Promise<RequestResult[]> {
  const client = openClient({
    ...options,
    ...settings,
    connection: { ...DEFAULT_CONNECTION, ...connection },
  });
  const targets = urls.map((url, index) => ({ index, line: index + 1, url }));
  try {
    if (together) return await Promise.all(targets.map((t) => client.request(t, clock())));
    const results: RequestResult[] = [];
    for (const t of targets) results.push(await client.request(t, clock()));
    return results;
  } finally {
    await client.close();
  }
}

describe("phases and connections", () => {
  it("gives the first request the connect phases and the next ones the same connection", async () => {
    const client = openClient({ ...options, maxInFlight: 1 });
    const results: RequestResult[] = [];
    for (let index = 0; index < 3; index++) {
      results.push(await client.request({ index, line: 1, url: `${http.url}/delay/0` }, clock()));
    }
    const { connectionsOpened } = await client.close();
    const [first, ...rest] = results;
    expect(connectionsOpened).toBe(1);
    expect(first).toMatchObject({ ok: true, reusedConnection: false, connectionId: 1 });
    // 127.0.0.1 needs no lookup and http: no TLS.
    expect(first).toMatchObject({ dnsMs: null, tlsMs: null });
    expect(first?.tcpMs).toBeGreaterThanOrEqual(0);
    expect(first?.connectMs).toBeGreaterThanOrEqual(first?.tcpMs ?? 0);
    expect(first?.ttfbMs).toBeGreaterThanOrEqual(first?.connectMs ?? 0);
    for (const r of rest) {
      expect(r).toMatchObject({ ok: true, reusedConnection: true, connectionId: 1 });
      expect(r).toMatchObject({ dnsMs: null, tcpMs: null, tlsMs: null, connectMs: null });
    }
  });

  it("numbers the connections that requests in flight together opened", async () => {
    const client = openClient({ ...options });
    const results = await Promise.all(
      [0, 1, 2, 3].map((index) =>
        client.request({ index, line: 1, url: `${http.url}/delay/100` }, clock()),
      ),
    );
    const { connectionsOpened } = await client.close();
    expect(connectionsOpened).toBe(4);
    expect(results.map((r) => r.connectionId).sort()).toEqual([1, 2, 3, 4]);
    expect(results.every((r) => r.reusedConnection === false)).toBe(true);
  });

  it("times the name lookup when the host is a name", async () => {
    const [result] = await fetchAll([`http://localhost:${http.port}/delay/0`], false);
    expect(result?.ok).toBe(true);
    expect(result?.dnsMs).toBeGreaterThanOrEqual(0);
    expect(result?.connectMs).toBeGreaterThanOrEqual((result?.dnsMs ?? 0) + (result?.tcpMs ?? 0));
  });

  it("times the TLS handshake of an https connection", async () => {
    // One after the other, so the second request reuses the connection.
    const [first, second] = await fetchAll(
      [`${https.url}/delay/0`, `${https.url}/delay/0`],
      false,
      { ca: https.certificate?.cert ?? null },
      { maxInFlight: 1 },
    );
    expect(first).toMatchObject({ ok: true, reusedConnection: false, connectionId: 1 });
    expect(first?.tlsMs).toBeGreaterThan(0);
    expect(first?.connectMs).toBeGreaterThanOrEqual((first?.tcpMs ?? 0) + (first?.tlsMs ?? 0));
    expect(second).toMatchObject({
      ok: true,
      reusedConnection: true,
      connectionId: 1,
      tlsMs: null,
    });
  });

  it("shows HTTP/2 streams on one connection as reused", async () => {
    const h2Options = { http2: true, ca: h2.certificate?.cert ?? null };
    const [first] = await fetchAll([`${h2.url}/delay/0`], false, h2Options);
    expect(first).toMatchObject({ ok: true, reusedConnection: false, connectionId: 1 });
    // One connection carries every stream at once (HTTP/1.1 would open one for each).
    const together = await fetchAll(
      [0, 1, 2, 3].map(() => `${h2.url}/delay/300`),
      true,
      h2Options,
    );
    expect(together.every((r) => r.ok && r.connectionId === 1)).toBe(true);
    expect(together.filter((r) => r.reusedConnection === false)).toHaveLength(1);
  });

  it("counts a proxy's CONNECT tunnel as connect", async () => {
    const [first, second] = await fetchAll(
      [`${https.url}/delay/0`, `${https.url}/delay/0`],
      false,
      { proxy: proxy.url, ca: https.certificate?.cert ?? null },
      { maxInFlight: 1 },
    );
    expect(proxy.passed.some((p) => p.method === "CONNECT")).toBe(true);
    expect(first).toMatchObject({ ok: true, reusedConnection: false, connectionId: 1 });
    expect(first?.connectMs).toBeGreaterThan(0);
    expect(second).toMatchObject({ ok: true, reusedConnection: true, connectionId: 1 });
  });

  it("has no connection for a request that never reached one", async () => {
    const port = await deadPort();
    const [result] = await fetchAll([`http://127.0.0.1:${port}/`], false);
    expect(result).toMatchObject({ ok: false, reusedConnection: null, connectionId: null });
    expect(result).toMatchObject({ dnsMs: null, tcpMs: null, tlsMs: null, connectMs: null });
  });

  it("adds up the connections a redirect's hops opened", async () => {
    // A redirect to another origin (by name) needs a second connection.
    const target = `http://localhost:${http.port}/delay/0`;
    const [result] = await fetchAll(
      [`${http.url}/status/302?location=${encodeURIComponent(target)}`],
      false,
    );
    expect(result).toMatchObject({ ok: true, redirects: 1, reusedConnection: false });
    expect(result?.connectionId).toBe(2);
    expect(result?.dnsMs).toBeGreaterThanOrEqual(0);
  });
});

describe("phases in the blocking mode", () => {
  it("records them for requests the blocking thread asked for", async () => {
    const { runBlocking } = await import("../src/runners/blocking.js");
    const client = openClient({ ...options, maxInFlight: 1 });
    const targets = [0, 1, 2].map((index) => ({ index, line: 1, url: `${http.url}/delay/0` }));
    const outcome = await runBlocking(targets, { request: client.request });
    await client.close();
    expect(outcome.requests.map((r) => [r.connectionId, r.reusedConnection])).toEqual([
      [1, false],
      [1, true],
      [1, true],
    ]);
    expect(outcome.requests[0]?.connectMs).toBeGreaterThanOrEqual(0);
  });
});
