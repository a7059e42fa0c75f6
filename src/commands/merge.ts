/** `fetchbench merge <a.json> <b.json> …`: the shards' reports as one, rendered like a run's. */

import { ExitCode } from "../errors.js";
import { parseFormat } from "../options.js";
import { mergeReports } from "../report/merge.js";
import { checkOutputTargets, writeOutputs } from "../report/outputs.js";
import { readReportFile } from "../report/reader.js";
import type { CommandIo } from "./report.js";

export interface MergeCommandOptions {
  format?: string;
  json?: boolean;
  output?: string;
  all?: boolean;
  color: boolean;
}

/** Prints the merged report (`--output` also writes its JSON); 0, or 2 for bad input. */
export async function mergeCommand(
  io: CommandIo,
  files: readonly string[],
  raw: MergeCommandOptions,
): Promise<number> {
  const format = raw.json ? "json" : parseFormat(raw.format ?? "table", "--format");
  if (raw.output !== undefined) {
    await checkOutputTargets(
      [{ flag: "--output", target: raw.output }],
      files.map((path) => ({ path, what: "a report being merged" })),
    );
  }
  const inputs = [];
  for (const name of files) inputs.push({ name, report: await readReportFile(name) });
  const report = mergeReports(inputs);
  const failed = await writeOutputs(
    report,
    [
      { format, target: "-", color: raw.color },
      ...(raw.output === undefined ? [] : [{ format: "json" as const, target: raw.output }]),
    ],
    { allRows: raw.all === true },
    io.stdout,
  );
  for (const error of failed) io.stderr(`fetchbench: ${error.message}\n`);
  return failed.length > 0 ? ExitCode.usage : ExitCode.ok;
}
