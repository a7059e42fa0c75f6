import { describe, expect, test } from "vitest";
import { UsageError } from "../src/errors.js";
import {
  collectHeaders,
  DEFAULTS,
  formatDuration,
  parseConcurrency,
  parseConcurrencyList,
  parseCount,
  parseDelayRange,
  parseDuration,
  parseFormat,
  parseHeader,
  parseMaxWall,
  parseMethod,
  parseModes,
  parseSpeedup,
} from "../src/options.js";

/** Matches a UsageError with exactly this message. */
const usageError = (message: string) => new UsageError(message);

describe("DEFAULTS", () => {
  test("holds the documented defaults", () => {
    expect(DEFAULTS).toEqual({
      concurrency: "all",
      timeoutMs: 30_000,
      maxRedirects: 10,
      runs: 1,
      warmup: 0,
      modes: ["sequential", "concurrent"],
      method: "GET",
      format: "table",
      demo: {
        count: 10,
        delay: { minMs: 100, maxMs: 500 },
        sweep: { count: 32, delayMs: 50, capacity: 8 },
      },
      serve: { port: 8080, host: "127.0.0.1" },
    });
  });

  test("is frozen all the way down", () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.modes)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.demo)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.demo.delay)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.demo.sweep)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.serve)).toBe(true);
  });
});

describe("parseDuration", () => {
  test.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["1.1s", 1100],
    [".5s", 500],
    ["0.5ms", 0.5],
    ["1m", 60_000],
    ["0.1m", 6000],
    ["2S", 2000],
    ["500MS", 500],
    [" 2s ", 2000],
    ["1440m", 86_400_000],
  ])("accepts %j as %d ms", (value, ms) => {
    expect(parseDuration(value, "--timeout")).toBe(ms);
  });

  test("rejects a bare number with a hint", () => {
    expect(() => parseDuration("5", "--timeout")).toThrow(
      'Expected `--timeout` to be a duration with a unit, such as 500ms, 2s, 1m or 1h, got "5"',
    );
  });

  test.each(["", "s", "2 s", "2sec", "1d", "250us", "-1s", "1e3ms", "1.s", "2s5", "1,5s"])(
    "rejects %j",
    (value) => {
      expect(() => parseDuration(value, "--timeout")).toThrow(
        usageError(
          `Expected \`--timeout\` to be a duration with a unit, such as 500ms, 2s, 1m or 1h, got ${JSON.stringify(value)}`,
        ),
      );
    },
  );

  test("rejects zero", () => {
    expect(() => parseDuration("0s", "--timeout")).toThrow(
      usageError('Expected `--timeout` to be a duration greater than 0, got "0s"'),
    );
  });

  test("rejects more than 24 hours", () => {
    expect(() => parseDuration("1441m", "--timeout")).toThrow(
      usageError(
        'Expected `--timeout` to be a duration of at most 24h, the largest accepted, got "1441m"',
      ),
    );
  });

  test("accepts hours and names the largest duration for 25h", () => {
    expect(parseDuration("2h", "--timeout")).toBe(7_200_000);
    expect(() => parseDuration("25h", "--timeout")).toThrow(
      usageError(
        'Expected `--timeout` to be a duration of at most 24h, the largest accepted, got "25h"',
      ),
    );
  });

  test("rejects a number too large to be finite", () => {
    expect(() => parseDuration(`${"9".repeat(400)}ms`, "--timeout")).toThrowError(UsageError);
  });

  test("adds the dashes to a bare flag name", () => {
    expect(() => parseDuration("5", "timeout")).toThrow(/^Expected `--timeout` /);
  });

  test("escapes control characters in the value", () => {
    expect(() => parseDuration("2\ns", "--timeout")).toThrow(/, got "2\\ns"$/);
  });
});

