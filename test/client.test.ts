import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Connections,
  createAgent,
  createRequester,
  openClient,
  type RequestOptions,
} from "../src/client.js";
import { type ServerHandle, startServer } from "../src/server.js";
import { deadPort } from "./helpers.js";

const defaults: RequestOptions = { method: "GET", headers: {}, timeoutMs: 5000, maxRedirects: 10 };

let server: ServerHandle;
let agent: Connections;

beforeAll(async () => {
  server = await startServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await agent?.destroy();
});

async function fetchUrl(path: string, options: Partial<RequestOptions> = {}) {
  const merged = { ...defaults, ...options };
  agent = createAgent(merged);
  const request = createRequester(agent, merged);
  const now = performance.now();
  const url = path.startsWith("http") ? path : `${server.url}${path}`;
  return request({ index: 3, line: 7, url }, { runStart: now, enqueuedAt: now });
}

describe("request function", () => {
  it("keeps the target's index, line and URL", async () => {
    const result = await fetchUrl("/status/200");
    expect(result).toMatchObject({ index: 3, line: 7, url: `${server.url}/status/200` });
  });

  it("reports status, bytes and ok for a successful response", async () => {
    const result = await fetchUrl("/bytes/12345");
    expect(result.ok).toBe(true);
    expect(result.status).toBe(200);
    expect(result.bytes).toBe(12345);
    expect(result.error).toBeNull();
  });

  it("counts a large body without buffering it whole", async () => {
    const result = await fetchUrl("/bytes/5000000");
    expect(result.bytes).toBe(5_000_000);
  });

  it("measures latency from dispatch to the last byte, ttfb before it", async () => {
    const result = await fetchUrl("/delay/150");
    expect(result.latencyMs).toBeGreaterThanOrEqual(140);
    expect(result.latencyMs).toBeLessThan(3000);
    expect(result.ttfbMs).not.toBeNull();
    expect(result.ttfbMs ?? 0).toBeLessThanOrEqual(result.latencyMs);
    expect(result.endMs).toBeGreaterThanOrEqual(result.startMs + result.latencyMs - 0.001);
  });

  it("has a positive ttfb of at least the server's delay, below the latency of a long body", async () => {
    const result = await fetchUrl("/delay/100?bytes=4000000");
    expect(result.ok).toBe(true);
    expect(result.ttfbMs).toBeGreaterThanOrEqual(95);
    expect(result.ttfbMs).toBeLessThan(result.latencyMs);
    expect(result.downloadMs ?? 0).toBeGreaterThan(0);
  });

  it("marks a status of 400 or more as an http failure with the status text", async () => {
    const result = await fetchUrl("/status/503");
    expect(result.ok).toBe(false);
    expect(result.status).toBe(503);
    expect(result.error).toEqual({
      kind: "http",
      code: null,
      message: "HTTP 503 Service Unavailable",
    });
  });

  it("fails a 400 itself, the first status that counts as a failure", async () => {
    const result = await fetchUrl("/status/400");
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ kind: "http", code: null, message: "HTTP 400 Bad Request" });
  });

  it("follows redirects and keeps the final URL and the count", async () => {
    const result = await fetchUrl("/redirect/3");
    expect(result.ok).toBe(true);
    expect(result.redirects).toBe(3);
    expect(result.finalUrl).toBe(`${server.url}/redirect/0`);
    expect(result.url).toBe(`${server.url}/redirect/3`);
  });

  it("fails a chain longer than --max-redirects", async () => {
    const result = await fetchUrl("/redirect/3", { maxRedirects: 2 });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("other");
    expect(result.error?.message).toBe("more than 2 redirects");
  });

  it("takes a 3xx as the answer when redirects are off", async () => {
    const result = await fetchUrl("/redirect/1", { maxRedirects: 0 });
    expect(result.ok).toBe(true);
    expect(result.status).toBe(302);
    expect(result.redirects).toBe(0);
  });

  it("turns a slow response into a timeout failure at the deadline", async () => {
    const result = await fetchUrl("/delay/3000", { timeoutMs: 200 });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("timeout");
    expect(result.error?.message).toBe("no response within 200 ms");
    // Fires at the deadline, not at a multiple of it; the slack is for a busy machine.
    expect(result.latencyMs).toBeGreaterThanOrEqual(199);
    expect(result.latencyMs).toBeLessThan(600);
  });

  it("turns a refused port into a connect failure with its code", async () => {
    const port = await deadPort();
    const result = await fetchUrl(`http://127.0.0.1:${port}/`);
    expect(result.ok).toBe(false);
    expect(result.status).toBeNull();
    expect(result.error).toMatchObject({ kind: "connect", code: "ECONNREFUSED" });
  });

  it("turns a reset connection into a reset failure", async () => {
    const result = await fetchUrl("/reset");
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("reset");
  });

  it("fails a body that stops short of its content-length, keeping the bytes that came", async () => {
    const result = await fetchUrl("/truncate/1000");
    expect(result.ok).toBe(false);
    expect(result.status).toBe(200);
    expect(result.error?.kind).toBe("reset");
    expect(result.bytes).toBeLessThan(1000);
  });

  it("turns an unknown host into a dns failure", async () => {
    const result = await fetchUrl("http://no-such-host.invalid/", { timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("dns");
  });

  it("reports an outer abort as aborted, not as a timeout", async () => {
    agent = createAgent(defaults);
    const request = createRequester(agent, defaults);
    const controller = new AbortController();
    const now = performance.now();
    setTimeout(() => controller.abort(), 50);
    const result = await request(
      { index: 0, line: 1, url: `${server.url}/delay/2000` },
      { runStart: now, enqueuedAt: now },
      controller.signal,
    );
    expect(result.error?.kind).toBe("aborted");
  });
});

