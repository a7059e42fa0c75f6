/**
 * Reads a saved JSON report: checks that it is one fetchbench wrote, upgrades what older
 * versions left out, and re-assembles it so that the summary is the one this version computes.
 * Anything else is an `InputError` of one line naming the file and what is wrong.
 */

import { readFile } from "node:fs/promises";
import { errorCode, InputError } from "../errors.js";
import { quoteInput } from "../targets.js";
import { assembleReport } from "./assemble.js";
import {
  ERROR_KINDS,
  type EventLoopStats,
  HTTP_VERSIONS,
  type HttpVersion,
  MODES,
  type Mode,
  type Report,
  type ReportOptions,
  type RequestError,
  type RequestResult,
  type RunResult,
  SCHEMA_VERSION,
  type Shard,
  variantKey,
} from "./model.js";

type Json = Record<string, unknown>;

/** Reads and validates a report file; `name` is how messages call it (the path as given). */
export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = errorCode(error);
    throw new InputError(
      code === "ENOENT"
        ? `${path}: no such file`
        : code === "EISDIR"
          ? `${path}: is a directory, expected a JSON report`
          : `${path}: cannot read (${code ?? "unknown error"})`,
    );
  }
  return parseReport(text, path);
}

/**
 * Parses the text of a saved report. Every schema version this tool has written is read;
 * the summary is computed afresh from the runs.
 *
 * @throws {InputError} `NAME: what is wrong`, one line.
 */
export function parseReport(text: string, name: string): Report {
  const fail = (what: string) => new InputError(`${name}: ${what}`);
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") throw fail("is empty, expected a fetchbench JSON report");
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const endsEarly =
      /end of (JSON )?input|Unterminated/i.test(message) ||
      (position !== undefined && Number(position) >= trimmed.length);
    throw fail(
      endsEarly
        ? "is not complete JSON (it ends early: truncated?)"
        : `is not JSON (${message.split("\n")[0]})`,
    );
  }
  if (!isObject(data)) throw fail("is JSON but not a fetchbench report (not an object)");
  const tool = data.tool;
  if (!isObject(tool) || tool.name !== "fetchbench") {
    throw fail('is JSON but not a fetchbench report (no `tool.name` "fetchbench")');
  }
  const version = data.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw fail("has no valid `schemaVersion` (expected a whole number from 1)");
  }
  if (version > SCHEMA_VERSION) {
    throw fail(
      `has schema version ${version}, newer than this fetchbench reads (up to ${SCHEMA_VERSION}); upgrade fetchbench`,
    );
  }
  const check = new Checker(name);
  const options = readOptions(check, data.options);
  // Version 1 had no sweeps and no `variant`: each run's variant is its mode.
  const sweeping = (options.sweep?.length ?? 0) > 1;
  const runs = check
    .array(data.runs, "runs")
    .map((run, i) => readRun(check, run, `runs[${i}]`))
    .map((run) => ({ ...run, variant: variantKey(run.mode, run.concurrency, sweeping) }));
  const report = assembleReport(runs, {
    startedAt: check.string(data.startedAt, "startedAt"),
    source: check.string(data.source, "source"),
    options,
    shard: readShard(check, data.shard),
    // Reports from before these fields existed were complete runs over every URL they hold.
    urlCount:
      data.urlCount === undefined
        ? new Set(runs.flatMap((run) => run.requests.map((request) => request.index))).size
        : check.number(data.urlCount, "urlCount"),
    interrupted: data.interrupted === true,
    version: check.string(tool.version, "tool.version"),
  });
  // Top-level fields this file does not check (added by later capabilities) are kept.
  return { ...data, ...report };
}

/** Turns a wrong field into one line: `NAME: \`runs[0].wallMs\` is missing or not a number`. */
class Checker {
  constructor(private readonly name: string) {}

  fail(path: string, expected: string): InputError {
    return new InputError(`${this.name}: \`${path}\` is missing or not ${expected}`);
  }

