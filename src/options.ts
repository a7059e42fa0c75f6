import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { errorCode, UsageError } from "./errors.js";
import { SORT_COLUMNS, type SortColumn } from "./report/format.js";
import { type Concurrency, MODES, type Mode } from "./report/model.js";
import { type Format, findFormat, formatList } from "./report/render.js";
import { quoteInput } from "./targets.js";

export type { Format } from "./report/render.js";
export { formatDuration, formatDurationFlag } from "./report/units.js";

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
    /** `demo --sweep`: URLs, each one's delay, and the server's capacity, where the knee is. */
    sweep: Object.freeze({ count: 32, delayMs: 50, capacity: 8 }),
  }),
  serve: Object.freeze({ port: 8080, host: "127.0.0.1" }),
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const MAX_DURATION_MS = 24 * HOUR;
const MAX_DELAY_MS = 10 * MINUTE;

// `timeout` and `--timeout` both name the flag `--timeout`; `$NO_PROXY` names a variable.
function flagName(flag: string): string {
  return `\`${flag.startsWith("-") || flag.startsWith("$") ? flag : `--${flag}`}\``;
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

/** The most values a `--concurrency` list or range may hold: a sweep runs each of them. */
export const MAX_CONCURRENCY_VALUES = 32;

const RANGE = /^(\d+)\.\.(\d+)$/;
const LIST_HINT =
  "a whole number ≥ 1, `all`, a list such as 1,4,16,all or a doubling range such as 1..256";

/**
 * Parses `--concurrency` as one or more values: a whole number ≥ 1, `all`, a comma-separated
 * list of them, or a doubling range `a..b` (a, 2a, 4a, … while ≤ b, then b itself). Values come
 * back ascending without repeats, `all` last. One value is what `parseConcurrency` returns.
 */
export function parseConcurrencyList(value: string, flag: string): Concurrency[] {
  const items = value.split(",").map((item) => item.trim());
  if (items.length === 1 && !RANGE.test(items[0] ?? "")) return [parseConcurrency(value, flag)];
  const numbers = new Set<number>();
  let all = false;
  for (const item of items) {
    if (item === "") throw expected(flag, `${LIST_HINT} (an item is empty)`, value);
    const range = RANGE.exec(item);
    if (range === null) {
      const one = parseConcurrency(item, flag);
      if (one === "all") all = true;
      else numbers.add(one);
      continue;
    }
    const from = wholeNumber(range[1] ?? "");
    const to = wholeNumber(range[2] ?? "");
    if (from === undefined || to === undefined || from < 1 || to < from) {
      throw expected(
        flag,
        "a doubling range from a whole number ≥ 1 up to a larger one, such as 1..256",
        item,
      );
    }
    for (let c = from; c <= to; c *= 2) numbers.add(c);
    numbers.add(to);
  }
  const values: Concurrency[] = [...numbers].sort((a, b) => a - b);
  if (all) values.push("all");
  if (values.length > MAX_CONCURRENCY_VALUES) {
    throw expected(
      flag,
      `at most ${MAX_CONCURRENCY_VALUES} concurrency values (each is a variant that runs the whole list)`,
      value,
    );
  }
  return values;
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

/** `concurrent@32`: the concurrent mode at one concurrency of a sweep. */
function variantConcurrency(mode: string, at: string | undefined, flag: string, value: string) {
  if (at === undefined) return undefined;
  if (mode !== "concurrent") {
    throw expected(
      flag,
      "a concurrency (`@<c>`) only on the concurrent mode, such as concurrent@32",
      value,
    );
  }
  return parseConcurrency(at, flag);
}

/**
 * Parses a wall-time limit for one mode, `<mode>=<duration>`: `concurrent=2s`; in a sweep
 * `concurrent@32=2s` names one concurrency.
 */
export function parseMaxWall(
  value: string,
  flag: string,
): { mode: Mode; ms: number; concurrency?: Concurrency } {
  const text = value.trim();
  const equals = text.indexOf("=");
  if (equals === -1) throw expected(flag, `${MAX_WALL}, such as concurrent=2s`, value);
  const [mode = "", at] = text.slice(0, equals).toLowerCase().split("@");
  if (!isMode(mode)) {
    throw expected(flag, `${MAX_WALL} with a mode of ${MODES.join(", ")}`, value);
  }
  const concurrency = variantConcurrency(mode, at, flag, value);
  const ms = durationMs(text.slice(equals + 1));
  if (ms === undefined) {
    throw expected(flag, `${MAX_WALL} with a unit on the duration, such as concurrent=2s`, value);
  }
  if (ms <= 0) throw expected(flag, `${MAX_WALL} with a duration greater than 0`, value);
  if (ms > MAX_DURATION_MS) {
    throw expected(flag, `${MAX_WALL} with a duration of at most 24h, the largest accepted`, value);
  }
  return concurrency === undefined ? { mode, ms } : { mode, ms, concurrency };
}

/**
 * Parses `--min-speedup`: a factor (as `parseSpeedup`), and in a sweep optionally `@<c>` for
 * the concurrency it applies to (`2x@32`); without it, the best variant's speed-up counts.
 */
export function parseMinSpeedup(
  value: string,
  flag: string,
): { factor: number; concurrency: Concurrency | null } {
  const [factor = "", at] = value.split("@");
  return {
    factor: parseSpeedup(factor, flag),
    concurrency: variantConcurrency("concurrent", at, flag, value) ?? null,
  };
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

/** Parses a report format by its name or an alias, case-insensitive; `md` means `markdown`. */
export function parseFormat(value: string, flag: string): Format {
  const format = findFormat(value);
  if (format === undefined) throw expected(flag, `one of ${formatList()}`, value);
  return format;
}

/** Parses `--sort`: a column of the per-URL table, case-insensitive. */
export function parseSort(value: string, flag: string): SortColumn {
  const name = value.trim().toLowerCase();
  if (!(SORT_COLUMNS as readonly string[]).includes(name)) {
    throw expected(flag, `one of ${SORT_COLUMNS.join(", ")}`, value);
  }
  return name as SortColumn;
}

/**
 * How connections are made, for the client factory. Every field is a flag of `run` and
 * `demo`; null or false leaves undici's own behaviour.
 */
export interface ConnectionOptions {
  /** `-x, --proxy`: the proxy for every request, overriding `HTTP_PROXY`/`HTTPS_PROXY`; null: from the environment. */
  proxy: string | null;
  /** `--noproxy`: hosts reached directly, overriding `NO_PROXY`; `["*"]` is every host; null: from the environment. */
  noProxy: string[] | null;
  /** `-k, --insecure`: accept any server certificate. */
  insecure: boolean;
  /** `--cacert`: PEM certificates to trust besides the system's, read once; null when not given. */
  ca: string | null;
  /** `--http2`: offer HTTP/2 through ALPN, falling back to HTTP/1.1. */
  http2: boolean;
  /** `--connect-timeout`: deadline to open a connection, in ms; null: the request's `--timeout` bounds it. */
  connectTimeoutMs: number | null;
  /** `--per-host`: connections to one origin at most, in every mode; null: no cap beyond the mode's own. */
  perHost: number | null;
  /** `--resolve`: host and port pairs sent to chosen addresses, keeping the name for Host and TLS. */
  resolve: ResolveRule[];
}

/** No connection flag given: direct (or as the environment says), certificates checked, HTTP/1.1. */
export const DEFAULT_CONNECTION: Readonly<ConnectionOptions> = Object.freeze({
  proxy: null,
  noProxy: null,
  insecure: false,
  ca: null,
  http2: false,
  connectTimeoutMs: null,
  perHost: null,
  resolve: [],
});

/** An IPv6 address as URLs write it, `[::1]`, without its brackets; anything else as it is. */
export function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, "$1");
}

/** One `--resolve host:port:addr[,addr…]`. */
export interface ResolveRule {
  /** Lower-case host name as it appears in URLs (no brackets). */
  host: string;
  port: number;
  /** IPv4 or IPv6 addresses (no brackets), tried in order. */
  addresses: string[];
}

/** The body `-d, --data` sends, and where it came from. */
export interface RequestBody {
  data: Buffer;
  /** `--data` for text given inline, `--data @FILE` for a file. */
  source: string;
}

/** The proxy port curl assumes when the URL names none. */
const DEFAULT_PROXY_PORT = "1080";
const PROXY_SCHEMES = new Set(["http:", "https:"]);

/**
 * Parses a proxy URL as curl reads `-x`: `http://host:port`, `https://…`, or a bare
 * `host:port` taken as `http://`. Port 1080 when none is given, as curl does.
 * Credentials in the URL are kept (Proxy-Authorization is built from them).
 */
export function parseProxy(value: string, flag: string): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const hint = "a proxy URL such as http://proxy.example:3128";
  if (!URL.canParse(withScheme)) throw expected(flag, hint, value);
  const url = new URL(withScheme);
  if (!PROXY_SCHEMES.has(url.protocol)) {
    throw expected(flag, "an http:// or https:// proxy URL", value);
  }
  if (url.hostname === "" || (url.pathname !== "/" && url.pathname !== "")) {
    throw expected(flag, hint, value);
  }
  if (url.port === "" && !/:\d+\/?$/.test(withScheme)) url.port = DEFAULT_PROXY_PORT;
  return url.href.replace(/\/$/, "");
}

