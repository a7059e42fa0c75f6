import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutputError, writeOutput, writeOutputs } from "../../src/report/outputs.js";
import { render } from "../../src/report/render.js";
import { singleRun } from "./fixtures.js";

const PLAIN = { color: false, allRows: false };

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "fetchbench-outputs-"));
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
    await writeOutput("-", "report\n", (s) => {
      written.push(s);
    });
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

/** The files in the test folder, temporary ones included. */
async function files(): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe("writeOutput: whole or absent", () => {
  it("writes a file from pieces and leaves no temporary file", async () => {
    const path = join(dir, "report.csv");
    await writeOutput(path, ["a,b\n", "1,2\n", "3,4\n"], noStdout);
    expect(await readFile(path, "utf8")).toBe("a,b\n1,2\n3,4\n");
    expect(await files()).toEqual(["report.csv"]);
  });

  it("leaves no file when the renderer fails part way, and passes its error through", async () => {
    const path = join(dir, "report.json");
    function* failing(): Generator<string> {
      yield "x".repeat(200_000); // more than one piece, so part of it reached the disk
      throw new Error("renderer broke");
    }
    await expect(writeOutput(path, failing(), noStdout)).rejects.toThrow("renderer broke");
    expect(await files()).toEqual([]);
  });

  it("keeps the old file whole when the new one fails part way", async () => {
    const path = join(dir, "report.md");
    await writeFile(path, "old report\n");
    function* failing(): Generator<string> {
      yield "new ".repeat(50_000);
      throw new Error("renderer broke");
    }
    await expect(writeOutput(path, failing(), noStdout)).rejects.toThrow("renderer broke");
    expect(await readFile(path, "utf8")).toBe("old report\n");
    expect(await files()).toEqual(["report.md"]);
  });

  it("removes the temporary file when the rename fails (target is a non-empty folder)", async () => {
    const target = join(dir, "taken");
    await mkdir(target);
    await writeFile(join(target, "inside.txt"), "keep\n");
    const error = await writeOutput(target, "report\n", noStdout).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).code).toBe("EISDIR");
    expect(await files()).toEqual(["taken"]);
    expect(await readdir(target)).toEqual(["inside.txt"]);
  });

  it("stops at an aborted signal and leaves no file", async () => {
    const path = join(dir, "report.json");
    const controller = new AbortController();
    function* chunks(): Generator<string> {
      yield "a".repeat(100_000);
      controller.abort();
      yield "b".repeat(100_000);
    }
    const error = await writeOutput(path, chunks(), noStdout, controller.signal).catch(
      (e: unknown) => e,
    );
    expect((error as OutputError).message).toBe(`${path}: cannot write (interrupted)`);
    expect(await files()).toEqual([]);
  });

  it("writes through a symlink to the file it points at", async () => {
    const real = join(dir, "real.json");
    const link = join(dir, "link.json");
    await writeFile(real, "old\n");
    await symlink(real, link);
    await writeOutput(link, "new\n", noStdout);
    expect(await readFile(real, "utf8")).toBe("new\n");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await files()).toEqual(["link.json", "real.json"]);
  });

  it("waits for standard output to take each piece before writing the next", async () => {
    const events: string[] = [];
    let pending = 0;
    await writeOutput("-", ["x".repeat(70_000), "y".repeat(70_000), "z"], async (s) => {
      expect(pending).toBe(0);
      pending += 1;
      events.push(s[0] ?? "");
      await new Promise((resolve) => setTimeout(resolve, 5));
      pending -= 1;
    });
    expect(events).toEqual(["x", "y", "z"]);
  });
});

describe("writeOutputs", () => {
  it("renders each output and writes it, reporting a failed one without stopping the rest", async () => {
    const written: string[] = [];
    const json = join(dir, "report.json");
    const missing = join(dir, "missing", "report.csv");
    const failed = await writeOutputs(
      singleRun,
      [
        { format: "markdown", target: "-" },
        { format: "csv", target: missing },
        { format: "json", target: json },
      ],
      { allRows: false },
      (s) => {
        written.push(s);
      },
    );
    expect(failed.map((e) => e.message)).toEqual([`${missing}: cannot write (ENOENT)`]);
    expect(written.join("")).toBe(render(singleRun, "markdown", PLAIN));
    expect(JSON.parse(await readFile(json, "utf8"))).toEqual(singleRun);
    expect(await files()).toEqual(["report.json"]);
  });
});
