import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Agent, type Dispatcher, request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ENDPOINTS, type LocalServerHandle, startServer } from "../src/server.js";
import { spawnServer } from "../src/server-process.js";

let server: LocalServerHandle;
let agent: Agent;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  agent = new Agent({ keepAliveTimeout: 1_000 });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await agent.destroy();
  await server.close();
});

interface Fetched {
  status: number;
  headers: Dispatcher.ResponseData["headers"];
  /** Body bytes received. */
  bytes: number;
  /** The body as text, kept only when small. */
  text: string;
  /** Dispatch to the last body byte. */
  ms: number;
}

/** One request to the shared server; the body is counted, not buffered when large. */
async function fetchPath(
  path: string,
  options: { method?: Dispatcher.HttpMethod; base?: string; headersTimeout?: number } = {},
): Promise<Fetched> {
  const start = performance.now();
  const response = await request(`${options.base ?? server.url}${path}`, {
    dispatcher: agent,
    method: options.method ?? "GET",
    headersTimeout: options.headersTimeout ?? 10_000,
  });
  let bytes = 0;
  const small: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= 64 * 1024) small.push(chunk);
  }
  return {
    status: response.statusCode,
    headers: response.headers,
    bytes,
    text: Buffer.concat(small).toString("utf8"),
    ms: performance.now() - start,
  };
}

/** Opens `count` TCP connections that send nothing and stay open until destroyed. */
async function openIdleSockets(url: string, count: number): Promise<Socket[]> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  // Batches keep the burst of SYNs well inside the listen backlog.
  for (let opened = 0; opened < count; opened += 250) {
    const batch = Array.from(
      { length: Math.min(250, count - opened) },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: hostname, port: Number(port) });
          socket.once("connect", () => resolve(socket));
          socket.once("error", reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

describe("startServer", () => {
  it("reports a url without a trailing slash and the port it bound", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
  });
});

describe("/", () => {
  it("lists every endpoint as plain text", async () => {
    const response = await fetchPath("/");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain/);
    for (const endpoint of ENDPOINTS) {
      expect(response.text).toContain(endpoint.path);
      expect(response.text).toContain(endpoint.description);
    }
  });

  it("marks responses as not cacheable", async () => {
    const response = await fetchPath("/");
    expect(response.headers["cache-control"]).toBe("no-store");
  });
});

describe("/delay", () => {
  it("answers 200 after the delay", async () => {
    const response = await fetchPath("/delay/200");
    expect(response.status).toBe(200);
    expect(response.text).toBe("ok\n");
    expect(response.ms).toBeGreaterThanOrEqual(190);
    expect(response.ms).toBeLessThan(2_000);
  });

  it("answers at once for a delay of 0", async () => {
    const response = await fetchPath("/delay/0");
    expect(response.status).toBe(200);
    expect(response.ms).toBeLessThan(1_000);
  });

  it("clears the timer of a client that disconnects mid-delay", async () => {
    // Spies pass calls through unchanged: they only let the test see the server's timer.
    const set = vi.spyOn(globalThis, "setTimeout");
    const clear = vi.spyOn(globalThis, "clearTimeout");
    const socket = connect({ host: server.host, port: server.port });
    socket.on("error", () => {});
    socket.write("GET /delay/600000 HTTP/1.1\r\nhost: test\r\n\r\n");
    await vi.waitFor(() => expect(set.mock.calls.some((call) => call[1] === 600_000)).toBe(true));
    const index = set.mock.calls.findIndex((call) => call[1] === 600_000);
    const timer = set.mock.results[index]?.value;
    socket.destroy();
    await vi.waitFor(() => expect(clear).toHaveBeenCalledWith(timer));
  });
});

describe("/bytes", () => {
  it("answers an empty body for 0", async () => {
    const response = await fetchPath("/bytes/0");
    expect(response.status).toBe(200);
    expect(response.headers["content-length"]).toBe("0");
    expect(response.bytes).toBe(0);
  });

  it("answers exactly the bytes asked for", async () => {
    const response = await fetchPath("/bytes/1000");
    expect(response.headers["content-length"]).toBe("1000");
    expect(response.headers["content-type"]).toBe("application/octet-stream");
    expect(response.bytes).toBe(1000);
  });

  it("streams a multi-megabyte body whole", async () => {
    const size = 5 * 1024 * 1024 + 7;
    const response = await fetchPath(`/bytes/${size}`);
    expect(response.headers["content-length"]).toBe(String(size));
    expect(response.bytes).toBe(size);
  });

  it("sends only headers for HEAD", async () => {
    const response = await fetchPath("/bytes/1000", { method: "HEAD" });
    expect(response.headers["content-length"]).toBe("1000");
    expect(response.bytes).toBe(0);
  });
});

