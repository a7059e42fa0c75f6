/** `fetchbench report <file.json>`: a saved report rendered in any format, as the run would have. */

import { ExitCode } from "../errors.js";
import { type Format, parseFormat } from "../options.js";
import { checkOutputTargets, OutputError, writeOutput, writeOutputs } from "../report/outputs.js";
import { readReportFile } from "../report/reader.js";
import { renderJunit } from "../report/render-junit.js";

/** What a command over saved reports needs from the outside world. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface ReportCommandOptions {
  format?: string;
  json?: boolean;
  /** The `--export-<format>` flags given, from the format registry. */
  exports?: readonly { format: Format; target: string }[];
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
  const exports = raw.exports ?? [];
  await checkOutputTargets(
    [
      ...exports.map(({ format: name, target }) => ({ flag: `--export-${name}`, target })),
      ...(raw.exportJunit === undefined
        ? []
        : [{ flag: "--export-junit", target: raw.exportJunit }]),
    ],
    [{ path: file, what: "the report being read" }],
  );
  const report = await readReportFile(file);
  const failed = await writeOutputs(
    report,
    [{ format, target: "-", color: raw.color }, ...exports],
    { allRows: raw.all === true },
    io.stdout,
  );
  for (const warning of report.summary.warnings) io.stderr(`Warning: ${warning.message}\n`);
  if (raw.exportJunit !== undefined) {
    // A saved report carries no thresholds or baseline: only its URLs become test cases.
    const text = renderJunit(report, { thresholds: [], comparison: null });
    try {
      await writeOutput(raw.exportJunit, text, io.stdout);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      failed.push(error);
    }
  }
  for (const error of failed) io.stderr(`fetchbench: ${error.message}\n`);
  return failed.length > 0 ? ExitCode.usage : ExitCode.ok;
}