describe("redirect rules", () => {
  /** A server that redirects `/to?status=S&location=L` and echoes method and credentials elsewhere. */
  interface Echo {
    url: string;
    seen: { method: string; path: string; authorization?: string; cookie?: string }[];
    close(): Promise<void>;
  }
  async function echoServer(): Promise<Echo> {
    const seen: Echo["seen"] = [];
    const http = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      seen.push({
        method: req.method ?? "",
        path: url.pathname,
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
      });
      req.resume();
      if (url.pathname === "/to") {
        res.writeHead(Number(url.searchParams.get("status")), {
          location: url.searchParams.get("location") ?? "/",
        });
        res.end("moved");
      } else res.end("ok");
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      seen,
      close: () => new Promise((resolve) => http.close(() => resolve())),
    };
  }
  let home: Echo;
  let elsewhere: Echo;
  beforeAll(async () => {
    home = await echoServer();
    elsewhere = await echoServer();
  });
  afterAll(async () => {
    await home.close();
    await elsewhere.close();
  });

  async function follow(status: number, location: string, method: string) {
    home.seen.length = 0;
    elsewhere.seen.length = 0;
    const options = {
      ...defaults,
      method,
      headers: { Authorization: "Bearer secret", Cookie: "a=1", "x-other": "kept" },
    };
    agent = createAgent(options);
    const now = performance.now();
    const url = `${home.url}/to?status=${status}&location=${encodeURIComponent(location)}`;
    return createRequester(agent, options)(
      { index: 0, line: 1, url },
      { runStart: now, enqueuedAt: now },
    );
  }

  it("keeps credentials on the same origin and drops them when a redirect leaves it", async () => {
    const same = await follow(302, "/final", "GET");
    expect(same.ok).toBe(true);
    expect(home.seen[1]).toMatchObject({
      path: "/final",
      authorization: "Bearer secret",
      cookie: "a=1",
    });
    const away = await follow(302, `${elsewhere.url}/final`, "GET");
    expect(away.ok).toBe(true);
    expect(away.finalUrl).toBe(`${elsewhere.url}/final`);
    expect(elsewhere.seen[0]).toEqual({ method: "GET", path: "/final" });
  });

  it("refuses a redirect to a scheme other than http and https, naming where it pointed", async () => {
    const result = await follow(302, "ftp://127.0.0.1/file", "GET");
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({
      kind: "other",
      code: null,
      message: "redirect to a non-http(s) URL: ftp://127.0.0.1/file",
    });
    // Nothing was sent to the refused place: only the first hop reached the server.
    expect(home.seen).toHaveLength(1);
    await agent.destroy();
  });

  it("turns a POST into a GET on 301, 302 and 303 and keeps it on 307 and 308", async () => {
    for (const [status, method] of [
      [301, "GET"],
      [302, "GET"],
      [303, "GET"],
      [307, "POST"],
      [308, "POST"],
    ] as const) {
      await follow(status, "/final", "POST");
      expect({ status, method: home.seen[1]?.method }).toEqual({ status, method });
      await agent.destroy();
    }
    // A 303 turns any method but HEAD into a GET.
    await follow(303, "/final", "PUT");
    expect(home.seen[1]?.method).toBe("GET");
    await agent.destroy();
    await follow(303, "/final", "HEAD");
    expect(home.seen[1]?.method).toBe("HEAD");
  });
});