describe("/status", () => {
  it.each([200, 201, 404, 500, 503, 599])("answers status %i", async (code) => {
    const response = await fetchPath(`/status/${code}`);
    expect(response.status).toBe(code);
    expect(response.text).toMatch(new RegExp(`^(ok|${code}.*)\\n$`));
  });

  it.each([307, 308])("answers %i with a location, /delay/0 unless one is given", async (code) => {
    expect((await fetchPath(`/status/${code}`)).headers.location).toBe("/delay/0");
    const pointed = await fetchPath(
      `/status/${code}?location=${encodeURIComponent("/bytes/3?a=b")}`,
    );
    expect(pointed.status).toBe(code);
    expect(pointed.headers.location).toBe("/bytes/3?a=b");
  });

  it.each([301, 302, 303])("answers %i without a location unless one is given", async (code) => {
    expect((await fetchPath(`/status/${code}`)).headers.location).toBeUndefined();
    const pointed = await fetchPath(`/status/${code}?location=http://127.0.0.1:1/x`);
    expect(pointed.status).toBe(code);
    expect(pointed.headers.location).toBe("http://127.0.0.1:1/x");
  });

  it("gives a location to a redirect status asked for by query, after the delay", async () => {
    const response = await fetchPath("/delay/30?status=308&location=/echo");
    expect(response.status).toBe(308);
    expect(response.headers.location).toBe("/echo");
    expect(response.ms).toBeGreaterThanOrEqual(25);
  });

  it("answers 204 without a body", async () => {
    const response = await fetchPath("/status/204");
    expect(response.status).toBe(204);
    expect(response.bytes).toBe(0);
  });
});

