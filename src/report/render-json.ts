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
 * At most this many elements of an array go into one piece (a request is about 1 KB of text):
 * at 256 the 100,000-URL run peaked 30 MB higher (bigger pieces waiting to be written), at 32
 * it peaks as with one piece per request and takes 0.4 s less CPU.
 */
export const ELEMENTS_PER_PIECE = 32;

/**
 * `elements`, none holding an array, as `JSON.stringify` writes them inside an array at
 * nesting `depth` (1 for the report's own arrays' elements), without the brackets: one call
 * for them all. Wrapped in `depth - 1` more arrays, they come out already indented; the
 * wrappers' brackets are then cut off, their lengths known from the depth.
 */
function stringifyRun(elements: readonly unknown[], depth: number): string {
  let wrapped: unknown = elements;
  for (let level = 1; level < depth; level++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, INDENT);
  // Before the first element: "[\n" and the indent of each level; after the last: "\n",
  // the indent of each level above, and "]".
  const before = depth * 2 + depth * (depth + 1);
  const after = depth * 2 + depth * (depth - 1);
  return text.slice(before, text.length - after);
}

/**
 * The text of `JSON.stringify(value, null, 2)` at nesting `indent`, in pieces: arrays and the
 * objects around them are opened and closed here, so the report is never one string; runs of
 * elements without an array inside (requests, per-URL rows) go out up to
 * {@link ELEMENTS_PER_PIECE} at a time, each run one `JSON.stringify` call.
 */
function* pretty(value: unknown, indent: string): Generator<string> {
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    yield "[";
    const depth = inner.length / INDENT.length;
    let i = 0;
    while (i < value.length) {
      const separator = `${i === 0 ? "" : ","}\n${inner}`;
      const item: unknown = value[i];
      if (holdsArray(item)) {
        yield separator;
        yield* pretty(item, inner);
        i += 1;
        continue;
      }
      let end = i + 1;
      while (end < value.length && end - i < ELEMENTS_PER_PIECE && !holdsArray(value[end])) {
        end += 1;
      }
      // As JSON.stringify: an element with no JSON form is null, inside the run too.
      yield separator + stringifyRun(value.slice(i, end), depth);
      i = end;
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
