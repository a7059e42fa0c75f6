/** Where a rendered report goes: `-` is standard output, anything else a file. */

import { constants } from "node:fs";
import { access, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { errorCode, UsageError } from "../errors.js";

/**
 * A report could not be written. The run itself finished; the message is one line naming the
 * target and the system error code, e.g. `report.json: cannot write (EACCES)`. The CLI picks
 * the exit code.
 */
export class OutputError extends Error {
  /** The path that could not be written. */
  readonly target: string;
  /** The system error code (`EACCES`, `EISDIR`, `ENOENT`), or null. */
  readonly code: string | null;

  constructor(target: string, code: string | null, options?: { cause?: unknown }) {
    super(`${target}: cannot write (${code ?? "unknown error"})`, options);
    this.name = "OutputError";
    this.target = target;
    this.code = code;
  }
}

/**
 * Writes rendered text to `target`: `-` hands it to `stdout`, any other value is a file path,
 * created or replaced. A file is written in one `writeFile` call, so a failure leaves no
 * partial report behind in the common cases (missing folder, no permission, a directory).
 *
 * @throws {OutputError} when the file cannot be written.
 */
export async function writeOutput(
  target: string,
  text: string,
  stdout: (s: string) => void,
): Promise<void> {
  if (target === "-") {
    stdout(text);
    return;
  }
  try {
    await writeFile(target, text, "utf8");
  } catch (error) {
    throw new OutputError(target, errorCode(error), { cause: error });
  }
}

/**
 * Checks, before anything is fetched, that `target` can be written: its folder exists and is
 * writable, and it is not itself a folder. A run is not wasted on a typo in an export path.
 *
 * @throws {UsageError} naming the flag and the path.
 */
export async function checkOutputTarget(target: string, flag: string): Promise<void> {
  if (target === "-") return;
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) {
    throw new UsageError(`\`${flag}\` ${target}: is a directory, expected a file to write`);
  }
  const folder = dirname(target);
  const parent = await stat(folder).catch(() => null);
  if (parent === null || !parent.isDirectory()) {
    throw new UsageError(`\`${flag}\` ${target}: no such folder ${folder}`);
  }
  await access(existing === null ? folder : target, constants.W_OK).catch((error: unknown) => {
    throw new UsageError(
      `\`${flag}\` ${target}: cannot write (${errorCode(error) ?? "unknown error"})`,
    );
  });
}
