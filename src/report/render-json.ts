/** The JSON report: the report model as it is, the source every other format can be rendered from. */

import type { RenderOptions } from "./format.js";
import type { Report } from "./model.js";

/**
 * Characters JSON.stringify leaves raw that a terminal or a JavaScript parser may act on: DEL,
 * C1 controls (0x9b is a one-byte CSI), bidi controls, and U+2028/U+2029 line separators.
 * They can only occur inside strings, so a `\u` escape there is the same JSON value.
 */
const RAW_HAZARDS = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Renders the report as pretty-printed JSON with a final newline. `JSON.parse` of the output
 * gives back the report unchanged: text is escaped, never sanitized. Options are ignored.
 */
export function renderJson(report: Report, _options: RenderOptions): string {
  const json = JSON.stringify(report, null, 2).replace(
    RAW_HAZARDS,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  return `${json}\n`;
}
