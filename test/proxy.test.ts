import { Agent, ProxyAgent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../src/server.js";
import { startProxy, type TestProxy } from "./proxy.js";

// These tests check the test proxy itself, with undici's own ProxyAgent as the client.
let http: ServerHandle;
let https: ServerHandle;

beforeAll(async () => {
  [http, https] = await Promise.all([startServer(), startServer({ https: true })]);
});
afterAll(async () => {
  await Promise.all([http.close(), https.close()]);
});

async function status(url: string, dispatcher: Agent | ProxyAgent): Promise<number> {
  const response = await request(url, { dispatcher, headersTimeout: 10_000 });
  await response.body.dump();
  return response.statusCode;
}

describe("startProxy", () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(() => proxy.close());

  it("forwards a plain HTTP request and records its absolute URL", async () => {
    // As curl sends http:// URLs to a proxy: absolute-form GET, no tunnel.
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    try {
      expect(await status(`${http.url}/status/201`, agent)).toBe(201);
    } finally {
      await agent.close();
    }
    expect(proxy.passed).toContainEqual({
      method: "GET",
      target: `${http.url}/status/201`,
      authorization: undefined,
    });
  });

  it("tunnels HTTPS with CONNECT and records only host and port", async () => {
    const agent = new ProxyAgent({
      uri: proxy.url,
      requestTls: { ca: https.certificate?.cert },
    });
    const before = proxy.passed.length;
    try {
      expect(await status(`${https.url}/delay/0`, agent)).toBe(200);
    } finally {
      await agent.close();
    }
    expect(proxy.passed.slice(before)).toEqual([
      { method: "CONNECT", target: `127.0.0.1:${https.port}`, authorization: undefined },
    ]);
  });

  it("records nothing of a request that went around it", async () => {
    const before = proxy.passed.length;
    const direct = new Agent();
    try {
      expect(await status(`${http.url}/`, direct)).toBe(200);
    } finally {
      await direct.close();
    }
    expect(proxy.passed).toHaveLength(before);
  });
});

describe("startProxy with credentials", () => {
  it("refuses a request without them and records one with them", async () => {
    const proxy = await startProxy({ credentials: "user:secret" });
    const anonymous = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const known = new ProxyAgent({
      uri: proxy.url,
      proxyTunnel: false,
      token: `Basic ${btoa("user:secret")}`,
    });
    try {
      // undici turns the proxy's 407 into an error of its own.
      await expect(status(`${http.url}/`, anonymous)).rejects.toThrow(/407/);
      expect(await status(`${http.url}/`, known)).toBe(200);
      expect(proxy.passed).toEqual([
        { method: "GET", target: `${http.url}/`, authorization: `Basic ${btoa("user:secret")}` },
      ]);
    } finally {
      await Promise.all([anonymous.close(), known.close()]);
      await proxy.close();
    }
  });
});
