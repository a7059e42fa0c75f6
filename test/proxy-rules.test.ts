import { describe, expect, test } from "vitest";
import { UsageError } from "../src/errors.js";
import { bypassesProxy, proxyFor } from "../src/proxy-rules.js";

const NONE = { proxy: null, noProxy: null };
const http = new URL("http://api.example.com/x");
const https = new URL("https://api.example.com/x");

describe("bypassesProxy", () => {
  test.each([
    ["api.example.com", ["example.com"], true],
    ["api.example.com", [".example.com"], true],
    ["example.com", [".example.com"], true],
    ["badexample.com", ["example.com"], false],
    ["API.Example.com.", ["example.com"], true],
    ["10.0.0.1", ["10.0.0.1"], true],
    ["10.0.0.12", ["10.0.0.1"], false],
    ["[::1]", ["::1"], true],
    ["anything.test", ["*"], true],
    ["localhost", [], false],
  ] as const)("%s with %j: %s", (host, list, bypass) => {
    expect(bypassesProxy(host, list)).toBe(bypass);
  });
});

describe("proxyFor", () => {
  test("uses HTTP_PROXY for http and HTTPS_PROXY for https", () => {
    const env = { HTTP_PROXY: "http://p1:3128", HTTPS_PROXY: "http://p2:3128" };
    expect(proxyFor(http, NONE, env)).toBe("http://p1:3128");
    expect(proxyFor(https, NONE, env)).toBe("http://p2:3128");
  });

  test("prefers the lower-case variable, and falls back to ALL_PROXY", () => {
    expect(proxyFor(http, NONE, { http_proxy: "lower:1", HTTP_PROXY: "upper:2" })).toBe(
      "http://lower:1",
    );
    expect(proxyFor(https, NONE, { HTTP_PROXY: "p:1", ALL_PROXY: "all:3" })).toBe("http://all:3");
  });

  test("connects directly with no proxy configured, or an empty variable", () => {
    expect(proxyFor(http, NONE, {})).toBeNull();
    expect(proxyFor(http, NONE, { HTTP_PROXY: " " })).toBeNull();
  });

  test("NO_PROXY sends matching hosts directly", () => {
    const env = { HTTPS_PROXY: "p:1", NO_PROXY: "localhost,.example.com" };
    expect(proxyFor(https, NONE, env)).toBeNull();
    expect(proxyFor(new URL("https://other.test/"), NONE, env)).toBe("http://p:1");
  });

  test("-x wins over the environment, and --noproxy replaces NO_PROXY", () => {
    const env = { HTTPS_PROXY: "env:1", NO_PROXY: "example.com" };
    expect(proxyFor(https, { proxy: "http://flag:2", noProxy: [] }, env)).toBe("http://flag:2");
    expect(proxyFor(https, { proxy: "http://flag:2", noProxy: ["*"] }, env)).toBeNull();
    expect(proxyFor(https, { proxy: "http://flag:2", noProxy: null }, env)).toBeNull();
  });

  test("names the variable that holds an unusable proxy", () => {
    expect(() => proxyFor(https, NONE, { https_proxy: "ftp://p:21" })).toThrow(
      new UsageError(
        'Expected `$https_proxy` to be an http:// or https:// proxy URL, got "ftp://p:21"',
      ),
    );
  });
});