  object(value: unknown, path: string): Json {
    if (!isObject(value)) throw this.fail(path, "an object");
    return value;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(path, "a list");
    return value;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) throw this.fail(path, "a number");
    return value;
  }

  numberOrNull(value: unknown, path: string): number | null {
    return value === null || value === undefined ? null : this.number(value, path);
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string") throw this.fail(path, "a string");
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") throw this.fail(path, "true or false");
    return value;
  }

  mode(value: unknown, path: string): Mode {
    if (!MODES.includes(value as Mode)) {
      throw new InputError(
        `${this.name}: \`${path}\` is ${typeof value === "string" ? quoteInput(value) : "missing"}, expected one of ${MODES.join(", ")}`,
      );
    }
    return value as Mode;
  }
}

function readOptions(check: Checker, value: unknown): ReportOptions {
  const options = check.object(value, "options");
  const concurrency =
    options.concurrency === "all"
      ? "all"
      : check.number(options.concurrency, "options.concurrency");
  const sweep =
    options.sweep === undefined || options.sweep === null
      ? undefined
      : check
          .array(options.sweep, "options.sweep")
          .map((value, i) =>
            value === "all" ? "all" : check.number(value, `options.sweep[${i}]`),
          );
  const headers =
    options.headers === undefined ? {} : check.object(options.headers, "options.headers");
  for (const [key, header] of Object.entries(headers))
    check.string(header, `options.headers.${key}`);
  return {
    ...options,
    modes: check
      .array(options.modes, "options.modes")
      .map((mode, i) => check.mode(mode, `options.modes[${i}]`)),
    concurrency,
    ...(sweep === undefined ? {} : { sweep }),
    runs: check.number(options.runs, "options.runs"),
    warmup: check.number(options.warmup, "options.warmup"),
    timeoutMs: check.number(options.timeoutMs, "options.timeoutMs"),
    maxRedirects: check.number(options.maxRedirects, "options.maxRedirects"),
    // Reports from before `--method` and `--header` existed made plain GETs.
    method: options.method === undefined ? "GET" : check.string(options.method, "options.method"),
    headers: headers as Record<string, string>,
    // Reports from before `--rate` started every request at once.
    ratePerSecond:
      options.ratePerSecond === undefined || options.ratePerSecond === null
        ? null
        : check.number(options.ratePerSecond, "options.ratePerSecond"),
    // Reports from before proxies and `--insecure` were recorded went direct, checking certificates.
    proxies:
      options.proxies === undefined
        ? []
        : check
            .array(options.proxies, "options.proxies")
            .map((proxy, i) => check.string(proxy, `options.proxies[${i}]`)),
    insecure:
      options.insecure === undefined ? false : check.boolean(options.insecure, "options.insecure"),
  };
}

function readHttpVersion(check: Checker, value: unknown, path: string): HttpVersion | null {
  if (value === null || value === undefined) return null;
  const version = check.string(value, path);
  if (!(HTTP_VERSIONS as readonly string[]).includes(version)) {
    throw check.fail(path, `one of ${HTTP_VERSIONS.map((v) => `"${v}"`).join(", ")}`);
  }
  return version as HttpVersion;
}

function readShard(check: Checker, value: unknown): Shard | null {
  if (value === null || value === undefined) return null;
  const shard = check.object(value, "shard");
  return {
    index: check.number(shard.index, "shard.index"),
    count: check.number(shard.count, "shard.count"),
  };
}

function readRun(check: Checker, value: unknown, path: string): RunResult {
  const run = check.object(value, path);
  // Fields this file does not check (added by later capabilities) are kept as they are.
  return {
    ...run,
    mode: check.mode(run.mode, `${path}.mode`),
    iteration: check.number(run.iteration, `${path}.iteration`),
    warmup: check.boolean(run.warmup, `${path}.warmup`),
    concurrency:
      run.concurrency === "all" ? "all" : check.number(run.concurrency, `${path}.concurrency`),
    wallMs: check.number(run.wallMs, `${path}.wallMs`),
    connectionsOpened: check.numberOrNull(run.connectionsOpened, `${path}.connectionsOpened`),
    peakInFlight: check.number(run.peakInFlight, `${path}.peakInFlight`),
    eventLoop: readEventLoop(check, run.eventLoop, `${path}.eventLoop`),
    requests: check
      .array(run.requests, `${path}.requests`)
      .map((request, i) => readRequest(check, request, `${path}.requests[${i}]`)),
  };
}

