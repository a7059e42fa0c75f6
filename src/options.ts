import { UsageError } from "./errors.js";
import { SORT_COLUMNS, type SortColumn } from "./report/format.js";
import { type Concurrency, MODES, type Mode } from "./report/model.js";
import { quoteInput } from "./targets.js";

/** Report formats `--format` accepts. */
export const FORMATS = ["table", "json", "markdown", "csv"] as const;
export type Format = (typeof FORMATS)[number];

/** Every flag's default value. */
export const DEFAULTS = Object.freeze({
  concurrency: "all" as Concurrency,
  timeoutMs: 30_000,
  maxRedirects: 10,
  runs: 1,
  warmup: 0,
  modes: Object.freeze(["sequential", "concurrent"] as const) as readonly Mode[],
  method: "GET",
  format: "table" as Format,
  demo: Object.freeze({
    /** URLs the demonstration fetches. */
    count: 10,
    /** Each demonstration URL's server delay is drawn from this range. */
    delay: Object.freeze({ minMs: 100, maxMs: 500 }),
  }),
  serve: Object.freeze({ port: 8080, host: "127.0.0.1" }),
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const MAX_DURATION_MS = 24 * HOUR;
const MAX_DELAY_MS = 10 * MINUTE;

// `timeout` and `--timeout` both name the flag `--timeout`.
function flagName(flag: string): string {
  return `\`${flag.startsWith("-") ? flag : `--${flag}`}\``;
}

function expected(flag: string, what: string, value: string): UsageError {
  return new UsageError(`Expected ${flagName(flag)} to be ${what}, got ${quoteInput(value)}`);
}

const NUMBER = String.raw`(?:\d+(?:\.\d+)?|\.\d+)`;
const DURATION = new RegExp(`^(${NUMBER})(ms|s|m|h)$`, "i");
const DURATION_HINT = "a duration with a unit, such as 500ms, 2s, 1m or 1h";
const UNIT_EXPONENT: Record<string, number> = { ms: 0, s: 3, m: 3, h: 3 };

/** Milliseconds for a number and unit; exact for decimals such as `1.1s`. */
function toMs(number: string, unit: string): number {
  const lower = unit.toLowerCase();
  // Shifting the decimal point in the string avoids 1.1 * 1000 = 1100.0000000000002.
  const ms = Number(`${number}e${UNIT_EXPONENT[lower] ?? 0}`);
  return lower === "m" ? ms * 60 : lower === "h" ? ms * 3600 : ms;
}

/** Milliseconds of `500ms`, `2s`, `1.5s` or `1m`, or undefined when that is not the form. */
function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  return match?.[1] === undefined || match[2] === undefined ? undefined : toMs(match[1], match[2]);
}

/**
 * Parses a duration with a unit, `ms`, `s` or `m` (case-insensitive, decimals allowed):
 * `500ms`, `2s`, `1.5s`, `1m`, `1h`. More than 0, at most 24 hours.
 *
 * @returns Milliseconds.
 */
export function parseDuration(value: string, flag: string): number {
  const ms = durationMs(value.trim());
  if (ms === undefined) throw expected(flag, DURATION_HINT, value);
  if (ms <= 0) throw expected(flag, "a duration greater than 0", value);
  if (ms > MAX_DURATION_MS)
    throw expected(flag, "a duration of at most 24h, the largest accepted", value);
  return ms;
}

const WHOLE = /^\d+$/;

function wholeNumber(text: string): number | undefined {
  const number = Number(text);
  return WHOLE.test(text) && Number.isSafeInteger(number) ? number : undefined;
}

/** Parses `--concurrency`: a whole number ≥ 1, or `all` for no limit. */
export function parseConcurrency(value: string, flag: string): Concurrency {
  const text = value.trim();
  if (text.toLowerCase() === "all") return "all";
  const number = wholeNumber(text);
  if (number === undefined || number < 1) {
    throw expected(flag, "a whole number ≥ 1 or `all`", value);
  }
  return number;
}

/** Parses a whole number from `min` up, and to `max` when one is given (both inclusive). */
export function parseCount(
  value: string,
  flag: string,
  range: { min: number; max?: number },
): number {
  const { min, max } = range;
  const number = wholeNumber(value.trim());
  if (number === undefined || number < min || (max !== undefined && number > max)) {
    const what =
      max === undefined ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
    throw expected(flag, what, value);
  }
  return number;
}

function isMode(name: string): name is Mode {
  return (MODES as readonly string[]).includes(name);
}

/**
 * Parses a comma-separated list of modes: names trimmed and case-insensitive, empty items
 * and repeats dropped, order kept, at least one.
 */
export function parseModes(value: string, flag: string): Mode[] {
  const names = value
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !isMode(name));
  if (names.length === 0 || unknown.length > 0) {
    const only = unknown.length === names.length && names.length === 1;
    const suffix = unknown.length === 0 || only ? "" : ` (unknown: ${unknown.join(", ")})`;
    throw new UsageError(
      `Expected ${flagName(flag)} to be a comma-separated list of ${MODES.join(", ")}, got ${quoteInput(value)}${suffix}`,
    );
  }
  return [...new Set(names.filter(isMode))];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~\dA-Za-z]+$/;
