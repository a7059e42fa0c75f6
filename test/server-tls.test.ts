import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { TLSSocket } from "node:tls";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerHandle, startServer } from "../src/server.js";
import { runCli } from "./helpers.js";

/** ALPN protocols of the connections undici opened while `work` ran, from its own channel. */
async function protocolsDuring(work: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onConnected = (message: unknown) => {
    const { socket } = message as { socket: TLSSocket };
    seen.push(socket.alpnProtocol || "none");
  };
  subscribe("undici:client:connected", onConnected);
  try {
    await work();
  } finally {
    unsubscribe("undici:client:connected", onConnected);
  }
  return seen;
}

async function get(url: string, agent: Agent): Promise<{ status: number; text: string }> {
  const response = await request(url, { dispatcher: agent, headersTimeout: 10_000 });
  return { status: response.statusCode, text: await response.body.text() };
}

describe("serve --https", () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ https: true });
  });
  afterAll(() => server.close());

  it("listens on an https URL with a certificate for localhost and 127.0.0.1", () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(server.certificate?.hosts).toEqual(expect.arrayContaining(["localhost", "127.0.0.1"]));
  });

  it("answers a client that accepts any certificate", async () => {
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      expect(await get(`${server.url}/delay/0`, agent)).toEqual({ status: 200, text: "ok\n" });
    } finally {
      await agent.close();
    }
  });

  it("answers a client that trusts its certificate as a CA, by address and by name", async () => {
    const agent = new Agent({ connect: { ca: server.certificate?.cert } });
    try {
      expect((await get(`${server.url}/status/201`, agent)).status).toBe(201);
      expect((await get(`https://localhost:${server.port}/`, agent)).status).toBe(200);
    } finally {
      await agent.close();
    }
  });

  it("is refused by a client that checks certificates as usual", async () => {
    const agent = new Agent();
    try {
      await expect(get(`${server.url}/`, agent)).rejects.toMatchObject({
        code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      });
    } finally {
      await agent.close();
    }
  });

  it("speaks HTTP/1.1 only, even to a client that offers HTTP/2", async () => {
    const agent = new Agent({ allowH2: true, connect: { rejectUnauthorized: false } });
    try {
      const protocols = await protocolsDuring(async () => {
        expect((await get(`${server.url}/`, agent)).status).toBe(200);
      });
      expect(protocols).toHaveLength(1);
      expect(protocols[0]).not.toBe("h2");
    } finally {
      await agent.close();
    }
  });
});

describe("serve --http2", () => {
  let server: ServerHandle;
  let agent: Agent;
  beforeAll(async () => {
    server = await startServer({ http2: true });
    agent = new Agent({ allowH2: true, connect: { ca: server.certificate?.cert } });
  });
  afterAll(async () => {
    await agent.close();
    await server.close();
  });

  it("listens on an https URL", () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(server.certificate).not.toBeNull();
  });

  it("speaks HTTP/2 to a client that offers it, many streams on one connection", async () => {
    // One connection at most, so that answering all at once proves the streams interleave;
    // undici sends one stream at a time on a connection unless `pipelining` allows more.
    const h2 = new Agent({
      allowH2: true,
      connections: 1,
      pipelining: 10,
      connect: { ca: server.certificate?.cert },
    });
    try {
      let ms = 0;
      const protocols = await protocolsDuring(async () => {
        const started = performance.now();
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => get(`${server.url}/delay/500`, h2)),
        );
        ms = performance.now() - started;
        expect(answers.every((answer) => answer.status === 200)).toBe(true);
      });
      expect(protocols).toEqual(["h2"]);
      // One after another would take 5 s.
      expect(ms).toBeLessThan(3_000);
    } finally {
      await h2.close();
    }
  });

  it("falls back to HTTP/1.1 for a client that does not offer HTTP/2", async () => {
    const h1 = new Agent({ connect: { ca: server.certificate?.cert } });
    try {
      const protocols = await protocolsDuring(async () => {
        expect(await get(`${server.url}/bytes/5`, h1)).toMatchObject({ status: 200 });
      });
      expect(protocols).toEqual(["http/1.1"]);
    } finally {
      await h1.close();
    }
  });

  it("streams a body of the asked size", async () => {
    const response = await request(`${server.url}/bytes/300000`, { dispatcher: agent });
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(300_000);
  });

  it("resets the stream on /reset", async () => {
    await expect(get(`${server.url}/reset`, agent)).rejects.toThrow();
    // One stream's reset leaves the shared connection usable.
    expect((await get(`${server.url}/`, agent)).status).toBe(200);
  });

  it("cuts a truncated body off short of its length", async () => {
    const response = await request(`${server.url}/truncate/200000`, { dispatcher: agent });
    let bytes = 0;
    const read = (async () => {
      for await (const chunk of response.body) bytes += (chunk as Buffer).length;
    })();
    await expect(read).rejects.toThrow();
    expect(bytes).toBeLessThan(200_000);
  });

  it("closes promptly while a request hangs", async () => {
    const own = await startServer({ http2: true });
    const client = new Agent({ allowH2: true, connect: { rejectUnauthorized: false } });
    const hanging = get(`${own.url}/hang`, client).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await hanging).toBeInstanceOf(Error);
    await client.destroy();
  });
});

describe("fetchbench serve --https", () => {
  it("prints an https banner and the certificate's fingerprint", async () => {
    // Ctrl-C once the server says it is ready, however long a busy machine took to start it.
    const result = await runCli(["serve", "--https", "--port", "0"], {
      interruptWhen: ({ stdout }) => stdout.includes("Press Ctrl-C to stop."),
    });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^fetchbench server listening on https:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.code).toBe(0);
  });
});
