import { describe, expect, test } from "vitest";
import { createCertificate } from "../src/certificate.js";
import { UsageError } from "../src/errors.js";
import {
  FORM_CONTENT_TYPE,
  parseCaBundle,
  parseData,
  parseNoProxy,
  parseProxy,
  parseRate,
  parseResolve,
  withBodyDefaults,
} from "../src/options.js";

describe("parseProxy", () => {
  test.each([
    ["http://proxy.test:3128", "http://proxy.test:3128"],
    ["https://proxy.test:8443/", "https://proxy.test:8443"],
    ["proxy.test:3128", "http://proxy.test:3128"],
    ["proxy.test", "http://proxy.test:1080"],
    ["http://user:pa%20ss@proxy.test:3128", "http://user:pa%20ss@proxy.test:3128"],
    [" http://[::1]:3128 ", "http://[::1]:3128"],
  ])("%s is %s", (value, url) => {
    expect(parseProxy(value, "--proxy")).toBe(url);
  });

  test.each(["socks5://proxy:1080", "http://", "http://proxy:3128/x", "http://proxy:99999"])(
    "%s is refused",
    (value) => {
      expect(() => parseProxy(value, "--proxy")).toThrow(UsageError);
    },
  );
});

describe("parseNoProxy", () => {
  test("splits, trims, lower-cases and drops repeats", () => {
    expect(parseNoProxy(" Example.COM, .internal,10.0.0.1,,example.com ", "--noproxy")).toEqual([
      "example.com",
      ".internal",
      "10.0.0.1",
    ]);
  });

  test("an empty list means no host bypasses the proxy", () => {
    expect(parseNoProxy("", "--noproxy")).toEqual([]);
  });

  test("* means every host", () => {
    expect(parseNoProxy("*", "--noproxy")).toEqual(["*"]);
  });
});

describe("parseCaBundle", () => {
  test("keeps the certificates of a bundle and leaves out the rest", () => {
    const a = createCertificate().cert;
    const b = createCertificate().cert;
    const bundle = parseCaBundle(`# two CAs\n${a}\nsome text\n${b}`, "ca.pem", "--cacert");
    expect(bundle).toBe(`${a.trimEnd()}\n${b.trimEnd()}\n`);
  });

  test("refuses a file without a certificate", () => {
    expect(() => parseCaBundle("hello", "ca.pem", "--cacert")).toThrow(
      'Expected `--cacert` file "ca.pem" to contain a PEM certificate (-----BEGIN CERTIFICATE-----)',
    );
  });
});

describe("parseData", () => {
  const files: Record<string, string> = { "form.txt": "a=1\r\n&b=2\n" };
  const read = async (path: string) => {
    const text = files[path];
    if (text === undefined) throw new UsageError(`no ${path}`);
    return Buffer.from(text);
  };

  test("sends text as given", async () => {
    const body = await parseData(["name=a b"], "--data", read);
    expect(body.data.toString()).toBe("name=a b");
    expect(body.source).toBe("--data");
  });

  test("reads @file once, without carriage returns and newlines, as curl -d does", async () => {
    const body = await parseData(["@form.txt"], "--data", read);
    expect(body.data.toString()).toBe("a=1&b=2");
    expect(body.source).toBe("--data @form.txt");
  });

  test("joins several values with &", async () => {
    const body = await parseData(["x=1", "@form.txt", "y=2"], "--data", read);
    expect(body.data.toString()).toBe("x=1&a=1&b=2&y=2");
  });

  test("passes on the reader's error for a missing file", async () => {
    await expect(parseData(["@nope.txt"], "--data", read)).rejects.toThrow("no nope.txt");
  });
});

describe("withBodyDefaults", () => {
  test("POST with a form content type when neither -X nor -H says otherwise", () => {
    expect(withBodyDefaults("GET", false, { Accept: "*/*" })).toEqual({
      method: "POST",
      headers: { Accept: "*/*", "Content-Type": FORM_CONTENT_TYPE },
    });
  });

  test("keeps the method -X named and the content type -H set, in any case", () => {
    const headers = { "content-TYPE": "application/json" };
    expect(withBodyDefaults("PUT", true, headers)).toEqual({ method: "PUT", headers });
  });
});

describe("parseRate", () => {
  test.each([
    ["50", 50],
    ["0.5", 0.5],
    [" 100000 ", 100_000],
  ])("%s is %d per second", (value, rate) => {
    expect(parseRate(value, "--rate")).toBe(rate);
  });

  test.each(["0", "-1", "1e3", "100001", "5/s", ""])("%j is refused", (value) => {
    expect(() => parseRate(value, "--rate")).toThrow(UsageError);
  });
});

describe("parseResolve", () => {
  test("reads host, port and addresses as curl does", () => {
    expect(parseResolve("API.test:443:127.0.0.1", "--resolve")).toEqual({
      host: "api.test",
      port: 443,
      addresses: ["127.0.0.1"],
    });
  });

  test("takes several addresses and bracketed IPv6", () => {
    expect(parseResolve("[::1]:8080:[::1],127.0.0.2", "--resolve")).toEqual({
      host: "::1",
      port: 8080,
      addresses: ["::1", "127.0.0.2"],
    });
    expect(parseResolve("h.test:80:::1", "--resolve").addresses).toEqual(["::1"]);
  });

  test.each(["h.test:443", "h.test:0:127.0.0.1", "h.test:x:127.0.0.1", "h.test:443:h2.test"])(
    "%s is refused",
    (value) => {
      expect(() => parseResolve(value, "--resolve")).toThrow(UsageError);
    },
  );
});
