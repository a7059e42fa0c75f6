/** One renderer per report format, all with the same signature, and a dispatcher. */

import type { Format } from "../options.js";
import type { RenderOptions } from "./format.js";
import type { Report } from "./model.js";
import { renderCsv } from "./render-csv.js";
import { renderJson } from "./render-json.js";
import { renderMarkdown } from "./render-markdown.js";
import { renderTable } from "./render-table.js";

export type { RenderOptions } from "./format.js";
export { DEFAULT_MAX_ROWS } from "./format.js";

/** Turns a report into text; never measures, never writes. */
export type Renderer = (report: Report, options: RenderOptions) => string;

/** The renderer for each `--format`. */
export const renderers: Readonly<Record<Format, Renderer>> = Object.freeze({
  table: renderTable,
  json: renderJson,
  markdown: renderMarkdown,
  csv: renderCsv,
});

/** Renders a report in a format; the text ends with a newline. */
export function render(report: Report, format: Format, options: RenderOptions): string {
  return renderers[format](report, options);
}
