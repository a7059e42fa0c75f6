/**
 * The CSV report: one row per request per run, warm-ups included and flagged, so nothing is
 * dropped. Lines end in LF (not RFC 4180's CRLF): spreadsheets, pandas and csvkit read both,
 * and LF is what Unix pipelines expect. Text a server sent is sanitized, since a CSV on
 * standard output may reach a terminal; the JSON report keeps it as sent. The run's own
 * figures (its wall and its event loop) close each row, repeated for every request of the run,
 * so one file carries everything without a second table.
 */

import { csvField, type RenderOptions, roundMs, sanitize } from "./format.js";
import { type Report, variantKey } from "./model.js";

/** The columns, in order; their names are part of the CSV contract. */
export const CSV_COLUMNS = [
  "mode",
  "run",
  "warmup",
  "index",
  "line",
  "url",
  "final_url",
  "status",
  "ok",
  "bytes",
  "redirects",
  "queued_ms",
  "dns_ms",
  "tcp_ms",
  "tls_ms",
  "connect_ms",
  "ttfb_ms",
  "download_ms",
  "reused_connection",
  "connection_id",
  "latency_ms",
  "start_ms",
  "schedule_lag_ms",
  "end_ms",
  "error_kind",
  "error_code",
  "error_message",
  "run_wall_ms",
  "loop_max_delay_ms",
  "loop_p99_delay_ms",
  "loop_utilization",
  "heartbeat_expected",
  "heartbeat_fired",
] as const;

/** Milliseconds with at most 3 decimals and no trailing zeros; null stays null (empty field). */
function ms(value: number | null): number | null {
  return roundMs(value, 3);
}

function text(value: string | null): string | null {
  return value === null ? null : sanitize(value);
}

/**
 * Renders every request of every run, in run order then list order, a line at a time.
 * Options are ignored.
 */
export function* renderCsv(report: Report, _options: RenderOptions): Generator<string> {
  yield `${CSV_COLUMNS.join(",")}\n`;
  const sweeping = (report.options.sweep?.length ?? 0) > 1;
  for (const run of report.runs) {
    const loop = run.eventLoop;
    const runFields = [
      ms(run.wallMs),
      ms(loop?.maxDelayMs ?? null),
      ms(loop?.p99DelayMs ?? null),
      loop === null ? null : Number(loop.utilization.toFixed(4)),
      loop?.heartbeat.expected ?? null,
      loop?.heartbeat.fired ?? null,
    ];
    for (const r of run.requests) {
      const fields: (string | number | boolean | null)[] = [
        // In a sweep, which concurrency: `concurrent@8`; otherwise the mode, as always.
        variantKey(run.mode, run.concurrency, sweeping),
        run.iteration,
        run.warmup,
        r.index,
        r.line,
        text(r.url),
        text(r.finalUrl),
        r.status,
        r.ok,
        r.bytes,
        r.redirects,
        ms(r.queuedMs),
        ms(r.dnsMs),
        ms(r.tcpMs),
        ms(r.tlsMs),
        ms(r.connectMs),
        ms(r.ttfbMs),
        ms(r.downloadMs),
        r.reusedConnection,
        r.connectionId,
        ms(r.latencyMs),
        ms(r.startMs),
        ms(r.scheduleLagMs),
        ms(r.endMs),
        r.error?.kind ?? null,
        text(r.error?.code ?? null),
        text(r.error?.message ?? null),
        ...runFields,
      ];
      yield `${fields.map(csvField).join(",")}\n`;
    }
  }
}
