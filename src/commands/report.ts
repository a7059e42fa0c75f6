/** `fetchbench report <file.json>`: a saved report rendered in any format, as the run would have. */

import { ExitCode } from "../errors.js";
import { type Format, parseFormat } from "../options.js";
import { readReportFile } from "../report/reader.js";
import { render } from "../report/render.js";
import { renderJunit } from "../report/render-junit.js";
import { checkOutputTarget, OutputError, writeOutput } from "../report/writer.js";

/** What a command over saved reports needs from the outside world. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface ReportCommandOptions {
  format?: string;
  json?: boolean;
  exportJson?: string;
  exportMarkdown?: string;
  exportCsv?: string;
  exportJunit?: string;
  all?: boolean;
  /** Colour for standard output, decided by the CLI (terminal, NO_COLOR, --no-color). */
  color: boolean;
}

/** Renders the saved report; 0 when everything was written, 2 for bad input or a failed export. */
export async function reportCommand(
  io: CommandIo,
  file: string,
  raw: ReportCommandOptions,
): Promise<number> {
  const format: Format = raw.json ? "json" : parseFormat(raw.format ?? "table", "--format");
  const exports = exportsOf(raw);
  for (const { format: exportFormat, target } of exports) {
    await checkOutputTarget(target, `--export-${exportFormat}`);
  }
  if (raw.exportJunit !== undefined) await checkOutputTarget(raw.exportJunit, "--export-junit");
  const report = await readReportFile(file);
  const options = { color: raw.color, allRows: raw.all === true };
  io.stdout(render(report, format, options));
  for (const warning of report.summary.warnings) io.stderr(`Warning: ${warning.message}\n`);
  let code: number = ExitCode.ok;
  const texts = exports.map(({ format: exportFormat, target }) => ({
    target,
    text: render(report, exportFormat, { ...options, color: false }),
  }));
  if (raw.exportJunit !== undefined) {
    // A saved report carries no thresholds or baseline: only its URLs become test cases.
    const text = renderJunit(report, { thresholds: [], comparison: null });
    texts.push({ target: raw.exportJunit, text });
  }
  for (const { target, text } of texts) {
    try {
      await writeOutput(target, text, io.stdout);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      io.stderr(`fetchbench: ${error.message}\n`);
      code = ExitCode.usage;
    }
  }
  return code;
}

function exportsOf(raw: ReportCommandOptions): { format: Format; target: string }[] {
  return (
    [
      ["json", raw.exportJson],
      ["markdown", raw.exportMarkdown],
      ["csv", raw.exportCsv],
    ] as const
  ).flatMap(([format, target]) => (target === undefined ? [] : [{ format, target }]));
}
