/** Where a rendered report goes: `-` is standard output, anything else a file. */

import { writeFile } from "node:fs/promises";

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

function errorCode(error: unknown): string | null {
  if (typeof error === "object" && error !== null && "code" in error) {
    const { code } = error as { code: unknown };
    if (typeof code === "string") return code;
  }
  return null;
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
