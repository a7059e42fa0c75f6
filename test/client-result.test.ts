import { describe, expect, it } from "vitest";
import { classify, type Measured, requestResult } from "../src/client.js";
import { localFailure } from "../src/limits.js";

/** An error as Node or undici raises it: a message and a `code`. */
function failure(code: string, message = `failed with ${code}`, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? {} : { cause }), { code });
}

describe("classify: failures we cut ourselves", () => {
  it("names the deadline, and whether the headers had come", () => {
    expect(classify(null, "deadline", 200, false)).toEqual({
      kind: "timeout",
      code: null,
      message: "no response within 200 ms",
    });
    expect(classify(null, "deadline", 1500, true)).toEqual({
      kind: "timeout",
      code: null,
      message: "body not complete within 1.5 s",
    });
  });

  it("reports an interruption as aborted, never as a timeout", () => {
    expect(classify(failure("UND_ERR_ABORTED"), "interrupted", 200, true)).toEqual({
      kind: "aborted",
      code: "UND_ERR_ABORTED",
      message: "request aborted (interrupted)",
    });
  });
});

describe("classify: failures the network gave", () => {
  // What a user reads in the "failures by kind" line: each code grouped where it belongs, so
  // that a machine out of sockets is never blamed on the server.
  const KINDS: Record<string, string[]> = {
    timeout: ["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"],
    connect: ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN"],
    dns: ["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"],
    reset: [
      "ECONNRESET",
      "EPIPE",
      "UND_ERR_SOCKET",
      "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
      "ERR_HTTP2_STREAM_ERROR",
      "ERR_HTTP2_SESSION_ERROR",
      "ERR_HTTP2_STREAM_CANCEL",
      "ERR_HTTP2_GOAWAY_SESSION",
    ],
    aborted: ["UND_ERR_ABORTED", "ABORT_ERR"],
    local: ["EMFILE", "ENFILE", "EADDRNOTAVAIL", "ENOBUFS"],
    tls: ["ERR_TLS_HANDSHAKE_TIMEOUT", "ERR_SSL_WRONG_VERSION_NUMBER", "CERT_REVOKED"],
    other: ["ERR_SOMETHING_ELSE"],
  };
  for (const [kind, codes] of Object.entries(KINDS)) {
    it(`files ${codes.join(", ")} under ${kind}`, () => {
      for (const code of codes) {
        expect(classify(failure(code), null, 1000, false), code).toEqual({
          kind,
          code,
          // A machine out of something says what and what to do; the rest keep their message.
          message: kind === "local" ? localFailure(code) : `failed with ${code}`,
        });
      }
    });
  }

  it("files an error without a code under other, with its message", () => {
    expect(classify(new Error("socket hang up"), null, 1000, false)).toEqual({
      kind: "other",
      code: null,
      message: "socket hang up",
    });
    expect(classify("a string thrown", null, 1000, false)).toEqual({
      kind: "other",
      code: null,
      message: "a string thrown",
    });
    expect(classify(new Error(""), null, 1000, false).message).toBe("Error");
  });

  it("looks through undici's wrapping to the system error in its cause", () => {
    const wrapped = new TypeError("fetch failed", { cause: failure("ECONNREFUSED", "refused") });
    expect(classify(wrapped, null, 1000, false)).toEqual({
      kind: "connect",
      code: "ECONNREFUSED",
      message: "refused",
    });
    // A socket error that names its cause: the cause says more.
    const socket = failure("UND_ERR_SOCKET", "other side closed", failure("ECONNRESET", "reset"));
    expect(classify(socket, null, 1000, false)).toMatchObject({
      kind: "reset",
      code: "ECONNRESET",
    });
    // A coded error keeps its own code over an uncoded cause.
    const coded = failure("EPIPE", "broken pipe", new Error("detail"));
    expect(classify(coded, null, 1000, false)).toMatchObject({
      code: "EPIPE",
      message: "broken pipe",
    });
    // An uncoded cause of a socket error: the socket error stays.
    const bare = failure("UND_ERR_SOCKET", "closed", new Error("detail"));
    expect(classify(bare, null, 1000, false)).toMatchObject({
      kind: "reset",
      code: "UND_ERR_SOCKET",
      message: "closed",
    });
  });

  it("takes the first of happy eyeballs' attempts, and the outer code when the root has none", () => {
    const attempts = new AggregateError([failure("EHOSTUNREACH", "v6"), failure("ECONNREFUSED")]);
    expect(classify(attempts, null, 1000, false)).toMatchObject({
      kind: "connect",
      code: "EHOSTUNREACH",
      message: "v6",
    });
    const outer = Object.assign(new AggregateError([], "all attempts failed"), {
      code: "ETIMEDOUT",
    });
    expect(classify(outer, null, 1000, false)).toEqual({
      kind: "timeout",
      code: "ETIMEDOUT",
      message: "all attempts failed",
    });
    const uncodedAttempt = Object.assign(new AggregateError([new Error("v4 failed")]), {
      code: "ETIMEDOUT",
    });
    expect(classify(uncodedAttempt, null, 1000, false)).toEqual({
      kind: "timeout",
      code: "ETIMEDOUT",
      message: "v4 failed",
    });
  });

  it("looks through five levels of causes, no more", () => {
    let deep: Error = failure("ECONNREFUSED", "the bottom");
    for (let i = 0; i < 6; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(classify(deep, null, 1000, false)).toEqual({
      kind: "other",
      code: null,
      message: "level 0",
    });
  });

  it("reports a tunnel the proxy refused as a connect failure with its status", () => {
    const refused = failure("UND_ERR_ABORTED", "Proxy response (407) !== 200 when HTTP Tunneling");
    expect(classify(refused, null, 1000, false)).toEqual({
      kind: "connect",
      code: "UND_ERR_ABORTED",
      message: "the proxy refused the tunnel: HTTP 407 Proxy Authentication Required",
    });
    const unknown = failure("UND_ERR_ABORTED", "Proxy response (599) !== 200 when HTTP Tunneling");
    expect(classify(unknown, null, 1000, false).message).toBe(
      "the proxy refused the tunnel: HTTP 599",
    );
  });

  it("reads a TLS prefix and a proxy's refusal only at the start", () => {
    // A TLS family's prefix inside another code, at its end, or a bare prefix of one.
    for (const code of [
      "X_ERR_TLS_Y",
      "ERR_HTTP2_CERT_",
      "X_DEPTH_ZERO_",
      "X_UNABLE_TO_",
      "CERT",
    ]) {
      expect(classify(failure(code), null, 1000, false).kind, code).toBe("other");
    }
    expect(classify(failure("ERR_SSL_"), null, 1000, false).kind).toBe("tls");
    // A server's own text that mentions a proxy response is not the proxy refusing a tunnel.
    const quoted = failure("UND_ERR_ABORTED", "upstream: Proxy response (502) !== 200");
    expect(classify(quoted, null, 1000, false)).toEqual({
      kind: "aborted",
      code: "UND_ERR_ABORTED",
      message: "upstream: Proxy response (502) !== 200",
    });
  });

  it("follows a socket error to its cause only when both are coded errors", () => {
    // Another coded error keeps its own code over a coded cause.
    const pipe = failure("EPIPE", "broken pipe", failure("ECONNRESET", "reset"));
    expect(classify(pipe, null, 1000, false)).toMatchObject({
      code: "EPIPE",
      message: "broken pipe",
    });
    // A cause that is no Error, or a thrown value that is none, is not looked into.
    const odd = failure("UND_ERR_SOCKET", "closed", { code: "ECONNRESET" });
    expect(classify(odd, null, 1000, false)).toMatchObject({ code: "UND_ERR_SOCKET" });
    const plain = { code: "UND_ERR_SOCKET", cause: failure("ECONNRESET", "reset") };
    expect(classify(plain, null, 1000, false)).toEqual({
      kind: "reset",
      code: "UND_ERR_SOCKET",
      message: "[object Object]",
    });
  });

  it("says how long a connect timeout waited", () => {
    const timedOut = failure("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error (timeout: 250ms)");
    expect(classify(timedOut, null, 1000, false)).toEqual({
      kind: "timeout",
      code: "UND_ERR_CONNECT_TIMEOUT",
      message: "no connection within 250 ms (connect timeout)",
    });
    const untimed = failure("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error");
    expect(classify(untimed, null, 1000, false).message).toBe("no connection (connect timeout)");
  });

  it("names each certificate problem and whether --cacert helps", () => {
    const cases: [string, string][] = [
      ["DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"],
      ["SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in the chain"],
      ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "certificate from an unknown CA"],
      ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "certificate from an unknown CA"],
      ["UNABLE_TO_GET_ISSUER_CERT", "certificate from an unknown CA"],
    ];
    for (const [code, what] of cases) {
      expect(classify(failure(code), null, 1000, false), code).toEqual({
        kind: "tls",
        code,
        message: `${what}; accept it on purpose with -k (--insecure), or trust its CA with --cacert <file>`,
      });
    }
    const noCa: [string, string][] = [
      ["CERT_HAS_EXPIRED", "expired certificate"],
      ["CERT_NOT_YET_VALID", "certificate not valid yet"],
      ["ERR_TLS_CERT_ALTNAME_INVALID", "certificate for another host"],
    ];
    for (const [code, what] of noCa) {
      expect(classify(failure(code), null, 1000, false), code).toEqual({
        kind: "tls",
        code,
        message: `${what}; accept it on purpose with -k (--insecure)`,
      });
    }
  });

  it("names the host asked for and the names a certificate for another host has", () => {
    const wrongHost = Object.assign(
      failure(
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "Hostname/IP does not match certificate's altnames: Host: example.test. is not in the cert's altnames: DNS:localhost",
      ),
      { cert: { subjectaltname: "DNS:localhost, IP Address:127.0.0.1" } },
    );
    expect(classify(wrongHost, null, 1000, false).message).toBe(
      "certificate for another host (example.test is not among DNS:localhost, IP Address:127.0.0.1); accept it on purpose with -k (--insecure)",
    );
    // Without the certificate's names, the host alone is not worth a parenthesis.
    const noNames = failure(
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list",
    );
    expect(classify(noNames, null, 1000, false).message).toBe(
      "certificate for another host; accept it on purpose with -k (--insecure)",
    );
    // Names but no host in the message: nothing to compare them with.
    const noHost = Object.assign(failure("ERR_TLS_CERT_ALTNAME_INVALID", "altnames differ"), {
      cert: { subjectaltname: "DNS:localhost" },
    });
    expect(classify(noHost, null, 1000, false).message).toBe(
      "certificate for another host; accept it on purpose with -k (--insecure)",
    );
    // An IP asked for, with the names the certificate has.
    const ip = Object.assign(
      failure("ERR_TLS_CERT_ALTNAME_INVALID", "IP: 10.0.0.1 is not in the cert's list: 127.0.0.1"),
      { cert: { subjectaltname: "IP Address:127.0.0.1" } },
    );
    expect(classify(ip, null, 1000, false).message).toBe(
      "certificate for another host (10.0.0.1 is not among IP Address:127.0.0.1); accept it on purpose with -k (--insecure)",
    );
    // A certificate code on the outside of attempts that left no error to look into.
    const empty = Object.assign(new AggregateError([undefined], "no attempt"), {
      code: "CERT_HAS_EXPIRED",
    });
    expect(classify(empty, null, 1000, false)).toEqual({
      kind: "tls",
      code: "CERT_HAS_EXPIRED",
      message: "expired certificate; accept it on purpose with -k (--insecure)",
    });
  });

  it("makes a server's message one short, printable line", () => {
    const noisy = failure("ECONNRESET", `first line\n\tsecond   line  ${"x".repeat(400)}`);
    const { message } = classify(noisy, null, 1000, false);
    expect(message.startsWith("first line second line x")).toBe(true);
    expect(message).toHaveLength(300);
    expect(classify(failure("ECONNRESET", "  padded  "), null, 1000, false).message).toBe("padded");
  });
});

