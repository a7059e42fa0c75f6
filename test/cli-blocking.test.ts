import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../src/report/model.js";
import { type LocalServerHandle, startServer } from "../src/server.js";
import { runCli, untilReceived } from "./helpers.js";

let server: LocalServerHandle;
let dir: string;

beforeAll(async () => {
  // fetchbench runs in its own process, so its blocked thread never stalls this server.
  server = await startServer({ port: 0, record: true });
  dir = await mkdtemp(join(tmpdir(), "fetchbench-blocking-cli-"));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Ctrl-C during a blocking run", () => {
  it("stops the run within about a second, runs none of the rest and exits 130", async () => {
    const path = join(dir, "slow.txt");
    // Forty half-second requests: twenty seconds if Ctrl-C waited for the run to end.
    await writeFile(path, Array.from({ length: 40 }, () => `${server.url}/delay/500\n`).join(""));
    // Ctrl-C once the first request has reached the server: the blocking run is under way.
    const result = await runCli([path, "--modes", "blocking", "--json"], {
      interruptWhen: untilReceived(server, 1),
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted/);
    expect(result.interruptedAtMs).not.toBeNull();
    expect(result.elapsedMs - (result.interruptedAtMs ?? 0)).toBeLessThan(3000);
    const requests = (JSON.parse(result.stdout) as Report).runs[0]?.requests ?? [];
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThan(20);
    expect(requests.at(-1)?.error?.kind).toBe("aborted");
  });
});