const TOKEN_CHARS = "letters, digits and !#$%&'*+-.^_`|~";
// What undici sends: tab, printable ASCII and Latin-1; anything else fails every request.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// undici refuses these, or (with no request body) every request would fail.
const MANAGED = ["Content-Length", "Expect", "Keep-Alive", "Transfer-Encoding", "Upgrade"];
const MANAGED_HEADERS = new Set(MANAGED.map((name) => name.toLowerCase()));
const MANAGED_LIST = `${MANAGED.slice(0, -1).join(", ")} or ${MANAGED.at(-1)}`;

/**
 * Parses a request header, `Name: value`. The name is an HTTP token, as typed (no space
 * before the colon); the value is trimmed and may be empty.
 */
export function parseHeader(value: string, flag: string): [name: string, value: string] {
  const colon = value.indexOf(":");
  const name = value.slice(0, Math.max(colon, 0)).trimStart();
  if (colon === -1 || name === "") throw expected(flag, '"Name: value"', value);
  if (!TOKEN.test(name)) {
    throw new UsageError(
      `Expected ${flagName(flag)} name to be made of ${TOKEN_CHARS}, got ${quoteInput(name)}`,
    );
  }
  const lower = name.toLowerCase();
  if (MANAGED_HEADERS.has(lower)) {
    throw expected(
      flag,
      `a header other than ${MANAGED_LIST}, which the HTTP client manages`,
      value,
    );
  }
  const fieldValue = value.slice(colon + 1).trim();
  if (!FIELD_VALUE.test(fieldValue)) {
    throw new UsageError(
      `Expected ${flagName(flag)} value to be printable ASCII or Latin-1 text, got ${quoteInput(fieldValue)}`,
    );
  }
  if (lower === "connection" && !fieldValue.split(",").every((t) => TOKEN.test(t.trim()))) {
    throw new UsageError(
      `Expected ${flagName(flag)} Connection value to be a comma-separated list of tokens, such as close, got ${quoteInput(fieldValue)}`,
    );
  }
  return [name, fieldValue];
}

/**
 * Merges parsed headers into one record. Repeated names (compared case-insensitively)
 * are combined the way curl sends them and HTTP reads them (RFC 9110 §5.3): non-empty
 * values joined with `, ` in order (`; ` for Cookie), under the first spelling of the name.
 * Nothing is overridden, so `-H "Accept: a" -H "Accept: b"` sends `Accept: a, b`.
 */
