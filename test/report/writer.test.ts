import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutputError, writeOutput } from "../../src/report/writer.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fetchbench-writer-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function noStdout(): never {
  throw new Error("stdout must not be called for a file");
}

describe("writeOutput", () => {
  it("writes the text to a file", async () => {
    const path = join(dir, "report.json");
    await writeOutput(path, "{}\n", noStdout);
    expect(await readFile(path, "utf8")).toBe("{}\n");
  });

  it("replaces an existing file", async () => {
    const path = join(dir, "report.csv");
    await writeOutput(path, "old, longer text\n", noStdout);
    await writeOutput(path, "new\n", noStdout);
    expect(await readFile(path, "utf8")).toBe("new\n");
  });

  it("hands the text to the stdout function for -", async () => {
    const written: string[] = [];
    await writeOutput("-", "report\n", (s) => written.push(s));
    expect(written).toEqual(["report\n"]);
    await expect(stat(join(process.cwd(), "-"))).rejects.toThrow();
  });

  it("fails with a one-line message naming the path when it is a directory", async () => {
    const error = await writeOutput(dir, "x", noStdout).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).message).toBe(`${dir}: cannot write (EISDIR)`);
    expect((error as OutputError).code).toBe("EISDIR");
    expect((error as OutputError).target).toBe(dir);
  });

  it("fails with ENOENT when the folder does not exist", async () => {
    const path = join(dir, "missing", "report.md");
    await expect(writeOutput(path, "x", noStdout)).rejects.toThrow(
      `${path}: cannot write (ENOENT)`,
    );
  });
});