describe("requestResult", () => {
  const target = { index: 4, line: 9, url: "http://127.0.0.1:1/a" };
  /** Dispatched at 1010 into a run started at 1000, headers at 1030, done at 1050. */
  const measured: Measured = {
    finalUrl: "http://127.0.0.1:1/b",
    status: 200,
    bytes: 12,
    redirects: 1,
    start: 1010,
    headersAt: 1030,
    end: 1050,
    error: null,
    httpVersion: "2",
  };

  it("takes offsets from the run's start and phases from the readings", () => {
    const result = requestResult(target, { runStart: 1000, enqueuedAt: 1004 }, measured);
    expect(result).toEqual({
      index: 4,
      line: 9,
      url: "http://127.0.0.1:1/a",
      finalUrl: "http://127.0.0.1:1/b",
      ok: true,
      status: 200,
      bytes: 12,
      redirects: 1,
      reusedConnection: null,
      connectionId: null,
      httpVersion: "2",
      startMs: 10,
      scheduleLagMs: null,
      queuedMs: 6,
      dnsMs: null,
      tcpMs: null,
      tlsMs: null,
      connectMs: null,
      ttfbMs: 20,
      downloadMs: 20,
      latencyMs: 40,
      endMs: 50,
      error: null,
    });
  });

  it("counts 2xx and 3xx as ok, anything else or any error as failed", () => {
    const clock = { runStart: 1000, enqueuedAt: 1000 };
    const okFor = (status: number | null, error: Measured["error"] = null) =>
      requestResult(target, clock, { ...measured, status, error }).ok;
    expect([199, 200, 399, 400, 503].map((status) => okFor(status))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(okFor(null)).toBe(false);
    expect(okFor(200, { kind: "reset", code: "ECONNRESET", message: "reset" })).toBe(false);
  });

  it("has no ttfb, download or protocol without headers", () => {
    const result = requestResult(
      target,
      { runStart: 1000, enqueuedAt: 1000 },
      { ...measured, status: null, headersAt: null },
    );
    expect(result).toMatchObject({ ttfbMs: null, downloadMs: null, httpVersion: null });
    const unknown = requestResult(
      target,
      { runStart: 1000, enqueuedAt: 1000 },
      { ...measured, httpVersion: undefined },
    );
    expect(unknown.httpVersion).toBeNull();
  });

  it("keeps the wait for a planned start out of the queue time", () => {
    // Planned at 1008, queued since 1002, started at 1010: 2 ms late, 2 ms queued after the plan.
    const late = requestResult(
      target,
      { runStart: 1000, enqueuedAt: 1002, plannedAt: 1008 },
      measured,
    );
    expect(late).toMatchObject({ scheduleLagMs: 2, queuedMs: 2 });
    // Put in line after its plan: queued from then.
    const queued = requestResult(
      target,
      { runStart: 1000, enqueuedAt: 1009, plannedAt: 1005 },
      measured,
    );
    expect(queued).toMatchObject({ scheduleLagMs: 5, queuedMs: 1 });
    // Never negative, even if the readings cross.
    const early = requestResult(target, { runStart: 1000, enqueuedAt: 1012 }, measured);
    expect(early.queuedMs).toBe(0);
  });

  it("takes the connection's phases and identity from its hops", () => {
    const connection = {
      connectionId: 3,
      reusedConnection: false,
      dnsMs: 1,
      tcpMs: 2,
      tlsMs: 3,
      connectMs: 6,
    };
    const result = requestResult(
      target,
      { runStart: 1000, enqueuedAt: 1000 },
      { ...measured, connection },
    );
    expect(result).toMatchObject(connection);
  });
});