export function collectHeaders(
  list: readonly (readonly [name: string, value: string])[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  const spelling = new Map<string, string>();
  for (const [name, value] of list) {
    const lower = name.toLowerCase();
    const key = spelling.get(lower);
    if (key === undefined) {
      spelling.set(lower, name);
      headers[name] = value;
      continue;
    }
    const previous = headers[key] ?? "";
    const separator = lower === "cookie" ? "; " : ", ";
    headers[key] = previous === "" ? value : value === "" ? previous : previous + separator + value;
  }
  return headers;
}

/** Parses an HTTP method: a token, upper-cased. CONNECT is refused (it opens a tunnel). */
export function parseMethod(value: string, flag: string): string {
  const method = value.trim().toUpperCase();
  if (!TOKEN.test(method)) throw expected(flag, "an HTTP method such as GET or HEAD", value);
  if (method === "CONNECT") throw expected(flag, "an HTTP method other than CONNECT", value);
  return method;
}

const DELAY = new RegExp(`^(${NUMBER})(ms|s|m)?(?:-(${NUMBER})(ms|s|m))?$`, "i");
const DELAY_HINT = "a delay or a range with a unit, such as 200ms, 100-500ms or 1s-2s";

/**
 * Parses a server delay or range for `demo --delay`: `200ms`, `100-500ms` (the unit after
 * the second number applies to both), `1s-2s`, `100ms-1s`. 0 allowed, at most 10 minutes.
 *
 * @returns Milliseconds, `minMs` ≤ `maxMs` (equal for a single delay).
 */
export function parseDelayRange(value: string, flag: string): { minMs: number; maxMs: number } {
  const match = DELAY.exec(value.trim());
  const [, low, lowUnit, high, highUnit] = match ?? [];
  if (low === undefined || (lowUnit === undefined && highUnit === undefined)) {
    throw expected(flag, DELAY_HINT, value);
  }
  const minMs = toMs(low, lowUnit ?? highUnit ?? "ms");
  const maxMs = high === undefined ? minMs : toMs(high, highUnit ?? "ms");
  if (minMs > maxMs) throw expected(flag, "a range from low to high, such as 100-500ms", value);
  if (maxMs > MAX_DELAY_MS) throw expected(flag, "a delay of at most 10m", value);
  return { minMs, maxMs };
}

const MAX_WALL = "<mode>=<duration>";

/** Parses a wall-time limit for one mode, `<mode>=<duration>`: `concurrent=2s`. */
export function parseMaxWall(value: string, flag: string): { mode: Mode; ms: number } {
  const text = value.trim();
  const equals = text.indexOf("=");
  if (equals === -1) throw expected(flag, `${MAX_WALL}, such as concurrent=2s`, value);
  const mode = text.slice(0, equals).toLowerCase();
  if (!isMode(mode)) {
    throw expected(flag, `${MAX_WALL} with a mode of ${MODES.join(", ")}`, value);
  }
  const ms = durationMs(text.slice(equals + 1));
  if (ms === undefined) {
    throw expected(flag, `${MAX_WALL} with a unit on the duration, such as concurrent=2s`, value);
  }
  if (ms <= 0) throw expected(flag, `${MAX_WALL} with a duration greater than 0`, value);
  if (ms > MAX_DURATION_MS) {
    throw expected(flag, `${MAX_WALL} with a duration of at most 24h, the largest accepted`, value);
  }
  return { mode, ms };
}

const SPEEDUP = new RegExp(`^(${NUMBER})[x×]?$`, "i");

/** Parses a speed-up factor, `1.5`, `2x` or `2×`: a finite number greater than 0. */
export function parseSpeedup(value: string, flag: string): number {
  const number = Number(SPEEDUP.exec(value.trim())?.[1] ?? Number.NaN);
  if (!(number > 0 && Number.isFinite(number))) {
    throw expected(flag, "a number greater than 0, such as 1.5 or 2x", value);
  }
  return number;
}

/** Parses a report format, case-insensitive; `md` means `markdown`. */
export function parseFormat(value: string, flag: string): Format {
  const name = value.trim().toLowerCase();
  const format = name === "md" ? "markdown" : name;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw expected(flag, "one of table, json, markdown (md), csv", value);
  }
  return format as Format;
}

/** Parses `--sort`: a column of the per-URL table, case-insensitive. */
export function parseSort(value: string, flag: string): SortColumn {
  const name = value.trim().toLowerCase();
  if (!(SORT_COLUMNS as readonly string[]).includes(name)) {
    throw expected(flag, `one of ${SORT_COLUMNS.join(", ")}`, value);
  }
  return name as SortColumn;
}

function trimmed(number: number, decimals: number): string {
  return String(Number(number.toFixed(decimals)));
}

/**
 * Formats milliseconds for messages in the largest unit that fits: `500 ms`, `1.5 s`,
 * `1 min`, `24 h`.
 */
/** A duration in the form the flags take (`500ms`, `2s`, `1m`), for --help and for messages that quote a flag. */
export function formatDurationFlag(ms: number): string {
  if (ms >= MINUTE && ms % MINUTE === 0) return `${ms / MINUTE}m`;
  if (ms >= SECOND && ms % SECOND === 0) return `${ms / SECOND}s`;
  return `${ms}ms`;
}

export function formatDuration(ms: number): string {
  const size = Math.abs(ms);
  if (size >= HOUR) return `${trimmed(ms / HOUR, 2)} h`;
  if (size >= MINUTE) return `${trimmed(ms / MINUTE, 2)} min`;
  if (size >= SECOND) return `${trimmed(ms / SECOND, 3)} s`;
  return `${trimmed(ms, 3)} ms`;
}
