/** The JSON report: the report model as it is, the source every other format can be rendered from. */

import type { RenderOptions } from "./format.js";
import type { Report } from "./model.js";

/**
 * Characters JSON.stringify leaves raw that a terminal or a JavaScript parser may act on: DEL,
 * C1 controls (0x9b is a one-byte CSI), bidi controls, and U+2028/U+2029 line separators.
 * They can only occur inside strings, so a `\u` escape there is the same JSON value.
 */
const RAW_HAZARDS = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const INDENT = "  ";

/** `json` with the hazards above written as `\\u` escapes: the same JSON value. */
export function escapeHazards(json: string): string {
  return json.replace(
    RAW_HAZARDS,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/** Whether a value holds an array anywhere inside it: the parts worth streaming. */
function holdsArray(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  for (const key in value) if (holdsArray((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * The text of `JSON.stringify(value, null, 2)` at nesting `indent`, in pieces: arrays and the
 * objects around them are opened and closed here, one element or member at a time; anything
 * without an array inside (a request, a per-URL row) is one `JSON.stringify` call.
 */
function* pretty(value: unknown, indent: string): Generator<string> {
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    yield "[";
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? "" : ","}\n${inner}`;
      const item: unknown = value[i];
      // As JSON.stringify: an element with no JSON form is null.
      yield* pretty(item === undefined || typeof item === "function" ? null : item, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  if (!holdsArray(value)) {
    // JSON.stringify never puts a raw line break inside a string, so this re-indents safely.
    yield (JSON.stringify(value, null, INDENT) ?? "null").replaceAll("\n", `\n${indent}`);
    return;
  }
  const members = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && typeof v !== "function",
  );
  if (members.length === 0) {
    yield "{}";
    return;
  }
  yield "{";
  for (const [i, [key, member]] of members.entries()) {
    yield `${i === 0 ? "" : ","}\n${inner}${JSON.stringify(key)}: `;
    yield* pretty(member, inner);
  }
  yield `\n${indent}}`;
}

/**
 * Renders the report as pretty-printed JSON with a final newline, a piece per request, so it
 * can be written without ever being one string; the joined pieces are exactly
 * `JSON.stringify(report, null, 2)` with the hazards above escaped. `JSON.parse` of the output
 * gives back the report unchanged: text is escaped, never sanitized. Options are ignored.
 */
export function* renderJson(report: Report, _options: RenderOptions): Generator<string> {
  for (const piece of pretty(report, "")) yield escapeHazards(piece);
  yield "\n";
}