describe("/echo", () => {
  it("answers JSON with the method, headers and body length it received", async () => {
    const response = await request(`${server.url}/echo`, {
      dispatcher: agent,
      method: "PUT",
      headers: { "x-probe": "one", cookie: "a=1" },
      body: "x".repeat(1234),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    const echoed = (await response.body.json()) as {
      method: string;
      headers: Record<string, string>;
      bodyLength: number;
    };
    expect(echoed.method).toBe("PUT");
    expect(echoed.headers["x-probe"]).toBe("one");
    expect(echoed.headers.cookie).toBe("a=1");
    expect(echoed.bodyLength).toBe(1234);
  });

  it("waits for a body that arrives slowly before answering its length", async () => {
    async function* slowBody() {
      yield Buffer.alloc(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      yield Buffer.alloc(500);
    }
    const response = await request(`${server.url}/echo?status=201`, {
      dispatcher: agent,
      method: "POST",
      body: Readable.from(slowBody()),
    });
    expect(response.statusCode).toBe(201);
    expect(((await response.body.json()) as { bodyLength: number }).bodyLength).toBe(1500);
  });
});

describe("recording", () => {
  it("records nothing unless asked", async () => {
    await fetchPath("/bytes/1");
    expect(server.received).toEqual([]);
  });

  it("records each request's method, target, headers and body length, hops in order", async () => {
    const recording = await startServer({ port: 0, record: true });
    try {
      await fetchPath("/redirect/1?k=v", { base: recording.url });
      const posted = await request(`${recording.url}/status/201`, {
        dispatcher: agent,
        method: "POST",
        headers: { "x-probe": "two" },
        body: "y".repeat(77),
      });
      await posted.body.dump();
      expect(recording.received.map(({ method, target }) => `${method} ${target}`)).toEqual([
        "GET /redirect/1?k=v",
        "POST /status/201",
      ]);
      const [, post] = recording.received;
      expect(post?.headers["x-probe"]).toBe("two");
      expect(post?.headers.host).toBe(`127.0.0.1:${recording.port}`);
      expect(post?.bodyLength).toBe(77);
    } finally {
      await recording.close();
    }
  });
});

describe("/redirect", () => {
  it("points to the next hop with a relative location", async () => {
    const response = await fetchPath("/redirect/3");
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe("/redirect/2");
  });

  it("ends the chain with 200 after n hops", async () => {
    let url = new URL("/redirect/3", server.url);
    let hops = 0;
    let response = await fetchPath(url.pathname);
    while (response.status === 302) {
      hops += 1;
      url = new URL(String(response.headers.location), url);
      response = await fetchPath(url.pathname + url.search);
    }
    expect(hops).toBe(3);
    expect(response.status).toBe(200);
    expect(response.text).toBe("ok\n");
  });

  it("passes the query on to the next hop", async () => {
    const response = await fetchPath("/redirect/2?delay=5&status=201");
    expect(response.headers.location).toBe("/redirect/1?delay=5&status=201");
  });
});

describe("query modifiers", () => {
  it("delays a body of the asked size", async () => {
    const response = await fetchPath("/delay/200?bytes=1000");
    expect(response.status).toBe(200);
    expect(response.bytes).toBe(1000);
    expect(response.ms).toBeGreaterThanOrEqual(190);
    expect(response.ms).toBeLessThan(2_000);
  });

  it("delays a status", async () => {
    const response = await fetchPath("/status/503?delay=50");
    expect(response.status).toBe(503);
    expect(response.ms).toBeGreaterThanOrEqual(45);
    expect(response.ms).toBeLessThan(2_000);
  });

  it("sets the status of a body", async () => {
    const response = await fetchPath("/bytes/10?status=201");
    expect(response.status).toBe(201);
    expect(response.bytes).toBe(10);
  });

  it("gives the end of a redirect chain its status", async () => {
    const response = await fetchPath("/redirect/0?status=418");
    expect(response.status).toBe(418);
  });

  it("delays a reset", async () => {
    const start = performance.now();
    await expect(fetchPath("/reset?delay=100")).rejects.toThrow();
    expect(performance.now() - start).toBeGreaterThanOrEqual(95);
  });

  it("ignores parameters it does not know", async () => {
    const response = await fetchPath("/delay/0?run=3");
    expect(response.status).toBe(200);
  });
});

describe("capacity", () => {
  it("works on at most that many delayed requests at once and queues the rest", async () => {
    // Each request may open its own connection, so only the server's pool can queue them.
    const times = await Promise.all(
      Array.from({ length: 8 }, () => fetchPath("/delay/200?capacity=2")),
    );
    const ms = times.map((t) => t.ms).sort((a, b) => a - b);
    expect(times.every((t) => t.status === 200)).toBe(true);
    // Four waves of two: the first pair after one delay, the last after about four.
    expect(ms[0]).toBeGreaterThanOrEqual(190);
    expect(ms[7]).toBeGreaterThanOrEqual(4 * 190);
    expect(ms[7]).toBeLessThan(5_000);
  });

  it("keeps one pool per capacity value", async () => {
    const busy = fetchPath("/delay/500?capacity=1");
    const other = await fetchPath("/delay/50?capacity=3");
    expect(other.ms).toBeLessThan(450);
    await busy;
  });

  it("frees the place of a client that leaves while queued", async () => {
    const first = fetchPath("/delay/400?capacity=1&pool=leave");
    const leaving = new AbortController();
    const gone = request(`${server.url}/delay/400?capacity=1`, {
      dispatcher: agent,
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    expect(await gone).toBeInstanceOf(Error);
    const third = await fetchPath("/delay/100?capacity=1");
    // Behind the first only (≈ 400 + 100 ms), not also behind the one that left (≈ 900 ms).
    expect(third.ms).toBeLessThan(800);
    await first;
  });

  it.each(["0", "x", "100001"])("rejects capacity=%s", async (value) => {
    const response = await fetchPath(`/delay/0?capacity=${value}`);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/^bad `capacity`/);
  });
});

describe("faults", () => {
  it("resets the connection on /reset", async () => {
    await expect(fetchPath("/reset")).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("cuts a truncated body off after half its bytes", async () => {
    const response = await request(`${server.url}/truncate/1000`, { dispatcher: agent });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-length"]).toBe("1000");
    let bytes = 0;
    const read = async () => {
      for await (const chunk of response.body as AsyncIterable<Buffer>) bytes += chunk.length;
    };
    await expect(read()).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(bytes).toBe(500);
  });

  it("never answers /hang, so the client's timeout ends it", async () => {
    const start = performance.now();
    await expect(fetchPath("/hang", { headersTimeout: 300 })).rejects.toMatchObject({
      code: "UND_ERR_HEADERS_TIMEOUT",
    });
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});

describe("bad input", () => {
  it.each([
    "/delay/abc",
    "/delay/1.5",
    "/delay/-1",
    "/delay/1e3",
    "/delay/600001",
    "/bytes/1073741825",
    "/status/100",
    "/status/199",
    "/status/600",
    "/status/abc",
    "/redirect/1001",
    "/truncate/1073741825",
    "/delay/0?delay=x",
    "/bytes/0?status=99",
    "/delay/0?delay=1&delay=2",
    "/delay/1?delay=2",
    "/status/204?bytes=1",
    "/status/200?location=/x",
    "/status/307?location=",
    "/status/307?location=/a&location=/b",
    `/status/307?location=${encodeURIComponent("/a\nb")}`,
    `/status/307?location=${encodeURIComponent("/€")}`,
    "/echo?bytes=1",
  ])("answers 400 with one line for %s", async (path) => {
    const response = await fetchPath(path);
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/^[^\n]+\n$/);
  });

  it.each(["/nope", "/delay", "/delay/1/2", "/reset/1", "/hang/x", "//"])(
    "answers 404 with one line for %s",
    async (path) => {
      const response = await fetchPath(path);
      expect(response.status).toBe(404);
      expect(response.text).toMatch(/^no such endpoint [^\n]+\n$/);
    },
  );

  it("names the parameter and the expected range", async () => {
    const response = await fetchPath("/delay/600001");
    expect(response.text).toBe(
      'bad `delay` "600001": expected a whole number of milliseconds from 0 to 600000\n',
    );
  });
});

describe("close", () => {
  it("returns promptly while a request hangs", async () => {
    const own = await startServer();
    const hanging = request(`${own.url}/hang`).catch((error: unknown) => error);
    // A request sent after it has been answered, so the hang has reached the server too.
    const probe = await request(`${own.url}/delay/0`);
    await probe.body.dump();
    const start = performance.now();
    await own.close();
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it("returns promptly while a delay is pending", async () => {
    const own = await startServer();
    const set = vi.spyOn(globalThis, "setTimeout");
    const socket = connect({ host: own.host, port: own.port });
    // Being cut off is the expected outcome, not a failure.
    socket.on("error", () => {});
    const ended = new Promise((resolve) => socket.once("close", resolve));
    socket.write("GET /delay/600000 HTTP/1.1\r\nhost: test\r\n\r\n");
    await vi.waitFor(() => expect(set.mock.calls.some((call) => call[1] === 600_000)).toBe(true));
    const start = performance.now();
    await own.close();
    await ended;
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it("can be called twice", async () => {
    const own = await startServer();
    await Promise.all([own.close(), own.close()]);
    await expect(own.close()).resolves.toBeUndefined();
  });
});

describe("many connections", () => {
  // The server runs in its own process, as when it is benchmarked, and 800 sockets stay under
  // the common 1,024 open-file limit on each side; the bench holds 10,000.
  it("answers a new request quickly with 800 connections open", async () => {
    const remote = await spawnServer();
    const sockets = await openIdleSockets(remote.url, 800);
    try {
      const fresh = new Agent();
      const start = performance.now();
      const response = await request(`${remote.url}/delay/0`, { dispatcher: fresh });
      await response.body.dump();
      const ms = performance.now() - start;
      await fresh.close();
      expect(response.statusCode).toBe(200);
      expect(ms).toBeLessThan(2_000);
      expect(sockets.filter((socket) => socket.destroyed)).toHaveLength(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await remote.close();
    }
  });
});

const BIN = fileURLToPath(new URL("../bin/fetchbench.js", import.meta.url));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("spawnServer", () => {
  it.skipIf(!existsSync(BIN) || !existsSync(CLI))(
    "runs the server in a child process until closed",
    async () => {
      const child = await spawnServer();
      try {
        expect(child.url).toBe(`http://127.0.0.1:${child.port}`);
        const response = await fetchPath("/delay/0", { base: child.url });
        expect(response.status).toBe(200);
      } finally {
        const start = performance.now();
        await child.close();
        expect(performance.now() - start).toBeLessThan(3_000);
      }
      await expect(fetchPath("/delay/0", { base: child.url })).rejects.toMatchObject({
        code: "ECONNREFUSED",
      });
    },
  );
});
