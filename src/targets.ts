import { readFile } from "node:fs/promises";
import { buffer } from "node:stream/consumers";
import { errorCode, InputError } from "./errors.js";
import type { Target } from "./report/model.js";

/** How messages name standard input; the report's `source` says `-`. */
export const STDIN_NAME = "<stdin>";

const MAX_SHOWN = 80;

// Control, format (bidi overrides, zero-width), line/paragraph separator and lone surrogate
// characters: invisible or terminal-altering, so they are escaped wherever input is echoed.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const INVISIBLE_GLOBAL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const SHORT_ESCAPES: Record<string, string> = {
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeChar(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  let escaped = "";
  // Code units, not code points: an astral character becomes a JSON-style surrogate pair.
  for (let i = 0; i < char.length; i++) {
    escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return escaped;
}

/**
 * Escapes invisible characters JSON-style (`\n`, `\u0000`, `\u202e`) so that text the user
 * gave can be echoed on one terminal line. Quotes and backslashes are left as they are.
 */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE_GLOBAL, escapeChar);
}

/**
 * Quotes text the user gave for an error message, JSON-style: invisible characters, `"`
 * and `\` escaped, cut to about `maxLength` characters with `…`.
 */
export function quoteInput(text: string, maxLength = MAX_SHOWN): string {
  const chars = Array.from(text);
  const shown = chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join("")}…` : text;
  return `"${shown.replace(/["\\]/g, "\\$&").replace(INVISIBLE_GLOBAL, escapeChar)}"`;
}

