/**
 * Where rendered reports go: `-` is standard output, anything else a file. Every output, the
 * report on standard output and each export alike, is rendered and written here, piece by piece,
 * so that a report of many requests is never held as one string. A file is written to a
 * temporary file beside it and renamed into place: it is whole or absent, never half written.
 */

import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, type FileHandle, open, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { errorCode, UsageError } from "../errors.js";
import type { RenderOptions } from "./format.js";
import type { Report } from "./model.js";
import { type Format, formatSpec } from "./render.js";

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
 * Writes to standard output. A returned promise is awaited before the next piece is written,
 * which is how a slow reader holds the writing back.
 */
export type Stdout = (text: string) => void | Promise<void>;

/** One output of a run: a format and where it goes (`-` is standard output). */
export interface Output {
  format: Format;
  target: string;
  /** ANSI colour (terminal report on a terminal only); default false. */
  color?: boolean;
}

/** Pieces are gathered to about this many characters before each write. */
const PIECE = 64 * 1024;

/** Joins small chunks into pieces of at least {@link PIECE} characters (the last may be shorter). */
function* pieces(chunks: Iterable<string>): Generator<string> {
  let buffered: string[] = [];
  let size = 0;
  for (const chunk of chunks) {
    buffered.push(chunk);
    size += chunk.length;
    if (size >= PIECE) {
      yield buffered.join("");
      buffered = [];
      size = 0;
    }
  }
  if (size > 0) yield buffered.join("");
}

async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset);
    offset += bytesWritten;
  }
}

function interrupted(signal: AbortSignal | undefined, target: string): void {
  if (signal?.aborted) throw new OutputError(target, "interrupted");
}

/**
 * Writes a file from its pieces. A regular file (new or existing, also behind a symlink) is
 * written to a temporary file in the same folder, which is renamed over it once complete, and
 * removed on any failure. A device or pipe (`/dev/stdout`, a FIFO) cannot be replaced, so it is
 * written directly.
 */
async function writeFileWhole(
  target: string,
  chunks: Iterable<string>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const existing = await stat(target).catch(() => null);
  if (existing !== null && !existing.isFile() && !existing.isDirectory()) {
    const handle = await open(target, "w");
    try {
      for (const piece of pieces(chunks)) {
        interrupted(signal, target);
        await writeAll(handle, piece);
      }
    } finally {
      await handle.close();
    }
    return;
  }
  const path = existing?.isFile() ? await realpath(target) : target;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: FileHandle | null = null;
  try {
    handle = await open(temp, "wx");
    if (existing?.isFile()) await handle.chmod(existing.mode & 0o7777).catch(() => {});
    for (const piece of pieces(chunks)) {
      interrupted(signal, target);
      await writeAll(handle, piece);
    }
    await handle.close();
    handle = null;
    interrupted(signal, target);
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Writes rendered text, whole or in pieces, to `target`: `-` hands it to `stdout` piece by
 * piece, any other value is a file path, created or replaced whole (see above), so a failure
 * or an interruption leaves either the old file or none, never part of a report.
 *
 * @throws {OutputError} when the file cannot be written or `signal` aborts the writing; an
 * error thrown by the renderer itself passes through unchanged.
 */
export async function writeOutput(
  target: string,
  text: string | Iterable<string>,
  stdout: Stdout,
  signal?: AbortSignal,
): Promise<void> {
  const chunks = typeof text === "string" ? [text] : text;
  if (target === "-") {
    for (const piece of pieces(chunks)) await stdout(piece);
    return;
  }
  try {
    await writeFileWhole(target, chunks, signal);
  } catch (error) {
    if (error instanceof OutputError) throw error;
    const code = errorCode(error);
    // A system error belongs to the file; anything else (a renderer's bug) is not hidden.
    if (code === null) throw error;
    throw new OutputError(target, code, { cause: error });
  }
}

/**
 * Renders the report in each output's format and writes it there, in order. An output that
 * cannot be written does not stop the others: its error is returned, so the caller can still
 * give the warnings and the verdict, and name what failed.
 */
export async function writeOutputs(
  report: Report,
  outputs: readonly Output[],
  options: Omit<RenderOptions, "color">,
  stdout: Stdout,
  signal?: AbortSignal,
): Promise<OutputError[]> {
  const failed: OutputError[] = [];
  for (const { format, target, color } of outputs) {
    const chunks = formatSpec(format).render(report, { ...options, color: color ?? false });
    try {
      await writeOutput(target, chunks, stdout, signal);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      failed.push(error);
    }
  }
  return failed;
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
  // A file is replaced through a temporary file beside it, so its folder must be writable too;
  // a device or pipe is written in place.
  const device = existing !== null && !existing.isFile();
  const paths = existing === null ? [folder] : device ? [target] : [target, folder];
  for (const path of paths) {
    await access(path, constants.W_OK).catch((error: unknown) => {
      throw new UsageError(
        `\`${flag}\` ${target}: cannot write (${errorCode(error) ?? "unknown error"})`,
      );
    });
  }
}

/** A file an output is asked for, and the flag that asked (`--export-csv`, `--export-junit`). */
export interface OutputTarget {
  flag: string;
  /** A path, or `-` for standard output. */
  target: string;
}

/**
 * Refuses, before anything is fetched or written, two outputs to one file and an output over a
 * file being read (`inputs`: path and what it is, `the URL list`): either would silently lose
 * one of them. Then checks that each can be written.
 */
export async function checkOutputTargets(
  outputs: readonly OutputTarget[],
  inputs: readonly { path: string; what: string }[] = [],
): Promise<void> {
  const seen = new Map<string, string>();
  for (const { path, what } of inputs) if (path !== "-") seen.set(resolve(path), what);
  for (const { flag, target } of outputs) {
    if (target === "-") continue;
    const other = seen.get(resolve(target));
    if (other !== undefined) {
      throw new UsageError(
        `\`${flag}\` ${target}: is also ${other}; give each output its own file`,
      );
    }
    seen.set(resolve(target), `the \`${flag}\` file`);
  }
  for (const { flag, target } of outputs) await checkOutputTarget(target, flag);
}
