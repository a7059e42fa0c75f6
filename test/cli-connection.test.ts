import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificate } from "../src/certificate.js";
import type { Report } from "../src/report/model.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { runMain } from "./helpers.js";
import { startProxy, type TestProxy } from "./proxy.js";

let dir: string;
let urls: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fetchbench-connection-"));
  urls = join(dir, "urls.txt");
  // Never fetched: every case here stops at the flags.
  await writeFile(urls, "http://127.0.0.1:9/\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI in-process and returns its exit code and output. */
const cli = (args: readonly string[], env: Record<string, string> = {}) => runMain(args, { env });

async function expectUsageError(
  args: readonly string[],
  message: string | RegExp,
  env: Record<string, string> = {},
) {
  const result = await cli(args, env);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^fetchbench: /);
  const text = lines[0]?.slice("fetchbench: ".length);
  if (typeof message === "string") expect(text).toBe(message);
  else expect(text).toMatch(message);
}

describe("connection flags: bad values", () => {
  it.each([
    [
      ["-x", "ftp://proxy:21"],
      'Expected `--proxy` to be an http:// or https:// proxy URL, got "ftp://proxy:21"',
    ],
    [["--proxy", "http://proxy:3128/path"], /^Expected `--proxy` to be a proxy URL/],
    [["--noproxy", "a b"], /^Expected `--noproxy` to be a comma-separated list/],
    [["--rate", "0"], /^Expected `--rate` to be a number of requests per second greater than 0/],
    [["--rate", "fast"], /^Expected `--rate`/],
    [["--connect-timeout", "5"], /^Expected `--connect-timeout` to be a duration with a unit/],
    [["--per-host", "0"], 'Expected `--per-host` to be a whole number from 1 to 65535, got "0"'],
    [["--resolve", "example.com:443"], /^Expected `--resolve` to be host:port:address/],
    [["--resolve", "example.com:443:not-an-ip"], /with IP addresses after the port/],
    [["-d", "@-"], /^Expected `--data` to be text or @FILE/],
  ])("%j is refused with a one-line error", async (args, message) => {
    await expectUsageError([urls, ...args], message);
  });

  it("refuses a --data file that does not exist, naming it", async () => {
    await expectUsageError(
      [urls, "-d", `@${join(dir, "missing.txt")}`],
      `\`--data\` file "${join(dir, "missing.txt")}": no such file`,
    );
  });

  it("refuses a --cacert file that does not exist", async () => {
    await expectUsageError(
      [urls, "--cacert", join(dir, "none.pem")],
      `\`--cacert\` file "${join(dir, "none.pem")}": no such file`,
    );
  });

  it("refuses a --cacert file without a PEM certificate", async () => {
    const path = join(dir, "key.pem");
    await writeFile(path, createCertificate().key);
    await expectUsageError(
      [urls, "--cacert", path],
      `Expected \`--cacert\` file "${path}" to contain a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  });

  it("refuses a --cacert file whose certificate does not parse", async () => {
    const path = join(dir, "broken.pem");
    await writeFile(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    await expectUsageError([urls, "--cacert", path], /certificate 1 does not parse$/);
  });
});

describe("--help", () => {
  it("marks no flag as not supported: the client acts on every one", async () => {
    const { code, stdout } = await cli(["run", "--help"]);
    expect(code).toBe(0);
    const text = stdout.replace(/\n\s+/g, " ");
    expect(text).not.toMatch(/not supported yet/);
    for (const flag of [
      "--proxy",
      "--insecure",
      "--cacert",
      "--http2",
      "--data",
      "--rate",
      "--resolve",
    ]) {
      expect(text).toContain(flag);
    }
  });
});

describe("--http2 and -k, end to end", () => {
  let h2: LocalServerHandle;
  beforeAll(async () => {
    h2 = await startServer({ port: 0, http2: true });
  });
  afterAll(() => h2.close());

  it("shows per mode the protocol and the connections, and that certificates were not checked", async () => {
    const list = Array.from({ length: 20 }, (_, i) => `${h2.url}/delay/50?i=${i}`);
    const { code, stdout } = await cli([...list, "--http2", "-k", "--no-progress"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/certificates not checked \(--insecure\)/);
    expect(stdout).toMatch(/protocol\s+HTTP\/2\s+\(sequential\)\n\s+HTTP\/2\s+\(concurrent\)/);
    expect(stdout).toMatch(/connections\s+1 opened · peak 1 in flight\s+\(sequential\)/);
    expect(stdout).toMatch(/\n\s+[1-4] opened · peak \d+ in flight\s+\(concurrent\)/);
  });

  it("records httpVersion per request and the options in the JSON", async () => {
    const { code, stdout } = await cli([`${h2.url}/bytes/10`, "--http2", "-k", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.options).toMatchObject({ insecure: true, proxies: [] });
    expect(report.runs.map((run) => run.requests[0]?.httpVersion)).toEqual(["2", "2"]);
    expect(report.summary.modes.concurrent?.httpVersions).toEqual({ "2": 1 });
  });
});

describe("--cacert and certificate failures, end to end", () => {
  let tls: LocalServerHandle;
  beforeAll(async () => {
    tls = await startServer({ port: 0, https: true });
  });
  afterAll(() => tls.close());

  it("trusts the CA of a PEM file", async () => {
    const path = join(dir, "server-ca.pem");
    await writeFile(path, tls.certificate?.cert ?? "");
    const { code, stdout } = await cli([`${tls.url}/bytes/10`, "--cacert", path, "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.options.insecure).toBe(false);
    expect(report.runs.every((run) => run.requests[0]?.ok)).toBe(true);
  });

  it("without it, reports a tls failure that says how to accept the certificate", async () => {
    const { code, stdout } = await cli([`${tls.url}/bytes/10`, "--no-progress"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/tls\s+self-signed certificate; accept it on purpose with -k/);
  });
});

describe("proxies, end to end", () => {
  let proxy: TestProxy;
  let plain: LocalServerHandle;
  beforeAll(async () => {
    proxy = await startProxy();
    plain = await startServer({ port: 0 });
  });
  afterAll(async () => {
    await proxy.close();
    await plain.close();
  });

  it("reads HTTP_PROXY from the CLI's environment and names the proxy in the header", async () => {
    proxy.passed.length = 0;
    const credentialed = proxy.url.replace("http://", "http://user:secret@");
    const { code, stdout } = await cli([`${plain.url}/bytes/10`, "--no-progress"], {
      HTTP_PROXY: credentialed,
    });
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(new RegExp(`· via proxy ${proxy.url}$`));
    expect(stdout).not.toMatch(/secret/);
    expect(proxy.passed).toHaveLength(2);
  });

  it("refuses a proxy variable that does not parse, naming it, before fetching", async () => {
    await expectUsageError([`${plain.url}/bytes/10`], /^Expected `\$HTTP_PROXY` to be/, {
      HTTP_PROXY: "ftp://proxy:21",
    });
  });
});
