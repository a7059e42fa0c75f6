/**
 * The registry of report formats: one entry per format names it, gives its aliases, its
 * renderer, whether `--export-<name>` can write it and the words its help uses. `--format`, the
 * `--export-*` flags, their validation and their help are all made from this list, so a new
 * format is one renderer file and one entry here.
 */

import type { RenderOptions } from "./format.js";
import type { Report } from "./model.js";
import { renderCsv } from "./render-csv.js";
import { renderHar } from "./render-har.js";
import { renderHtml } from "./render-html.js";
import { renderJson } from "./render-json.js";
import { renderMarkdown } from "./render-markdown.js";
import { renderTable } from "./render-table.js";

export type { RenderOptions } from "./format.js";
export { DEFAULT_MAX_ROWS } from "./format.js";

/**
 * Turns a report into text, in pieces (a few per request row for the long formats), so that an
 * output can be written piece by piece instead of held whole. Joined, the pieces are the
 * report, ending with a newline. Never measures, never writes.
 */
export type ChunkRenderer = (report: Report, options: RenderOptions) => Iterable<string>;

/** Turns a report into its whole text; never measures, never writes. */
export type Renderer = (report: Report, options: RenderOptions) => string;

/** One report format. */
export interface FormatSpec {
  /** What `--format` takes, and the `<name>` of `--export-<name>`. */
  readonly name: string;
  /** Other names `--format` accepts, e.g. `md`. */
  readonly aliases: readonly string[];
  /** Renders the format. */
  readonly render: ChunkRenderer;
  /** Whether `--export-<name> <file>` exists for it. */
  readonly exportable: boolean;
  /** What it writes, for the help of `--export-<name>`: "the JSON report". */
  readonly description: string;
}

/** Every format, in the order help lists them and exports are written. */
export const FORMATS = [
  {
    name: "table",
    aliases: [],
    render: (report, options) => [renderTable(report, options)],
    exportable: false,
    description: "the terminal report",
  },
  {
    name: "json",
    aliases: [],
    render: renderJson,
    exportable: true,
    description: "the JSON report",
  },
  {
    name: "markdown",
    aliases: ["md"],
    render: renderMarkdown,
    exportable: true,
    description: "a Markdown report",
  },
  {
    name: "csv",
    aliases: [],
    render: renderCsv,
    exportable: true,
    description: "one CSV row per request",
  },
  {
    name: "html",
    aliases: [],
    render: renderHtml,
    exportable: true,
    description: "a self-contained HTML report (waterfalls, sortable table)",
  },
  {
    name: "har",
    aliases: [],
    render: renderHar,
    exportable: true,
    description: "the run as HAR 1.2 (one page per mode and run)",
  },
] as const satisfies readonly FormatSpec[];

/** A format's name. */
export type Format = (typeof FORMATS)[number]["name"];

/** A registered format. */
export type RegisteredFormat = FormatSpec & { readonly name: Format };

/** The formats `--export-<name>` can write, in registry order. */
export const EXPORT_FORMATS: readonly RegisteredFormat[] = FORMATS.filter((f) => f.exportable);

/** The registry entry of a format. */
export function formatSpec(format: Format): RegisteredFormat {
  return FORMATS.find((f) => f.name === format) as RegisteredFormat;
}

/** The formats as help and messages list them: `table, json, markdown (md), csv`. */
export function formatList(): string {
  return FORMATS.map((f) =>
    f.aliases.length === 0 ? f.name : `${f.name} (${f.aliases.join(", ")})`,
  ).join(", ");
}

/** The format a name or an alias stands for, case-insensitive (`md` is `markdown`), if any. */
export function findFormat(value: string): Format | undefined {
  const name = value.trim().toLowerCase();
  return FORMATS.find((f) => f.name === name || (f.aliases as readonly string[]).includes(name))
    ?.name;
}

/** Renders a report in a format as one string; the text ends with a newline. */
export function render(report: Report, format: Format, options: RenderOptions): string {
  return Array.from(formatSpec(format).render(report, options)).join("");
}

/** The whole-text renderer for each format. */
export const renderers: Readonly<Record<Format, Renderer>> = Object.freeze(
  Object.fromEntries(
    FORMATS.map((f) => [
      f.name,
      (report: Report, options: RenderOptions) => render(report, f.name, options),
    ]),
  ) as Record<Format, Renderer>,
);
