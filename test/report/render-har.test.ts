import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { Report, RequestResult } from "../../src/report/model.js";
import { findFormat, render } from "../../src/report/render.js";
import { renderHar } from "../../src/report/render-har.js";
import { hostile, multiRun, singleRun } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };

/** har-validator checks a document against the HAR 1.2 JSON schema (`har-schema`). */
const validator = createRequire(import.meta.url)("har-validator") as {
  har(data: unknown): Promise<unknown>;
};

interface Har {
  log: {
    version: string;
    creator: { name: string; version: string };
    pages: {
      id: string;
      title: string;
      startedDateTime: string;
      pageTimings: { onLoad: number };
    }[];
    entries: {
      pageref: string;
      startedDateTime: string;
      time: number;
      request: { method: string; url: string };
      response: { status: number; bodySize: number; _error?: string };
      timings: Record<"blocked" | "dns" | "connect" | "ssl" | "send" | "wait" | "receive", number>;
      connection?: string;
      _fetchbench: Record<string, unknown>;
    }[];
  };
}

function har(report: Report): Har {
  return JSON.parse(render(report, "har", PLAIN)) as Har;
}

/** Explains a validation failure with the schema's own errors instead of a bare rejection. */
async function validate(document: unknown): Promise<void> {
  try {
    await validator.har(document);
  } catch (error) {
    throw new Error(`not valid HAR: ${JSON.stringify((error as { errors?: unknown }).errors)}`);
  }
}

describe("renderHar", () => {
  it("is in the format registry", () => {
    expect(findFormat("har")).toBe("har");
  });

  it("is valid HAR 1.2 for every fixture", async () => {
    for (const report of [singleRun, multiRun, hostile]) await validate(har(report));
    // The validator does reject what is not HAR.
    await expect(validator.har({ log: { version: "1.2", entries: [{}] } })).rejects.toThrow();
  });

  it("has one page per mode and run, and one entry per request", () => {
    const doc = har(multiRun);
    expect(doc.log.version).toBe("1.2");
    expect(doc.log.creator).toEqual({ name: "fetchbench", version: "0.1.0" });
    expect(doc.log.pages.map((p) => p.id)).toEqual(
      multiRun.runs.map((r) => `${r.mode}-${r.warmup ? "warmup-" : ""}${r.iteration}`),
    );
    const requests = multiRun.runs.reduce((n, r) => n + r.requests.length, 0);
    expect(doc.log.entries).toHaveLength(requests);
    for (const page of doc.log.pages) {
      const run = multiRun.runs[doc.log.pages.indexOf(page)];
      expect(doc.log.entries.filter((e) => e.pageref === page.id)).toHaveLength(
        run?.requests.length ?? -1,
      );
      expect(page.pageTimings.onLoad).toBe(run?.wallMs);
    }
  });

  it("lays runs end to end from the report's start, and entries at their dispatch", () => {
    const doc = har(singleRun);
    const start = Date.parse(singleRun.startedAt);
    const [first, second] = doc.log.pages;
    expect(Date.parse(first?.startedDateTime ?? "")).toBe(start);
    expect(Date.parse(second?.startedDateTime ?? "")).toBe(
      start + Math.floor(singleRun.runs[0]?.wallMs ?? 0),
    );
    const request = singleRun.runs[0]?.requests[1] as RequestResult;
    const entry = doc.log.entries[1];
    expect(Date.parse(entry?.startedDateTime ?? "")).toBe(Math.floor(start + request.startMs));
  });

  it("puts the phases in HAR's timings, -1 where they do not apply, time their sum", () => {
    const doc = har(singleRun);
    const [fresh, reused] = doc.log.entries;
    // The fixture's first request opened a connection in 0.6 ms; its headers came 100.8 ms after dispatch.
    expect(fresh?.timings).toEqual({
      blocked: 0,
      dns: -1,
      connect: 0.6,
      ssl: -1,
      send: 0,
      wait: 100.2,
      receive: 0.4,
    });
    expect(reused?.timings.connect).toBe(-1);
    for (const e of doc.log.entries) {
      const t = e.timings;
      const sum = [t.blocked, t.dns, t.connect, t.send, t.wait, t.receive]
        .filter((v) => v !== -1)
        .reduce((a, b) => a + b, 0);
      expect(e.time).toBeCloseTo(sum, 2);
    }
  });

  it("splits dns, tcp and tls when the request carries them, and names its connection", async () => {
    const report = structuredClone(singleRun);
    const request = report.runs[0]?.requests[0] as RequestResult & Record<string, unknown>;
    Object.assign(request, { dnsMs: 0.1, tcpMs: 0.2, tlsMs: 0.3, connectionId: 4 });
    const doc = har(report);
    await validate(doc);
    const entry = doc.log.entries[0];
    expect(entry?.timings).toMatchObject({ dns: 0.1, connect: 0.5, ssl: 0.3 });
    expect(entry?.connection).toBe("4");
    expect(entry?._fetchbench).toMatchObject({ dnsMs: 0.1, tcpMs: 0.2, tlsMs: 0.3 });
  });

  it("keeps a failure's status, error and the fields HAR has none for", () => {
    const doc = har(singleRun);
    const timeout = doc.log.entries.find((e) => e.request.url.endsWith("/delay/5000"));
    expect(timeout?.response.status).toBe(0);
    expect(timeout?.response._error).toBe(
      "no response headers within 2 s (UND_ERR_HEADERS_TIMEOUT)",
    );
    expect(timeout?._fetchbench).toMatchObject({
      mode: "sequential",
      ok: false,
      error: { kind: "timeout", code: "UND_ERR_HEADERS_TIMEOUT" },
    });
    const redirect = doc.log.entries.find((e) => e.request.url.endsWith("/redirect/2"));
    expect(redirect?._fetchbench).toMatchObject({
      redirects: 2,
      finalUrl: expect.stringMatching(/\/delay\/0$/),
    });
  });

  it("keeps text as sent, with terminal hazards escaped, and is written in pieces", () => {
    const text = render(hostile, "har", PLAIN);
    const raw = Array.from(text).filter((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      return (cp < 0x20 && cp !== 0x0a) || (cp >= 0x7f && cp <= 0x9f);
    });
    expect(raw).toEqual([]);
    expect(har(hostile).log.entries[0]?.request.url).toBe(hostile.runs[0]?.requests[0]?.url);
    const pieces = Array.from(renderHar(multiRun, PLAIN));
    expect(pieces.length).toBeGreaterThan(multiRun.runs.length * 5);
  });
});