const SCHEME = /^[a-z][a-z\d+.-]*:/i;
const HTTP_PREFIX = /^https?:\/\//i;
// `localhost:3000` and `example.com:8080/x` parse as URLs with an odd scheme.
const HOST_AND_PORT = /^[^:/]+:\d+(?:[/?#]|$)/;
const MISSING_SCHEME = "not an http(s) URL (missing http:// or https://)";

/** Why a trimmed, non-comment line is not a usable URL, or null when it is one. */
function problem(text: string): string | null {
  // URL() would drop tabs and newlines and percent-encode spaces: reject what the user
  // cannot see or did not mean instead of fetching something else.
  if (/\s/u.test(text) || INVISIBLE.test(text)) return "not a valid URL";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return SCHEME.test(text) ? "not a valid URL" : MISSING_SCHEME;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return HOST_AND_PORT.test(text) || url.protocol.includes(".")
      ? MISSING_SCHEME
      : "not an http(s) URL";
  }
  // URL() also accepts `http:/x`, `http:x` and `http:\\x`; a list should say what it means.
  if (!HTTP_PREFIX.test(text) || url.hostname === "") return "not a valid URL";
  return null;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * The lines of `text`, split at CRLF, CR or LF, one at a time: each is a slice of `text`
 * rather than a copy, and no array of every line is built, so a list of a million URLs is
 * held once, as the text its URLs point into.
 */
function* lines(text: string): Generator<string> {
  let start = 0;
  for (;;) {
    LINE_END.lastIndex = start;
    const end = LINE_END.exec(text);
    if (end === null) {
      yield text.slice(start);
      return;
    }
    yield text.slice(start, end.index);
    start = end.index + end[0].length;
  }
}

/**
 * Parses a URL list: one URL per line; blank lines and lines whose first non-blank
 * character is `#` are skipped; surrounding whitespace, a leading BOM and CRLF or CR line
 * endings are tolerated. Each target keeps the URL as written.
 *
 * @param source - How messages name the list: the path, or `<stdin>`.
 * @throws {InputError} `SOURCE:LINE: reason: "text"` for the first bad line (with how many
 * more there are), or `SOURCE: no URLs in the list …` when there is none.
 */
export function parseTargets(text: string, source: string): Target[] {
  const targets: Target[] = [];
  let firstBad: string | undefined;
  let moreBad = 0;
  let number = 0;
  for (const line of lines(text.startsWith("\uFEFF") ? text.slice(1) : text)) {
    number++;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const reason = problem(trimmed);
    if (reason === null) {
      targets.push({ index: targets.length, line: number, url: trimmed });
    } else if (firstBad === undefined) {
      firstBad = `${escapeInvisible(source)}:${number}: ${reason}: ${quoteInput(trimmed)}`;
    } else {
      moreBad++;
    }
  }
  if (firstBad !== undefined) {
    const more =
      moreBad === 0 ? "" : ` (and ${moreBad} more bad ${moreBad === 1 ? "line" : "lines"})`;
    throw new InputError(firstBad + more);
  }
  if (targets.length === 0) {
    throw new InputError(
      `${escapeInvisible(source)}: no URLs in the list (blank lines and # comments are skipped)`,
    );
  }
  return targets;
}

/** The report's `source` for URLs given as arguments rather than in a list. */
export const URL_ARGUMENTS_SOURCE = "<arguments>";

/** Whether a command-line argument is meant as a URL (it has a scheme and `//`), not a file. */
export function looksLikeUrl(argument: string): boolean {
  return /^[a-z][a-z\d+.-]*:\/\//i.test(argument.trim());
}

/**
 * URLs given as arguments, in order, checked as a list's lines are; each target's `line` is
 * its argument's position, from 1.
 *
 * @throws {InputError} `argument N: reason: "text"` for the first bad one.
 */
export function parseUrlArguments(urls: readonly string[]): Target[] {
  return urls.map((url, index) => {
    const trimmed = url.trim();
    const reason = problem(trimmed);
    if (reason !== null) {
      throw new InputError(`argument ${index + 1}: ${reason}: ${quoteInput(trimmed)}`);
    }
    return { index, line: index + 1, url: trimmed };
  });
}

/** Reads all of standard input. */
export function readStandardInput(): Promise<Buffer> {
  return buffer(process.stdin);
}

function readError(error: unknown, name: string): InputError {
  const code = errorCode(error) ?? "unknown error";
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new InputError(`${name}: no such file`);
    case "EISDIR":
      return new InputError(`${name}: is a directory, expected a file of URLs`);
    case "EACCES":
    case "EPERM":
      return new InputError(`${name}: permission denied`);
    default:
      return new InputError(`${name}: cannot read (${code})`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The 1-based line, counted as parseTargets counts them, of the first invalid UTF-8 byte. */
function badUtf8Line(bytes: Uint8Array): number {
  // CR and LF never occur inside a multi-byte sequence, so each line can be checked alone.
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = bytes[i];
    if (i < bytes.length && byte !== 0x0a && byte !== 0x0d) continue;
    try {
      utf8.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    if (byte === 0x0d && bytes[i + 1] === 0x0a) i++;
    line++;
    start = i + 1;
  }
  return line - 1;
}

function decode(bytes: Uint8Array, name: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const utf16 =
      (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const hint = utf16 ? " (it looks like UTF-16; save the list as UTF-8)" : "";
    throw new InputError(`${name}:${badUtf8Line(bytes)}: not UTF-8 text${hint}`);
  }
}

/**
 * Reads and parses a URL list from a file, or from standard input when `path` is `-`.
 *
 * @param readStdin - Reads all of standard input; tests pass their own.
 * @returns `source` as the report shows it (the path as given, or `-`) and the targets.
 * @throws {InputError} One line naming the file (`<stdin>` for standard input): missing,
 * a directory, unreadable, not UTF-8, or a bad line as {@link parseTargets} reports it.
 */
export async function readTargets(
  path: string,
  readStdin: () => Promise<Buffer> = readStandardInput,
): Promise<{ source: string; targets: Target[] }> {
  const fromStdin = path === "-";
  const name = fromStdin ? STDIN_NAME : escapeInvisible(path);
  let bytes: Buffer;
  try {
    bytes = fromStdin ? await readStdin() : await readFile(path);
  } catch (error) {
    throw readError(error, name);
  }
  return { source: path, targets: parseTargets(decode(bytes, name), name) };
}