describe("client", () => {
  it("cuts every request in flight on one abort", async () => {
    const client = openClient({ ...defaults, maxInFlight: 8 });
    const controller = new AbortController();
    const now = performance.now();
    const pending = Array.from({ length: 8 }, (_, index) =>
      client.request(
        { index, line: index + 1, url: `${server.url}/delay/3000` },
        { runStart: now, enqueuedAt: now },
        controller.signal,
      ),
    );
    setTimeout(() => controller.abort(), 100);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.error?.kind)).toEqual(Array(8).fill("aborted"));
    expect(Math.max(...results.map((r) => r.latencyMs))).toBeLessThan(2000);
    const { connectionsOpened } = await client.close();
    expect(connectionsOpened).toBeLessThanOrEqual(8);
  });

  it("listens once per signal while open and leaves nothing on it once closed", async () => {
    const client = openClient(defaults);
    const signal = new AbortController().signal;
    const now = performance.now();
    for (const index of [0, 1, 2]) {
      const target = { index, line: index + 1, url: `${server.url}/bytes/1` };
      expect((await client.request(target, { runStart: now, enqueuedAt: now }, signal)).ok).toBe(
        true,
      );
    }
    expect(getEventListeners(signal, "abort")).toHaveLength(1);
    await client.close();
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("request body", () => {
  let recorder: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    recorder = await startServer({ port: 0, record: true });
  });
  afterAll(async () => {
    await recorder.close();
  });

  const body = Buffer.from("name=fetchbench&n=12345");
  const withBody: RequestOptions = {
    ...defaults,
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "x-kept": "1",
      // Names that only contain a body header's name describe no body: they go on.
      "X-Original-Content-Type": "text/csv",
      "Content-Type-Hint": "csv",
    },
    body,
  };

  /** What the recorder received for one request; the hops of a redirect in turn. */
  async function send(path: string, options: RequestOptions = withBody) {
    recorder.received.length = 0;
    agent = createAgent(options);
    const now = performance.now();
    const result = await createRequester(agent, options)(
      { index: 0, line: 1, url: `${recorder.url}${path}` },
      { runStart: now, enqueuedAt: now },
    );
    return { result, hops: [...recorder.received] };
  }

  it("sends the body with its length on every request", async () => {
    for (let round = 0; round < 2; round++) {
      const { result, hops } = await send("/echo");
      expect(result.ok).toBe(true);
      expect(hops).toHaveLength(1);
      expect(hops[0]).toMatchObject({ method: "POST", bodyLength: body.length });
      expect(hops[0]?.headers["content-length"]).toBe(String(body.length));
      expect(hops[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
  });

  it("sends it again on a 307 and a 308, with the method", async () => {
    for (const status of [307, 308]) {
      const { result, hops } = await send(`/status/${status}?location=/echo`);
      expect(result).toMatchObject({ ok: true, redirects: 1, finalUrl: `${recorder.url}/echo` });
      expect(hops.map((hop) => [hop.method, hop.bodyLength])).toEqual([
        ["POST", body.length],
        ["POST", body.length],
      ]);
      expect(hops[1]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
  });

  it("drops it, with its Content-Type, where a redirect turns the request into a GET", async () => {
    for (const status of [301, 302, 303]) {
      const { result, hops } = await send(`/status/${status}?location=/echo`);
      expect(result.ok).toBe(true);
      expect(hops.map((hop) => [hop.method, hop.bodyLength])).toEqual([
        ["POST", body.length],
        ["GET", 0],
      ]);
      expect(hops[1]?.headers).not.toHaveProperty("content-length");
      expect(hops[1]?.headers).not.toHaveProperty("content-type");
      // Headers that do not describe the body go on.
      expect(hops[1]?.headers["x-kept"]).toBe("1");
      expect(hops[1]?.headers["x-original-content-type"]).toBe("text/csv");
      expect(hops[1]?.headers["content-type-hint"]).toBe("csv");
    }
  });

  it("keeps it on a 301 or 302 of a method that stays, as curl does", async () => {
    const { hops } = await send("/status/302?location=/echo", { ...withBody, method: "PUT" });
    expect(hops.map((hop) => [hop.method, hop.bodyLength])).toEqual([
      ["PUT", body.length],
      ["PUT", body.length],
    ]);
  });
});