function readEventLoop(check: Checker, value: unknown, path: string): EventLoopStats | null {
  if (value === null || value === undefined) return null;
  const loop = check.object(value, path);
  const heartbeat = check.object(loop.heartbeat, `${path}.heartbeat`);
  return {
    maxDelayMs: check.number(loop.maxDelayMs, `${path}.maxDelayMs`),
    p99DelayMs: check.number(loop.p99DelayMs, `${path}.p99DelayMs`),
    utilization: check.number(loop.utilization, `${path}.utilization`),
    heartbeat: {
      expected: check.number(heartbeat.expected, `${path}.heartbeat.expected`),
      fired: check.number(heartbeat.fired, `${path}.heartbeat.fired`),
    },
  };
}

function readRequest(check: Checker, value: unknown, path: string): RequestResult {
  const request = check.object(value, path);
  const url = check.string(request.url, `${path}.url`);
  return {
    ...request,
    index: check.number(request.index, `${path}.index`),
    line: check.number(request.line, `${path}.line`),
    url,
    finalUrl:
      request.finalUrl === undefined ? url : check.string(request.finalUrl, `${path}.finalUrl`),
    ok: check.boolean(request.ok, `${path}.ok`),
    status: check.numberOrNull(request.status, `${path}.status`),
    bytes: check.number(request.bytes, `${path}.bytes`),
    redirects:
      request.redirects === undefined ? 0 : check.number(request.redirects, `${path}.redirects`),
    reusedConnection:
      request.reusedConnection === null || request.reusedConnection === undefined
        ? null
        : check.boolean(request.reusedConnection, `${path}.reusedConnection`),
    // Reports from before phases were measured have none: null, as for a request without them.
    connectionId: check.numberOrNull(request.connectionId, `${path}.connectionId`),
    httpVersion: readHttpVersion(check, request.httpVersion, `${path}.httpVersion`),
    startMs: check.number(request.startMs, `${path}.startMs`),
    scheduleLagMs: check.numberOrNull(request.scheduleLagMs ?? null, `${path}.scheduleLagMs`),
    queuedMs:
      request.queuedMs === undefined ? 0 : check.number(request.queuedMs, `${path}.queuedMs`),
    dnsMs: check.numberOrNull(request.dnsMs, `${path}.dnsMs`),
    tcpMs: check.numberOrNull(request.tcpMs, `${path}.tcpMs`),
    tlsMs: check.numberOrNull(request.tlsMs, `${path}.tlsMs`),
    connectMs: check.numberOrNull(request.connectMs, `${path}.connectMs`),
    ttfbMs: check.numberOrNull(request.ttfbMs, `${path}.ttfbMs`),
    downloadMs: check.numberOrNull(request.downloadMs, `${path}.downloadMs`),
    latencyMs: check.number(request.latencyMs, `${path}.latencyMs`),
    endMs: check.number(request.endMs, `${path}.endMs`),
    error: readError(check, request.error, `${path}.error`),
  };
}

function readError(check: Checker, value: unknown, path: string): RequestError | null {
  if (value === null || value === undefined) return null;
  const error = check.object(value, path);
  const kind = error.kind;
  return {
    // A kind a newer version added is kept readable as `other`.
    kind: ERROR_KINDS.includes(kind as RequestError["kind"])
      ? (kind as RequestError["kind"])
      : "other",
    code:
      error.code === null || error.code === undefined
        ? null
        : check.string(error.code, `${path}.code`),
    message: check.string(error.message, `${path}.message`),
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