describe("formatDuration", () => {
  test.each([
    [500, "500 ms"],
    [0.25, "0.25 ms"],
    [0, "0 ms"],
    [999, "999 ms"],
    [1000, "1 s"],
    [1500, "1.5 s"],
    [2000, "2 s"],
    [1234, "1.234 s"],
    [30_000, "30 s"],
    [60_000, "1 min"],
    [90_000, "1.5 min"],
    [3_600_000, "1 h"],
    [86_400_000, "24 h"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test("reads back what parseDuration parsed", () => {
    expect(formatDuration(parseDuration("2s", "--timeout"))).toBe("2 s");
  });
});

describe("parseConcurrencyList", () => {
  test.each([
    ["8", [8]],
    ["all", ["all"]],
    ["1,4,16,64,all", [1, 4, 16, 64, "all"]],
    ["all, 16,4,4", [4, 16, "all"]],
    ["1..256", [1, 2, 4, 8, 16, 32, 64, 128, 256]],
    ["3..20", [3, 6, 12, 20]],
    ["1..4,all", [1, 2, 4, "all"]],
    ["5..5", [5]],
  ])("accepts %j", (value, values) => {
    expect(parseConcurrencyList(value, "--concurrency")).toEqual(values);
  });

  test.each([
    [
      "1,,4",
      'Expected `--concurrency` to be a whole number ≥ 1, `all`, a list such as 1,4,16,all or a doubling range such as 1..256 (an item is empty), got "1,,4"',
    ],
    ["1,0", 'Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "0"'],
    [
      "8..2",
      'Expected `--concurrency` to be a doubling range from a whole number ≥ 1 up to a larger one, such as 1..256, got "8..2"',
    ],
    [
      "0..8",
      'Expected `--concurrency` to be a doubling range from a whole number ≥ 1 up to a larger one, such as 1..256, got "0..8"',
    ],
    ["1..", 'Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "1.."'],
    ["1,2,x", 'Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "x"'],
  ])("rejects %j", (value, message) => {
    expect(() => parseConcurrencyList(value, "--concurrency")).toThrow(message);
  });

  test("rejects more values than a sweep runs", () => {
    const many = Array.from({ length: 40 }, (_, i) => i + 1).join(",");
    expect(() => parseConcurrencyList(many, "--concurrency")).toThrow(
      /at most 32 concurrency values/,
    );
  });
});

describe("parseConcurrency", () => {
  test.each([
    ["1", 1],
    ["8", 8],
    ["010", 10],
    [" 4 ", 4],
  ])("accepts %j", (value, concurrency) => {
    expect(parseConcurrency(value, "--concurrency")).toBe(concurrency);
  });

  test("accepts all", () => {
    expect(parseConcurrency("all", "--concurrency")).toBe("all");
  });

  test("accepts ALL in capitals", () => {
    expect(parseConcurrency("ALL", "--concurrency")).toBe("all");
  });

  test("rejects 0", () => {
    expect(() => parseConcurrency("0", "--concurrency")).toThrow(
      'Expected `--concurrency` to be a whole number ≥ 1 or `all`, got "0"',
    );
  });

  test.each(["", "-1", "1.5", "1e3", "+2", "two", "infinity", "9007199254740993"])(
    "rejects %j",
    (value) => {
      expect(() => parseConcurrency(value, "--concurrency")).toThrow(
        usageError(
          `Expected \`--concurrency\` to be a whole number ≥ 1 or \`all\`, got ${JSON.stringify(value)}`,
        ),
      );
    },
  );
});

describe("parseCount", () => {
  test("accepts the minimum", () => {
    expect(parseCount("0", "--warmup", { min: 0 })).toBe(0);
  });

  test("accepts a large count", () => {
    expect(parseCount("1000", "--runs", { min: 1 })).toBe(1000);
  });

  test("accepts the maximum", () => {
    expect(parseCount("65535", "--port", { min: 0, max: 65535 })).toBe(65535);
  });

  test("rejects less than the minimum", () => {
    expect(() => parseCount("0", "--runs", { min: 1 })).toThrow(
      usageError('Expected `--runs` to be a whole number ≥ 1, got "0"'),
    );
  });

  test("rejects more than the maximum", () => {
    expect(() => parseCount("65536", "--port", { min: 0, max: 65535 })).toThrow(
      usageError('Expected `--port` to be a whole number from 0 to 65535, got "65536"'),
    );
  });

  test.each(["", "-1", "1.0", "0x10", "1e2", "ten", "1 0"])("rejects %j", (value) => {
    expect(() => parseCount(value, "--max-failures", { min: 0 })).toThrow(
      usageError(
        `Expected \`--max-failures\` to be a whole number ≥ 0, got ${JSON.stringify(value)}`,
      ),
    );
  });
});

describe("parseModes", () => {
  test("accepts one mode", () => {
    expect(parseModes("blocking", "--modes")).toEqual(["blocking"]);
  });

  test("keeps the order given", () => {
    expect(parseModes("concurrent,sequential", "--modes")).toEqual(["concurrent", "sequential"]);
  });

  test("trims names", () => {
    expect(parseModes(" sequential , blocking ", "--modes")).toEqual(["sequential", "blocking"]);
  });

  test("ignores case", () => {
    expect(parseModes("Sequential,CONCURRENT", "--modes")).toEqual(["sequential", "concurrent"]);
  });

  test("drops repeats", () => {
    expect(parseModes("concurrent,sequential,concurrent", "--modes")).toEqual([
      "concurrent",
      "sequential",
    ]);
  });

  test("ignores empty items", () => {
    expect(parseModes("sequential,,concurrent,", "--modes")).toEqual(["sequential", "concurrent"]);
  });

  test("rejects an unknown mode listing the valid ones", () => {
    expect(() => parseModes("fast", "--modes")).toThrow(
      'Expected `--modes` to be a comma-separated list of sequential, concurrent, blocking, got "fast"',
    );
  });

  test("names the unknown modes in a longer list", () => {
    expect(() => parseModes("sequential,fast,slow", "--modes")).toThrow(
      usageError(
        'Expected `--modes` to be a comma-separated list of sequential, concurrent, blocking, got "sequential,fast,slow" (unknown: fast, slow)',
      ),
    );
  });

  test("rejects an empty list", () => {
    expect(() => parseModes(" , ", "--modes")).toThrow(
      usageError(
        'Expected `--modes` to be a comma-separated list of sequential, concurrent, blocking, got " , "',
      ),
    );
  });
});

describe("parseHeader", () => {
  test("splits name and value", () => {
    expect(parseHeader("Accept: text/html", "--header")).toEqual(["Accept", "text/html"]);
  });

  test("trims the value", () => {
    expect(parseHeader("X-A:   b c  ", "--header")).toEqual(["X-A", "b c"]);
  });

  test("accepts an empty value", () => {
    expect(parseHeader("X-Empty:", "--header")).toEqual(["X-Empty", ""]);
  });

  test("splits at the first colon only", () => {
    expect(parseHeader("Referer: http://a.test:8080/", "--header")).toEqual([
      "Referer",
      "http://a.test:8080/",
    ]);
  });

  test("keeps the name's spelling", () => {
    expect(parseHeader("x-Request-ID: 1", "--header")).toEqual(["x-Request-ID", "1"]);
  });

  test("accepts Latin-1 text in the value", () => {
    expect(parseHeader("X-Name: café", "--header")).toEqual(["X-Name", "café"]);
  });

  test("accepts Connection: close", () => {
    expect(parseHeader("Connection: close", "--header")).toEqual(["Connection", "close"]);
  });

  test("rejects a header without a colon", () => {
    expect(() => parseHeader("Accept text/html", "--header")).toThrow(
      usageError('Expected `--header` to be "Name: value", got "Accept text/html"'),
    );
  });

  test("rejects a header without a name", () => {
    expect(() => parseHeader(": value", "--header")).toThrow(
      usageError('Expected `--header` to be "Name: value", got ": value"'),
    );
  });

  test("rejects a name that is not an HTTP token", () => {
    expect(() => parseHeader("X Y: z", "--header")).toThrow(
      usageError(
        'Expected `--header` name to be made of letters, digits and !#$%&\'*+-.^_`|~, got "X Y"',
      ),
    );
  });

  test("rejects a space before the colon", () => {
    expect(() => parseHeader("Accept : a", "--header")).toThrowError(UsageError);
  });

  test("rejects a control character in the value", () => {
    expect(() => parseHeader("X-A: a\r\nX-B: b", "--header")).toThrow(
      usageError(
        'Expected `--header` value to be printable ASCII or Latin-1 text, got "a\\r\\nX-B: b"',
      ),
    );
  });

  test("rejects characters beyond Latin-1 in the value", () => {
    expect(() => parseHeader("X-A: 日本", "--header")).toThrowError(UsageError);
  });

  test("rejects headers the HTTP client manages", () => {
    expect(() => parseHeader("Transfer-Encoding: chunked", "--header")).toThrow(
      usageError(
        'Expected `--header` to be a header other than Content-Length, Expect, Keep-Alive, Transfer-Encoding or Upgrade, which the HTTP client manages, got "Transfer-Encoding: chunked"',
      ),
    );
  });

  test("rejects managed headers in any case", () => {
    expect(() => parseHeader("expect: 100-continue", "--header")).toThrowError(UsageError);
  });

  test("rejects a Connection value that is not a list of tokens", () => {
    expect(() => parseHeader("Connection: a b", "--header")).toThrow(
      usageError(
        'Expected `--header` Connection value to be a comma-separated list of tokens, such as close, got "a b"',
      ),
    );
  });
});

describe("collectHeaders", () => {
  test("keeps distinct headers", () => {
    expect(
      collectHeaders([
        ["Accept", "text/html"],
        ["X-A", "1"],
      ]),
    ).toEqual({ Accept: "text/html", "X-A": "1" });
  });

  test("combines repeated names with commas in order", () => {
    expect(
      collectHeaders([
        ["Accept", "a"],
        ["accept", "b"],
        ["ACCEPT", "c"],
      ]),
    ).toEqual({ Accept: "a, b, c" });
  });

  test("combines cookies with semicolons", () => {
    expect(
      collectHeaders([
        ["Cookie", "a=1"],
        ["Cookie", "b=2"],
      ]),
    ).toEqual({ Cookie: "a=1; b=2" });
  });

  test("skips empty values when combining", () => {
    expect(
      collectHeaders([
        ["X-A", ""],
        ["X-A", "1"],
        ["X-A", ""],
      ]),
    ).toEqual({ "X-A": "1" });
  });

  test("keeps an empty header", () => {
    expect(collectHeaders([["X-Empty", ""]])).toEqual({ "X-Empty": "" });
  });

  test("returns an empty record for no headers", () => {
    expect(collectHeaders([])).toEqual({});
  });
});

describe("parseMethod", () => {
  test("upper-cases the method", () => {
    expect(parseMethod("head", "--method")).toBe("HEAD");
  });

  test("accepts an extension method", () => {
    expect(parseMethod("PROPFIND", "--method")).toBe("PROPFIND");
  });

  test("rejects a method that is not a token", () => {
    expect(() => parseMethod("GE T", "--method")).toThrow(
      usageError('Expected `--method` to be an HTTP method such as GET or HEAD, got "GE T"'),
    );
  });

  test("rejects an empty method", () => {
    expect(() => parseMethod("", "--method")).toThrowError(UsageError);
  });

  test("rejects CONNECT", () => {
    expect(() => parseMethod("connect", "--method")).toThrow(
      usageError('Expected `--method` to be an HTTP method other than CONNECT, got "connect"'),
    );
  });
});

describe("parseDelayRange", () => {
  test.each([
    ["200ms", { minMs: 200, maxMs: 200 }],
    ["100-500ms", { minMs: 100, maxMs: 500 }],
    ["1-2s", { minMs: 1000, maxMs: 2000 }],
    ["1s-2s", { minMs: 1000, maxMs: 2000 }],
    ["100ms-1s", { minMs: 100, maxMs: 1000 }],
    ["0ms", { minMs: 0, maxMs: 0 }],
    ["0-500ms", { minMs: 0, maxMs: 500 }],
    ["300-300ms", { minMs: 300, maxMs: 300 }],
    ["1.5s", { minMs: 1500, maxMs: 1500 }],
    ["10m", { minMs: 600_000, maxMs: 600_000 }],
  ])("accepts %j", (value, range) => {
    expect(parseDelayRange(value, "--delay")).toEqual(range);
  });

  test.each(["", "100", "100-500", "100ms-500", "100 - 500ms", "-100ms", "100ms-", "a-bms"])(
    "rejects %j",
    (value) => {
      expect(() => parseDelayRange(value, "--delay")).toThrow(
        usageError(
          `Expected \`--delay\` to be a delay or a range with a unit, such as 200ms, 100-500ms or 1s-2s, got ${JSON.stringify(value)}`,
        ),
      );
    },
  );

  test("rejects a range from high to low", () => {
    expect(() => parseDelayRange("500-100ms", "--delay")).toThrow(
      usageError(
        'Expected `--delay` to be a range from low to high, such as 100-500ms, got "500-100ms"',
      ),
    );
  });

  test("rejects more than 10 minutes", () => {
    expect(() => parseDelayRange("1s-11m", "--delay")).toThrow(
      usageError('Expected `--delay` to be a delay of at most 10m, got "1s-11m"'),
    );
  });
});

describe("parseMaxWall", () => {
  test("parses a mode and a duration", () => {
    expect(parseMaxWall("concurrent=2s", "--max-wall")).toEqual({ mode: "concurrent", ms: 2000 });
  });

  test("ignores case", () => {
    expect(parseMaxWall("Sequential=1.5S", "--max-wall")).toEqual({ mode: "sequential", ms: 1500 });
  });

  test("rejects a value without =", () => {
    expect(() => parseMaxWall("2s", "--max-wall")).toThrow(
      usageError('Expected `--max-wall` to be <mode>=<duration>, such as concurrent=2s, got "2s"'),
    );
  });

  test("rejects an unknown mode", () => {
    expect(() => parseMaxWall("fast=2s", "--max-wall")).toThrow(
      usageError(
        'Expected `--max-wall` to be <mode>=<duration> with a mode of sequential, concurrent, blocking, got "fast=2s"',
      ),
    );
  });

  test("rejects a duration without a unit", () => {
    expect(() => parseMaxWall("concurrent=2", "--max-wall")).toThrow(
      usageError(
        'Expected `--max-wall` to be <mode>=<duration> with a unit on the duration, such as concurrent=2s, got "concurrent=2"',
      ),
    );
  });

  test("rejects a zero duration", () => {
    expect(() => parseMaxWall("concurrent=0ms", "--max-wall")).toThrow(
      usageError(
        'Expected `--max-wall` to be <mode>=<duration> with a duration greater than 0, got "concurrent=0ms"',
      ),
    );
  });

  test("rejects a duration over 24 hours", () => {
    expect(() => parseMaxWall("concurrent=1441m", "--max-wall")).toThrowError(UsageError);
  });

  test("rejects spaces around =", () => {
    expect(() => parseMaxWall("concurrent = 2s", "--max-wall")).toThrowError(UsageError);
  });
});

describe("parseSpeedup", () => {
  test.each([
    ["1.5", 1.5],
    ["2", 2],
    ["2x", 2],
    ["2X", 2],
    ["1.25×", 1.25],
    ["0.5", 0.5],
    [".5x", 0.5],
  ])("accepts %j", (value, speedup) => {
    expect(parseSpeedup(value, "--min-speedup")).toBe(speedup);
  });

  test.each(["0", "0x", "-1", "", "x", "fast", "2 x", "1e2", "Infinity", "2xx"])(
    "rejects %j",
    (value) => {
      expect(() => parseSpeedup(value, "--min-speedup")).toThrow(
        usageError(
          `Expected \`--min-speedup\` to be a number greater than 0, such as 1.5 or 2x, got ${JSON.stringify(value)}`,
        ),
      );
    },
  );
});

describe("parseFormat", () => {
  test.each([
    ["table", "table"],
    ["json", "json"],
    ["markdown", "markdown"],
    ["md", "markdown"],
    ["csv", "csv"],
    ["JSON", "json"],
  ])("accepts %j", (value, format) => {
    expect(parseFormat(value, "--format")).toBe(format);
  });

  test("rejects an unknown format", () => {
    expect(() => parseFormat("xml", "--format")).toThrow(
      usageError(
        'Expected `--format` to be one of table, json, markdown (md), csv, html, har, got "xml"',
      ),
    );
  });
});
