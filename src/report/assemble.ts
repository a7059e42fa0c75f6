/** The report from runs and what describes them: pure, so saved runs can be re-assembled. */

import { VERSION } from "../version.js";
import {
  type Report,
  type ReportOptions,
  type RunResult,
  SCHEMA_VERSION,
  type Shard,
} from "./model.js";
import { buildSummary, notRunByMode } from "./summary.js";

/** Everything in a report besides the runs and what is computed from them. */
export interface ReportMetadata {
  /** ISO 8601 wall-clock time the first run started. */
  startedAt: string;
  /** The list's file name, `-`, or `demo`. */
  source: string;
  options: ReportOptions;
  shard: Shard | null;
  /** URLs in the list (of this shard), run or not. */
  urlCount: number;
  /** Ctrl-C cut the comparison short. */
  interrupted: boolean;
  /** The tool version that made the runs; this one by default. */
  version?: string;
}

/** Builds the report: the metadata as given, the runs unchanged, the summary computed from them. */
/**
 * Request headers whose values are secrets: a report is kept as a CI artifact, attached to a pull
 * request or sent to a colleague, so it names them but never holds their values (as browsers'
 * sanitized HAR exports do). The requests themselves were sent with the real values.
 */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key"]);
export const REDACTED = "[redacted]";

/** The headers with every secret value replaced by `[redacted]`, names and order kept. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}

export function assembleReport(runs: RunResult[], metadata: ReportMetadata): Report {
  const { options } = metadata;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "fetchbench", version: metadata.version ?? VERSION },
    startedAt: metadata.startedAt,
    source: metadata.source,
    options: { ...options, headers: redactHeaders(options.headers) },
    shard: metadata.shard,
    urlCount: metadata.urlCount,
    interrupted: metadata.interrupted,
    notRun: notRunByMode(
      runs,
      options.modes,
      options.runs,
      metadata.urlCount,
      options.sweep?.length ?? 1,
    ),
    runs,
    summary: buildSummary(runs, {
      modes: options.modes,
      concurrency: options.concurrency,
      ...(options.sweep === undefined ? {} : { sweep: options.sweep }),
    }),
  };
}
