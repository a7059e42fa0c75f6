/**
 * What goes over the wire, seen from the server: the built-in server records every request
 * it receives, and these tests assert on that record rather than on what the report echoes.
 * Two listeners on 127.0.0.1 with different ports are two origins.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CompareOptions, compare } from "../src/index.js";
import type { Mode, Report } from "../src/report/model.js";
import { type LocalServerHandle, type ReceivedRequest, startServer } from "../src/server.js";
import { runMain } from "./helpers.js";

let home: LocalServerHandle;
let away: LocalServerHandle;

beforeAll(async () => {
  home = await startServer({ port: 0, record: true });
  away = await startServer({ port: 0, record: true });
});
beforeEach(() => {
  home.received.length = 0;
  away.received.length = 0;
});
afterAll(async () => {
  await home?.close();
  await away?.close();
});

const MODES: Mode[] = ["sequential", "concurrent"];
const CREDENTIALS = { Authorization: "Bearer secret", Cookie: "session=1" };

async function fetchThrough(
  urls: string[],
  request: { method?: string; headers?: Record<string, string> } = {},
): Promise<Report> {
  const options: CompareOptions = {
    modes: MODES,
    concurrency: "all",
    runs: 1,
    warmup: 0,
    source: "wire",
    method: request.method ?? "GET",
    headers: request.headers ?? {},
    timeoutMs: 5000,
    maxRedirects: 10,
  };
  const report = await compare(
    urls.map((url, index) => ({ index, line: index + 1, url })),
    options,
  );
  for (const run of report.runs) {
    expect(run.requests.map((r) => r.error?.message ?? "ok")).toEqual(urls.map(() => "ok"));
  }
  return report;
}

/** `METHOD target` of each request, in arrival order. */
function hops(server: LocalServerHandle): string[] {
  return server.received.map(({ method, target }) => `${method} ${target}`);
}

function credentials(request: ReceivedRequest | undefined): unknown[] {
  return [request?.headers.authorization, request?.headers.cookie];
}

/** `/status/<code>` answering with a Location, relative or on another origin. */
function redirect(code: number, location: string): string {
  return `/status/${code}?location=${encodeURIComponent(location)}`;
}

describe("headers on the wire", () => {
  it("sends the user's headers, credentials included, on every hop of a same-origin chain", async () => {
    await fetchThrough([`${home.url}/redirect/2`], {
      headers: { "X-Probe": "p1", ...CREDENTIALS },
    });
    expect(hops(home)).toEqual(
      MODES.flatMap(() => ["GET /redirect/2", "GET /redirect/1", "GET /redirect/0"]),
    );
    for (const request of home.received) {
      expect(request.headers["x-probe"]).toBe("p1");
      expect(credentials(request)).toEqual(["Bearer secret", "session=1"]);
    }
  });

  it("drops Authorization and Cookie once a redirect leaves the origin, and keeps the rest", async () => {
    await fetchThrough([`${home.url}${redirect(302, `${away.url}/redirect/1`)}`], {
      headers: { "X-Probe": "p2", ...CREDENTIALS },
    });
    expect(home.received).toHaveLength(MODES.length);
    for (const request of home.received) {
      expect(credentials(request)).toEqual(["Bearer secret", "session=1"]);
    }
    expect(hops(away)).toEqual(MODES.flatMap(() => ["GET /redirect/1", "GET /redirect/0"]));
    for (const request of away.received) {
      expect(request.headers["x-probe"]).toBe("p2");
      expect(credentials(request)).toEqual([undefined, undefined]);
    }
  });

  it("drops only Authorization and Cookie themselves: names that contain them go on", async () => {
    await fetchThrough([`${home.url}${redirect(302, `${away.url}/bytes/1`)}`], {
      headers: { "X-Authorization-Id": "a1", "Cookie-Policy": "c1", ...CREDENTIALS },
    });
    expect(away.received).toHaveLength(MODES.length);
    for (const request of away.received) {
      expect(credentials(request)).toEqual([undefined, undefined]);
      expect(request.headers["x-authorization-id"]).toBe("a1");
      expect(request.headers["cookie-policy"]).toBe("c1");
    }
  });

  it("keeps credentials on a redirect to the same origin written as an absolute URL", async () => {
    await fetchThrough([`${home.url}${redirect(307, `${home.url}/bytes/1`)}`], {
      headers: CREDENTIALS,
    });
    expect(home.received).toHaveLength(2 * MODES.length);
    for (const request of home.received) {
      expect(credentials(request)).toEqual(["Bearer secret", "session=1"]);
    }
  });

  it("sends -H headers from the command line on every hop, in the blocking mode too", async () => {
    const urls = [`${home.url}/redirect/1`, `${home.url}${redirect(301, `${away.url}/bytes/2`)}`];
    const result = await runMain(
      [
        "--modes",
        "sequential,concurrent,blocking",
        "-H",
        "X-Probe: cli",
        "-H",
        "Authorization: Bearer cli",
        "--json",
        "--quiet",
        "-",
      ],
      { input: `${urls.join("\n")}\n` },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // 3 modes × (2 hops of the chain + 1 redirect) at home, 3 × 1 hop away.
    expect(home.received).toHaveLength(9);
    expect(away.received).toHaveLength(3);
    for (const request of [...home.received, ...away.received]) {
      expect(request.headers["x-probe"]).toBe("cli");
    }
    expect(home.received.map((r) => r.headers.authorization)).toEqual(Array(9).fill("Bearer cli"));
    expect(away.received.map((r) => r.headers.authorization)).toEqual(Array(3).fill(undefined));
    // The report names the secret header but does not hold its value; the rest are kept.
    expect(result.stdout).not.toContain("Bearer cli");
    expect(JSON.parse(result.stdout).options.headers).toEqual({
      "X-Probe": "cli",
      Authorization: "[redacted]",
    });
  });
});

describe("methods across redirects", () => {
  it.each([301, 302, 303])("turns a POST into a GET on %i", async (code) => {
    await fetchThrough([`${home.url}${redirect(code, "/echo")}`], { method: "POST" });
    expect(hops(home)).toEqual(
      MODES.flatMap(() => [`POST ${redirect(code, "/echo")}`, "GET /echo"]),
    );
  });

  it.each([307, 308])("keeps a POST a POST on %i", async (code) => {
    await fetchThrough([`${home.url}${redirect(code, "/echo")}`], { method: "POST" });
    expect(hops(home)).toEqual(
      MODES.flatMap(() => [`POST ${redirect(code, "/echo")}`, "POST /echo"]),
    );
  });

  it.each([
    [301, "PUT"],
    [302, "PUT"],
    [303, "GET"],
    [307, "PUT"],
    [308, "PUT"],
  ])("on %i a PUT goes on as %s (only 303 changes other methods)", async (code, next) => {
    await fetchThrough([`${home.url}${redirect(code, "/echo")}`], { method: "PUT" });
    expect(hops(home)).toEqual(
      MODES.flatMap(() => [`PUT ${redirect(code, "/echo")}`, `${next} /echo`]),
    );
  });

  it("keeps HEAD a HEAD on 303", async () => {
    await fetchThrough([`${home.url}${redirect(303, "/bytes/5")}`], { method: "HEAD" });
    expect(hops(home)).toEqual(
      MODES.flatMap(() => [`HEAD ${redirect(303, "/bytes/5")}`, "HEAD /bytes/5"]),
    );
  });
});
