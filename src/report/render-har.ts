/**
 * The run as an HTTP Archive (HAR 1.2), so it opens in a browser's developer tools and every HAR
 * viewer: one page per mode and run, one entry per request, the phases in HAR's `timings`, and
 * what HAR has no field for under `_fetchbench` (custom fields start with `_`, as the format
 * allows). Text is kept as sent, like the JSON report; nothing is measured here.
 */

import { errorText, type RenderOptions, roundMs } from "./format.js";
import type { Report, RequestResult, RunResult } from "./model.js";
import { escapeHazards } from "./render-json.js";
import { msOrNull } from "./units.js";

/** HAR writes -1 for a timing that does not apply or was not measured. */
const NOT_APPLICABLE = -1;

function ms(value: number): number {
  return roundMs(value, 3) ?? 0;
}

/** The page id of a run: `sequential-1`, `concurrent-warmup-1`. */
function pageId(run: RunResult): string {
  return `${run.variant ?? run.mode}-${run.warmup ? "warmup-" : ""}${run.iteration}`;
}

/** HAR's `httpVersion`: `HTTP/1.1`, `HTTP/2`; empty when not recorded. */
function httpVersion(value: string | null): string {
  if (value === null || value === "") return "";
  return value.toUpperCase().startsWith("HTTP") ? value : `HTTP/${value}`;
}

/**
 * HAR's `timings` from a request's phases. `blocked` is `queuedMs`, the wait for a concurrency
 * slot and then a free connection; `dns`,
 * `connect` (which includes `ssl`, as HAR defines it) and `ssl` only when a connection was
 * opened; `send` is not measured apart and counts as 0; `wait` runs from the connection (or the
 * dispatch) to the final headers, or to the failure when none came; `receive` is the body.
 */
function timings(r: RequestResult) {
  const dns = msOrNull(r.dnsMs);
  const tcp = msOrNull(r.tcpMs);
  const tls = msOrNull(r.tlsMs);
  const connectAll = msOrNull(r.connectMs) ?? (tcp === null ? null : tcp + (tls ?? 0) + (dns ?? 0));
  const connect = connectAll === null ? null : Math.max(0, connectAll - (dns ?? 0));
  const ttfb = msOrNull(r.ttfbMs);
  const upToHeaders = ttfb ?? r.latencyMs;
  const wait = Math.max(0, upToHeaders - (connectAll ?? 0));
  const receive = ttfb === null ? 0 : Math.max(0, msOrNull(r.downloadMs) ?? r.latencyMs - ttfb);
  const blocked = msOrNull(r.queuedMs) ?? 0;
  const t = {
    blocked: ms(blocked),
    dns: dns === null ? NOT_APPLICABLE : ms(dns),
    connect: connect === null ? NOT_APPLICABLE : ms(connect),
    ssl: tls === null ? NOT_APPLICABLE : ms(tls),
    send: 0,
    wait: ms(wait),
    receive: ms(receive),
  };
  // HAR's `time` is the sum of the timings that apply (`ssl` is inside `connect`).
  const time = [t.blocked, t.dns, t.connect, t.send, t.wait, t.receive]
    .filter((v) => v !== NOT_APPLICABLE)
    .reduce((a, b) => a + b, 0);
  return { timings: t, time: ms(time) };
}

function entry(report: Report, run: RunResult, runStart: number, r: RequestResult) {
  const { timings: t, time } = timings(r);
  const started = runStart + r.startMs - (msOrNull(r.queuedMs) ?? 0);
  const version = httpVersion(r.httpVersion);
  const query = URL.canParse(r.url) ? [...new URL(r.url).searchParams] : [];
  return {
    pageref: pageId(run),
    startedDateTime: new Date(started).toISOString(),
    time,
    request: {
      method: report.options.method,
      url: r.url,
      httpVersion: version,
      cookies: [],
      headers: Object.entries(report.options.headers).map(([name, value]) => ({ name, value })),
      queryString: query.map(([name, value]) => ({ name, value })),
      headersSize: NOT_APPLICABLE,
      bodySize: NOT_APPLICABLE,
    },
    response: {
      // 0 when no response arrived, as browsers export it.
      status: r.status ?? 0,
      statusText: "",
      httpVersion: version,
      cookies: [],
      headers: [],
      content: { size: r.bytes, mimeType: "" },
      redirectURL: "",
      headersSize: NOT_APPLICABLE,
      bodySize: r.status === null ? NOT_APPLICABLE : r.bytes,
      ...(r.error === null ? {} : { _error: errorText(r.error) }),
    },
    cache: {},
    timings: t,
    ...(r.connectionId === null ? {} : { connection: String(r.connectionId) }),
    _fetchbench: {
      mode: run.mode,
      iteration: run.iteration,
      warmup: run.warmup,
      index: r.index,
      line: r.line,
      finalUrl: r.finalUrl,
      redirects: r.redirects,
      ok: r.ok,
      reusedConnection: r.reusedConnection,
      queuedMs: r.queuedMs,
      dnsMs: msOrNull(r.dnsMs),
      tcpMs: msOrNull(r.tcpMs),
      tlsMs: msOrNull(r.tlsMs),
      connectMs: r.connectMs,
      ttfbMs: r.ttfbMs,
      downloadMs: r.downloadMs,
      latencyMs: r.latencyMs,
      startMs: r.startMs,
      endMs: r.endMs,
      error: r.error,
    },
  };
}

/**
 * The wall-clock start of each run. The report records when the first run started and how long
 * each took, not the pauses between runs, so runs are laid end to end from `startedAt`.
 */
function runStarts(report: Report): number[] {
  let at = Date.parse(report.startedAt);
  if (!Number.isFinite(at)) at = 0;
  return report.runs.map((run) => {
    const start = at;
    at += run.wallMs;
    return start;
  });
}

/** Renders the HAR, a page or an entry at a time. Options are ignored. */
export function* renderHar(report: Report, _options: RenderOptions): Generator<string> {
  const starts = runStarts(report);
  const creator = { name: report.tool.name, version: report.tool.version };
  yield `{"log":{"version":"1.2","creator":${JSON.stringify(creator)},`;
  yield `"comment":${escapeHazards(JSON.stringify(`fetchbench run of ${report.source}`))},\n"pages":[`;
  for (const [i, run] of report.runs.entries()) {
    const page = {
      startedDateTime: new Date(starts[i] ?? 0).toISOString(),
      id: pageId(run),
      title: `${run.variant ?? run.mode}, ${run.warmup ? "warm-up" : "run"} ${run.iteration}`,
      pageTimings: { onContentLoad: NOT_APPLICABLE, onLoad: ms(run.wallMs) },
      _fetchbench: {
        mode: run.mode,
        iteration: run.iteration,
        warmup: run.warmup,
        concurrency: run.concurrency,
        wallMs: run.wallMs,
        connectionsOpened: run.connectionsOpened,
        peakInFlight: run.peakInFlight,
        eventLoop: run.eventLoop,
      },
    };
    yield `${i === 0 ? "\n" : ",\n"}${escapeHazards(JSON.stringify(page))}`;
  }
  yield '\n],\n"entries":[';
  let first = true;
  for (const [i, run] of report.runs.entries()) {
    for (const r of run.requests) {
      const text = escapeHazards(JSON.stringify(entry(report, run, starts[i] ?? 0, r)));
      yield `${first ? "\n" : ",\n"}${text}`;
      first = false;
    }
  }
  yield "\n]}}\n";
}