/**
 * Parses a `--noproxy` list as curl does: comma-separated host names, domains (a leading
 * dot is optional and matches subdomains), IP addresses, or `*` for every host. An empty
 * list means none, so `--noproxy ""` sends every request through the proxy.
 */
export function parseNoProxy(value: string, flag: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  for (const name of names) {
    if (name !== "*" && !/^\.?[a-z\d\-.:[\]_]+$/.test(name)) {
      throw expected(
        flag,
        "a comma-separated list of host names, domains or addresses, or *",
        value,
      );
    }
  }
  return [...new Set(names)];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks that `text`, read from `file`, holds at least one PEM certificate and that every
 * one parses. Returns the certificates alone, ready to pass as `ca`.
 */
export function parseCaBundle(text: string, file: string, flag: string): string {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new UsageError(
      `Expected ${flagName(flag)} file ${quoteInput(file)} to contain a PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new UsageError(
        `Expected ${flagName(flag)} file ${quoteInput(file)} to contain valid PEM certificates; certificate ${i + 1} does not parse`,
      );
    }
  });
  return `${blocks.join("\n")}\n`;
}

/**
 * Turns the `-d, --data` values into the body, by curl's rules: `@FILE` reads the file
 * (carriage returns and newlines removed), anything else is sent as given, and several
 * values are joined with `&`. `readFile` reads a file, or throws a UsageError.
 */
export async function parseData(
  values: readonly string[],
  flag: string,
  readFile: (path: string) => Promise<Buffer>,
): Promise<RequestBody> {
  const parts: Buffer[] = [];
  const files: string[] = [];
  for (const value of values) {
    if (!value.startsWith("@")) {
      parts.push(Buffer.from(value, "utf8"));
      continue;
    }
    const path = value.slice(1);
    if (path === "" || path === "-") {
      throw expected(flag, "text or @FILE (a body from standard input is not supported)", value);
    }
    const bytes = await readFile(path);
    // curl -d @file strips them; --data-binary would keep them.
    parts.push(Buffer.from(bytes.filter((byte) => byte !== 0x0a && byte !== 0x0d)));
    files.push(path);
  }
  const data = Buffer.concat(
    parts.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from("&"), part])),
  );
  const source = files.length === 0 ? "--data" : `--data @${files.join(", @")}`;
  return { data, source };
}

/** The Content-Type curl sends with `-d` unless a `-H` sets one. */
export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";

/**
 * The method and headers a request with a body goes out with, by curl's rules: POST unless
 * `-X` named a method, and a form Content-Type unless a header sets one.
 */
export function withBodyDefaults(
  method: string,
  methodGiven: boolean,
  headers: Record<string, string>,
): { method: string; headers: Record<string, string> } {
  const hasType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  return {
    method: methodGiven ? method : "POST",
    headers: hasType ? headers : { ...headers, "Content-Type": FORM_CONTENT_TYPE },
  };
}

/** Highest `--rate`: beyond it the timers cannot keep a schedule anyway. */
const MAX_RATE = 100_000;

/** Parses `--rate`: requests per second, a number greater than 0 (decimals allowed), at most 100000. */
export function parseRate(value: string, flag: string): number {
  const text = value.trim();
  const number = new RegExp(`^${NUMBER}$`).test(text) ? Number(text) : Number.NaN;
  if (!(number > 0 && number <= MAX_RATE)) {
    throw expected(
      flag,
      `a number of requests per second greater than 0 and at most ${MAX_RATE}`,
      value,
    );
  }
  return number;
}

/**
 * Parses curl's `--resolve host:port:addr[,addr…]`. The host is compared
 * case-insensitively; an IPv6 address may be written with or without brackets.
 */
export function parseResolve(value: string, flag: string): ResolveRule {
  const hint = "host:port:address, such as api.example:443:127.0.0.1";
  const match = /^(\[[^\]]+\]|[^:]+):(\d+):(.+)$/.exec(value.trim());
  if (match === null) throw expected(flag, hint, value);
  const [, rawHost = "", rawPort = "", rawAddresses = ""] = match;
  const port = Number(rawPort);
  if (!(port >= 1 && port <= 65_535))
    throw expected(flag, `${hint}, with a port from 1 to 65535`, value);
  const addresses = rawAddresses.split(",").map((address) => unbracket(address.trim()));
  if (addresses.some((address) => isIP(address) === 0)) {
    throw expected(flag, `${hint}, with IP addresses after the port`, value);
  }
  return { host: unbracket(rawHost).toLowerCase(), port, addresses };
}

/** Reads a file a flag names (`--cacert`, `--data @FILE`), once; a failure is a one-line usage error. */
export async function readFlagFile(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = errorCode(error) ?? "unknown error";
    const why =
      code === "ENOENT" || code === "ENOTDIR"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : `cannot read (${code})`;
    throw new UsageError(`${flagName(flag)} file ${quoteInput(path)}: ${why}`);
  }
}
