import { describe, expect, it } from "vitest";
import { requestResult } from "../../src/client.js";
import type { RequestResult, Target } from "../../src/report/model.js";
import { RequestLog } from "../../src/runners/request-log.js";
import { targetsOf } from "./fake-request.js";

const targets = targetsOf(4);
const at = (slot: number) => targets[slot] as Target;
const clock = { runStart: 1000.25, enqueuedAt: 1000.25 };

/** Results as different as the report's fields allow: nulls, an error, a redirect, HTTP/2. */
const results: RequestResult[] = [
  requestResult(at(0), clock, {
    finalUrl: "http://fake.test/0",
    status: 200,
    bytes: 1234,
    redirects: 0,
    start: 1001.125,
    headersAt: 1003.0625,
    end: 1004.5,
    error: null,
    connection: {
      connectionId: 3,
      reusedConnection: false,
      dnsMs: 0.5,
      tcpMs: 0.25,
      tlsMs: null,
      connectMs: 0.875,
    },
    httpVersion: "1.1",
  }),
  requestResult(
    at(1),
    { ...clock, plannedAt: 1000.5 },
    {
      finalUrl: "http://fake.test/elsewhere",
      status: 404,
      bytes: 0,
      redirects: 2,
      start: 1002,
      headersAt: 1010.75,
      end: 1011,
      error: { kind: "http", code: null, message: "HTTP 404 Not Found" },
      connection: {
        connectionId: 1,
        reusedConnection: true,
        dnsMs: null,
        tcpMs: null,
        tlsMs: null,
        connectMs: null,
      },
      httpVersion: "2",
    },
  ),
  requestResult(at(3), clock, {
    finalUrl: "http://fake.test/3",
    status: null,
    bytes: 0,
    redirects: 0,
    start: 1000.25,
    headersAt: null,
    end: 1030.25,
    error: { kind: "timeout", code: "UND_ERR_CONNECT_TIMEOUT", message: "connect timed out" },
  }),
];

describe("RequestLog", () => {
  it("gives back every recorded result field for field, in list order, leaving out slots never recorded", () => {
    const log = new RequestLog(targets);
    // Recorded out of order, as a concurrent run settles them; slot 2 never ran.
    log.record(3, results[2] as RequestResult);
    log.record(0, results[0] as RequestResult);
    log.record(1, results[1] as RequestResult);
    expect(log.size).toBe(3);
    const back = log.results();
    expect(back).toEqual(results);
    // The same JSON, key order included: the report's bytes do not change.
    expect(JSON.stringify(back)).toBe(JSON.stringify(results));
  });
});
