import { existsSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import type { CompareCommandOptions } from "./commands/compare.js";
import type { MergeCommandOptions } from "./commands/merge.js";
import type { ReportCommandOptions } from "./commands/report.js";
import { ExitCode, errorCode, UsageError } from "./errors.js";
import type { CompareOptions } from "./index.js";
import {
  type ConnectionOptions,
  collectHeaders,
  DEFAULTS,
  type Format,
  formatDurationFlag,
  parseCaBundle,
  parseConcurrencyList,
  parseCount,
  parseData,
  parseDelayRange,
  parseDuration,
  parseFormat,
  parseHeader,
  parseMaxWall,
  parseMethod,
  parseMinSpeedup,
  parseModes,
  parseNoProxy,
  parseProxy,
  parseRate,
  parseResolve,
  parseSort,
  type RequestBody,
  readFlagFile,
  withBodyDefaults,
} from "./options.js";
import type { RenderOptions } from "./report/format.js";
import { DEFAULT_MAX_ROWS, SORT_COLUMNS, type SortColumn, wrapWords } from "./report/format.js";
import { type Concurrency, MODES, type Mode, type Report, type Target } from "./report/model.js";
import { EXPORT_FORMATS, formatList, type RegisteredFormat } from "./report/render.js";
import { showWaterfall, WATERFALL_MAX_URLS } from "./report/waterfall.js";
import { parseShard, selectShard } from "./shard.js";
import {
  looksLikeUrl,
  parseUrlArguments,
  quoteInput,
  readTargets,
  URL_ARGUMENTS_SOURCE,
} from "./targets.js";
import {
  checkedThresholds,
  missedThresholds,
  type Thresholds,
  validateThresholdConcurrency,
  validateThresholds,
} from "./thresholds.js";
import { VERSION } from "./version.js";

/** Everything the CLI needs from the outside world; `main` builds it from `process`. */
export interface Io {
  /** Writes to standard output; a returned promise settles when the stream can take more. */
  stdout: (text: string) => void | Promise<void>;
  stderr: (text: string) => void;
  readStdin: () => Promise<Buffer>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Whether standard input is a terminal: `-` then waits for the user to type URLs. */
  stdinIsTTY?: boolean;
  /** Width of the terminal on standard output, for the report; absent off a terminal. */
  stdoutColumns?: number;
  /** Width of the terminal on standard error, for the progress line. */
  stderrColumns: number;
  env: Record<string, string | undefined>;
  /** Calls the handler on the first Ctrl-C (or SIGTERM); returns a function that unsubscribes. */
  onInterrupt: (handler: () => void) => () => void;
}

/** The options `run` and `demo` share, as commander hands them over: strings, unvalidated. */
interface RawRunOptions extends Record<string, unknown> {
  modes?: string;
  concurrency?: string;
  method?: string;
  header?: string[];
  timeout?: string;
  maxRedirects?: string;
  format?: string;
  json?: boolean;
  all?: boolean;
  sort?: string;
  top?: string;
  /** `--waterfall` true, `--no-waterfall` false, neither: undefined. */
  waterfall?: boolean;
  ignoreFailures?: boolean;
  color: boolean;
  runs?: string;
  warmup?: string;
  /** `--export-<format>` values, one key per exportable format (`exportJson`, …). */
  [exportKey: `export${string}`]: string | undefined;
  minSpeedup?: string;
  maxWall?: string[];
  maxFailures?: string;
  quiet?: boolean;
  progress: boolean;
  baseline?: string;
  maxRegression?: string;
  shard?: string;
  exportJunit?: string;
  proxy?: string;
  noproxy?: string;
  insecure?: boolean;
  cacert?: string;
  http2?: boolean;
  data?: string[];
  rate?: string;
  connectTimeout?: string;
  perHost?: string;
  resolve?: string[];
}

/** Validated: what the comparison needs and how to present it. */
type DemoRawOptions = RawRunOptions & { count: string; delay: string; sweep?: boolean };

interface RunSettings {
  compare: Omit<CompareOptions, "source" | "signal" | "onProgress">;
  format: Format;
  /** Extra outputs: a format and where it goes (`-` is standard output). */
  exports: { format: Format; target: string }[];
  allRows: boolean;
  /** `--sort` and `--top`: what the per-URL table shows. */
  sort: SortColumn | undefined;
  maxRows: number | undefined;
  /** `--waterfall` / `--no-waterfall`; undefined: on a terminal for a short list. */
  waterfall: boolean | undefined;
  thresholds: Thresholds;
  color: boolean;
  /** Colour for what goes to standard error (progress, warnings): its own terminal check. */
  stderrColor: boolean;
  /** Progress display on standard error (a terminal only). */
  progress: boolean;
  /** No progress, no warnings: only the report, errors and missed thresholds. */
  quiet: boolean;
  /** `--baseline`: a saved report to compare the run against, read before the run. */
  baseline: Report | null;
  /** `--max-regression` in percent; null when not given. */
  maxRegression: number | null;
  /** `--export-junit`: where the JUnit XML goes; null when not asked. */
  junit: string | null;
  /** How connections are made: proxy, TLS, HTTP/2, timeouts, caps, name overrides. */
  connection: ConnectionOptions;
  /** `-d, --data`: sent with every request; null for none. */
  body: RequestBody | null;
  /** `--rate`: requests started per second over the whole run; null for as fast as possible. */
  ratePerSecond: number | null;
  /** Warnings about the options themselves, printed before the run. */
  notices: string[];
}

/**
 * Parses the arguments, runs the command and returns the exit code. Reads as a pipeline:
 * arguments → validated options → targets → comparison → report → renderer → output.
 */
export async function main(argv: readonly string[], terminal: Io = processIo()): Promise<number> {
  const io = fitStderr(terminal);
  let exitCode: number = ExitCode.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(withCommand(argv, program), { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed its one-line error otherwise.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError) {
      // Already one self-explaining line (`urls.txt:7: …`, ``Expected `--timeout` …``).
      io.stderr(`${ERROR_PREFIX}${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`${ERROR_PREFIX}unexpected error: ${message}\n`);
    return ExitCode.failed;
  }
}

/** Every error line starts with this, whether it comes from commander, a flag or a threshold. */
const ERROR_PREFIX = "fetchbench: ";

/**
 * Makes `run` explicit when the first argument is not a command, so that `fetchbench urls.txt
 * --help` shows the `run` options and `run` errors point to `fetchbench run --help`; `-v` is
 * read as `--version`, as most tools read it.
 */
function withCommand(argv: readonly string[], program: Command): string[] {
  const [first] = argv;
  if (first === undefined) return [];
  if (first === "-v") return ["--version", ...argv.slice(1)];
  const commands = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  const topLevel = new Set(["-h", "--help", "-V", "--version", "help"]);
  if (commands.has(first) || topLevel.has(first)) return [...argv];
  return ["run", ...argv];
}

function createProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command("fetchbench")
    .description(
      "Fetch a list of URLs one at a time and all at once, and see what concurrency buys.",
    )
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(`${ERROR_PREFIX}${text.replace(/^error: /, "")}`),
    })
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  fetchbench urls.txt                      compare sequential and concurrent on a list",
        "  fetchbench demo                          the same on the built-in server, offline",
        "  fetchbench urls.txt --runs 5 --warmup 1  repeated runs with mean ± σ",
        "  fetchbench sweep urls.txt                how much concurrency is enough: the knee",
        "  cat urls.txt | fetchbench - --json       read standard input, print the JSON report",
        "",
        "Run `fetchbench run --help` for every option.",
      ].join("\n"),
    );

  const run = addRunOptions(
    program
      .command("run", { isDefault: true })
      .description("fetch every URL of a list in each mode and report them side by side")
      .argument(
        "<file|URL...>",
        "a file with one URL per line, - for standard input, or the URLs themselves",
      )
      .showHelpAfterError("(run `fetchbench run --help` for usage)"),
  ).action(async (inputs: string[], raw: RawRunOptions) => {
    const settings = await resolveRunSettings(raw, io, run);
    const list = await readInputs(inputs, io, program);
    await checkExportTargets(settings, list.file);
    const { shard } = settings.compare;
    const selected = shard ? selectShard(list.targets, shard, list.source) : list.targets;
    setExitCode(await runAndReport(io, settings, list.source, selected, null));
  });

  addRunOptions(
    program
      .command("demo")
      .description("start the built-in server on a free port and run the comparison on it")
      .option("--count <n>", "how many URLs", String(DEFAULTS.demo.count))
      .option(
        "--delay <range>",
        "delays the server waits before answering, spread over the range (e.g. 100-500ms)",
        `${DEFAULTS.demo.delay.minMs}-${DEFAULTS.demo.delay.maxMs}ms`,
      )
      .option(
        "--sweep",
        `sweep the concurrency against a server that works on ${DEFAULTS.demo.sweep.capacity} requests at once`,
      ),
    MODES,
  ).action(async (raw: DemoRawOptions, command: Command) => {
    const sweeping = raw.sweep === true;
    // The sweep's story is concurrency against the one-at-a-time baseline; blocking adds nothing.
    if (sweeping && command.getOptionValueSource("modes") !== "cli") {
      raw.modes = DEFAULTS.modes.join(",");
    }
    const settings = await resolveRunSettings(raw, io, command);
    await checkExportTargets(settings, null);
    const given = (flag: string) => command.getOptionValueSource(flag) === "cli";
    const count = parseCount(
      sweeping && !given("count") ? String(DEFAULTS.demo.sweep.count) : raw.count,
      "--count",
      { min: 1, max: 100_000 },
    );
    const delay = parseDelayRange(
      sweeping && !given("delay") ? `${DEFAULTS.demo.sweep.delayMs}ms` : raw.delay,
      "--delay",
    );
    const { startDemo } = await import("./demo.js");
    const demo = await startDemo({
      count,
      delay,
      modes: settings.compare.modes,
      capacity: sweeping ? DEFAULTS.demo.sweep.capacity : null,
    });
    try {
      const { shard } = settings.compare;
      const targets = shard ? selectShard(demo.targets, shard, "demo") : demo.targets;
      const run = sweeping ? sweepSettings(settings, command, targets.length) : settings;
      setExitCode(await runAndReport(io, run, "demo", targets, demo.explanation));
    } finally {
      await demo.close();
    }
  });

  const sweep = addRunOptions(
    program
      .command("sweep")
      .description(
        "run the concurrent mode over a range of concurrency values and find where throughput stops growing",
      )
      .argument(
        "<file|URL...>",
        "a file with one URL per line, - for standard input, or the URLs themselves",
      )
      .showHelpAfterError("(run `fetchbench sweep --help` for usage)"),
  ).action(async (inputs: string[], raw: RawRunOptions) => {
    const settings = await resolveRunSettings(raw, io, sweep);
    const list = await readInputs(inputs, io, program);
    await checkExportTargets(settings, list.file);
    const { shard } = settings.compare;
    const selected = shard ? selectShard(list.targets, shard, list.source) : list.targets;
    setExitCode(
      await runAndReport(
        io,
        sweepSettings(settings, sweep, selected.length),
        list.source,
        selected,
        null,
      ),
    );
  });

  const report = program
    .command("report")
    .description("render a saved JSON report in any format, as the run would have")
    .argument("<file.json>", "a report written by --export-json or --format json");
  addOutputOptions(report, "table")
    .option("--export-junit <file>", "also write JUnit XML, one test case per URL and mode")
    .option("--all", "show every URL in the per-URL table")
    .option("--no-color", "no colour, even on a terminal")
    .action(async (file: string, raw: ReportCommandOptions & Record<string, unknown>) => {
      const color = useColor(raw.color, io.stdoutIsTTY, io);
      // Loaded when used, so a plain run starts no slower for the commands it does not use.
      const { reportCommand } = await import("./commands/report.js");
      setExitCode(await reportCommand(io, file, { ...raw, color, exports: exportsOf(raw) }));
    });

  program
    .command("compare")
    .description(
      "compare two saved reports, with a noise-aware verdict per mode (per sweep variant) and per URL",
    )
    .argument("<baseline.json>", "the report to compare against")
    .argument("<current.json>", "the report to judge")
    .option("--format <format>", "table, markdown or json", "table")
    .option("--json", "same as --format json")
    .option(
      "--max-regression <percent>",
      "exit 1 when a mode or sweep variant is significantly slower by more than this",
    )
    .option("--match <url|line>", "pair requests by URL, or by line of the list", "url")
    .option("--all", "show every URL, not only those that changed significantly")
    .action(async (baseline: string, current: string, raw: CompareCommandOptions) => {
      const { compareCommand } = await import("./commands/compare.js");
      setExitCode(await compareCommand(io, baseline, current, raw));
    });

  program
    .command("merge")
    .description("combine the reports of every shard (--shard i/n) into one report")
    .argument("<shard.json...>", "one report per shard, in any order")
    .option("--format <format>", "report on standard output: table, json, markdown, csv", "table")
    .option("--json", "same as --format json")
    .option("-o, --output <file.json>", "also write the merged JSON report to a file")
    .option("--all", "show every URL in the per-URL table")
    .option("--no-color", "no colour, even on a terminal")
    .action(async (files: string[], raw: MergeCommandOptions) => {
      const color = useColor(raw.color, io.stdoutIsTTY, io);
      const { mergeCommand } = await import("./commands/merge.js");
      setExitCode(await mergeCommand(io, files, { ...raw, color }));
    });

  program
    .command("serve")
    .description("run the built-in test server in the foreground until Ctrl-C")
    .option("--port <port>", "port to listen on (0 picks a free one)", String(DEFAULTS.serve.port))
    .option("--host <host>", "address to listen on", DEFAULTS.serve.host)
    .option("--https", "HTTPS with a self-signed certificate made at start")
    .option("--http2", "HTTP/2 over TLS (HTTP/1.1 for clients without it); implies --https")
    .action(async (raw: { port: string; host: string; https?: boolean; http2?: boolean }) => {
      const port = parseCount(raw.port, "--port", { min: 0, max: 65_535 });
      const { ENDPOINTS, startServer } = await import("./server.js");
      const server = await startServer({
        port,
        host: raw.host,
        https: raw.https === true,
        http2: raw.http2 === true,
      }).catch((error: unknown) => {
        const code = errorCode(error) ?? "error";
        throw new UsageError(`cannot listen on ${raw.host}:${port} (${code})`);
      });
      // Listen for Ctrl-C before saying so: a signal that arrives between the banner and the
      // subscription would otherwise end the process without closing the server.
      const interrupted = new Promise<void>((resolve) => {
        const unsubscribe = io.onInterrupt(() => {
          unsubscribe();
          resolve();
        });
      });
      io.stdout(`fetchbench server listening on ${server.url}\n`);
      if (server.certificate !== null) {
        io.stdout(
          `  self-signed certificate for ${server.certificate.hosts.join(", ")}, SHA-256 ${server.certificate.fingerprint256}\n` +
            "  clients must accept it on purpose (for example curl -k)\n",
        );
      }
      const paths = ENDPOINTS.filter((endpoint) => endpoint.path.startsWith("/"));
      const width = Math.max(...paths.map((endpoint) => endpoint.path.length));
      for (const endpoint of ENDPOINTS) {
        io.stdout(
          endpoint.path.startsWith("/")
            ? `  ${server.url}${endpoint.path.padEnd(width)}  ${endpoint.description}\n`
            : `  ${endpoint.path}  ${endpoint.description}\n`,
        );
      }
      io.stdout("Press Ctrl-C to stop.\n");
      await interrupted;
      await server.close();
    });

  // Defaults are strings for commander; help shows them as typed (`default: 1`, not `"1"`).
  for (const command of [program, ...program.commands]) {
    for (const option of command.options) {
      if (typeof option.defaultValue === "string" && option.defaultValueDescription === undefined) {
        option.defaultValueDescription = option.defaultValue;
      }
    }
  }
  return program;
}

/**
 * The URL list from the arguments: one file (or `-`), or URLs given directly. A word that is
 * no file but close to a command name is taken for a mistyped command.
 */
async function readInputs(
  inputs: readonly string[],
  io: Io,
  program: Command,
): Promise<{ source: string; targets: Target[]; file: string | null }> {
  const urls = inputs.filter(looksLikeUrl);
  if (urls.length === inputs.length) {
    return { source: URL_ARGUMENTS_SOURCE, targets: parseUrlArguments(inputs), file: null };
  }
  const [first] = inputs;
  if (first === undefined || inputs.length > 1) {
    const file = inputs.find((input) => !looksLikeUrl(input)) ?? "";
    throw new UsageError(
      urls.length > 0
        ? `a list file (${quoteInput(file)}) and URLs cannot be mixed: give either one file or the URLs`
        : `expected one list file, got ${inputs.length} (${inputs.map((i) => quoteInput(i)).join(", ")})`,
    );
  }
  if (first !== "-" && !existsSync(first)) {
    const suggestion = closestCommand(
      first,
      program.commands.map((c) => c.name()),
    );
    if (suggestion !== null) {
      throw new UsageError(`unknown command ${quoteInput(first)} (did you mean ${suggestion}?)`);
    }
  }
  if (first === "-" && io.stdinIsTTY === true) {
    io.stderr("fetchbench: reading URLs from standard input, one per line; end with Ctrl-D\n");
  }
  const { source, targets } = await readTargets(first, io.readStdin);
  return { source, targets, file: first === "-" ? null : first };
}

/** A command name within two edits of a bare word (`demoo`, `serv`), or null. */
function closestCommand(word: string, commands: readonly string[]): string | null {
  if (!/^[a-z][a-z-]*$/i.test(word)) return null;
  let best: { name: string; distance: number } | null = null;
  for (const name of commands) {
    const distance = editDistance(word.toLowerCase(), name);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Refuses, before anything is fetched, two outputs to one file (the registry's exports and
 * `--export-junit` alike) and an output over the list being read.
 */
async function checkExportTargets(settings: RunSettings, input: string | null): Promise<void> {
  const { checkOutputTargets } = await import("./report/outputs.js");
  await checkOutputTargets(
    [
      ...settings.exports.map(({ format, target }) => ({ flag: `--export-${format}`, target })),
      ...(settings.junit === null ? [] : [{ flag: "--export-junit", target: settings.junit }]),
    ],
    input === null ? [] : [{ path: input, what: "the URL list" }],
  );
}

// No default value, so --help shows none; the settings read a missing list as empty.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `--export-<name> <file>` for an exportable format, and where commander keeps its value. */
function exportOption(format: RegisteredFormat): Option {
  return new Option(
    `--export-${format.name} <file>`,
    `also write ${format.description} to a file (- for standard output)`,
  );
}

/** `--format`, `--json` and one `--export-<format>` per exportable format of the registry. */
function addOutputOptions(command: Command, defaultFormat: string): Command {
  command
    .option("--format <format>", `report on standard output: ${formatList()}`, defaultFormat)
    .option("--json", "same as --format json");
  for (const format of EXPORT_FORMATS) command.addOption(exportOption(format));
  return command;
}

/** The `--export-<format>` flags given, in the registry's order. */
function exportsOf(raw: Record<string, unknown>): { format: Format; target: string }[] {
  return EXPORT_FORMATS.flatMap((format) => {
    const target = raw[exportOption(format).attributeName()];
    return typeof target === "string" ? [{ format: format.name, target }] : [];
  });
}

function addRunOptions(command: Command, defaultModes: readonly Mode[] = DEFAULTS.modes): Command {
  command
    .option(
      "--modes <list>",
      "modes to run: sequential, concurrent, blocking",
      defaultModes.join(","),
    )
    .option(
      "-c, --concurrency <n|all>",
      "requests in flight at once in the concurrent mode; a list (1,4,16,all) or doubling range (1..256) sweeps",
      String(DEFAULTS.concurrency),
    )
    .option("-r, --runs <n>", "measured runs per mode", String(DEFAULTS.runs))
    .option(
      "-w, --warmup <n>",
      "unmeasured runs per mode before the measured ones",
      String(DEFAULTS.warmup),
    )
    .option("-X, --method <method>", "HTTP method", DEFAULTS.method)
    .option("-H, --header <header>", 'request header "Name: value" (repeatable)', collect)
    .option(
      "-t, --timeout <duration>",
      "deadline per request (500ms, 2s, 1m)",
      formatDurationFlag(DEFAULTS.timeoutMs),
    )
    .option(
      "--max-redirects <n>",
      "redirects followed per request (0: none)",
      String(DEFAULTS.maxRedirects),
    );
  return addOutputOptions(command, DEFAULTS.format)
    .option(
      "--export-junit <file>",
      "also write JUnit XML: a test case per URL and mode, per threshold, per regression check",
    )
    .option(
      "--min-speedup <x[@c]>",
      "exit 1 when the mean speed-up is below x (in a sweep: the best variant's, or at -c c)",
    )
    .option(
      "--max-wall <mode=duration>",
      "exit 1 when that mode's mean wall is above the duration (repeatable)",
      collect,
    )
    .option(
      "--max-failures <n>",
      "exit 1 when more requests fail (default 0, none with --ignore-failures)",
    )
    .option("--ignore-failures", "exit 0 even when requests fail")
    .option("--baseline <file.json>", "compare the run against a saved report")
    .option("--shard <i/n>", "fetch only every n-th URL of the list, from the i-th (1-based)")
    .option(
      "--max-regression <percent>",
      "with --baseline: exit 1 when a mode or sweep variant is significantly slower by more than this",
    )
    .option("-x, --proxy <url>", "proxy for every request (default: HTTP_PROXY, HTTPS_PROXY)")
    .option("--noproxy <list>", "hosts reached without the proxy, * for all (default: NO_PROXY)")
    .option("-k, --insecure", "accept any server certificate")
    .option("--cacert <file>", "also trust the CA certificates in this PEM file")
    .option("--http2", "offer HTTP/2 (ALPN), falling back to HTTP/1.1")
    .option(
      "-d, --data <text|@file>",
      `request body, as curl sends it: POST unless -X, form content type unless -H (repeatable, joined with &)`,
      collect,
    )
    .option("--rate <n>", `start n requests per second, on a fixed schedule, in every mode`)
    .option("--connect-timeout <duration>", "deadline to open a connection (default: --timeout)")
    .option("--per-host <n>", "connections to one origin at most, in every mode")
    .option(
      "--resolve <host:port:addr>",
      "connect to addr for host:port, keeping the name for Host and TLS (repeatable)",
      collect,
    )
    .option(
      "--all",
      "show every URL in the per-URL table (default: 20 rows shared by failed and slowest)",
    )
    .option("--sort <column>", `order of the per-URL table: ${SORT_COLUMNS.join(", ")}`)
    .option("--top <n>", `rows in the per-URL table (default ${DEFAULT_MAX_ROWS})`)
    .option(
      "--waterfall",
      `draw each request's phases on a time axis (default: on a terminal, for up to ${WATERFALL_MAX_URLS} URLs)`,
    )
    .option("--no-waterfall", "no waterfall, even on a terminal")
    .option("-q, --quiet", "no progress and no warnings on standard error")
    .option("--no-progress", "no progress display")
    .option("--no-color", "no colour, even on a terminal");
}

async function resolveRunSettings(
  raw: RawRunOptions,
  io: Io,
  command: Command,
): Promise<RunSettings> {
  const modes = parseModes(raw.modes ?? DEFAULTS.modes.join(","), "--modes");
  const ignoreFailures = raw.ignoreFailures === true;
  const thresholds: Thresholds = {
    ...minSpeedupOf(raw.minSpeedup),
    maxWall: (raw.maxWall ?? []).map((value) => parseMaxWall(value, "--max-wall")),
    maxFailures:
      raw.maxFailures !== undefined
        ? parseCount(raw.maxFailures, "--max-failures", { min: 0 })
        : ignoreFailures
          ? null
          : 0,
    maxFailuresExplicit: raw.maxFailures !== undefined,
  };
  validateThresholds(thresholds, modes);
  const exports = exportsOf(raw);
  const quiet = raw.quiet === true;
  if (raw.maxRegression !== undefined && raw.baseline === undefined) {
    throw new UsageError("`--max-regression` needs `--baseline <file.json>` to compare against");
  }
  const comparing = raw.baseline === undefined ? null : await import("./commands/compare.js");
  const maxRegression =
    comparing === null || raw.maxRegression === undefined
      ? null
      : comparing.parseMaxRegression(raw.maxRegression);
  const baseline = comparing === null ? null : await comparing.readBaseline(raw.baseline);
  const connection = await resolveConnection(raw);
  const body =
    raw.data === undefined
      ? null
      : await parseData(raw.data, "--data", (path) => readFlagFile(path, "--data"));
  const ratePerSecond = raw.rate === undefined ? null : parseRate(raw.rate, "--rate");
  let method = parseMethod(raw.method ?? DEFAULTS.method, "--method");
  let headers = collectHeaders((raw.header ?? []).map((header) => parseHeader(header, "--header")));
  if (body !== null) {
    ({ method, headers } = withBodyDefaults(
      method,
      command.getOptionValueSource("method") === "cli",
      headers,
    ));
  }
  // A flag given on the command line that the chosen modes never read is worth a word.
  const notices =
    command.getOptionValueSource("concurrency") === "cli" && !modes.includes("concurrent")
      ? [`--concurrency has no effect without the concurrent mode (--modes ${modes.join(",")})`]
      : [];
  return {
    notices,
    connection,
    body,
    ratePerSecond,
    compare: {
      modes,
      shard: raw.shard === undefined ? null : parseShard(raw.shard, "--shard"),
      ...concurrencyOf(raw.concurrency ?? String(DEFAULTS.concurrency)),
      runs: parseCount(raw.runs ?? String(DEFAULTS.runs), "--runs", { min: 1, max: 10_000 }),
      warmup: parseCount(raw.warmup ?? String(DEFAULTS.warmup), "--warmup", {
        min: 0,
        max: 10_000,
      }),
      method,
      headers,
      body: body?.data ?? null,
      ratePerSecond,
      timeoutMs: parseDuration(raw.timeout ?? formatDurationFlag(DEFAULTS.timeoutMs), "--timeout"),
      maxRedirects: parseCount(
        raw.maxRedirects ?? String(DEFAULTS.maxRedirects),
        "--max-redirects",
        {
          min: 0,
          max: 1000,
        },
      ),
    },
    format: raw.json ? "json" : parseFormat(raw.format ?? DEFAULTS.format, "--format"),
    exports,
    allRows: raw.all === true,
    sort: raw.sort === undefined ? undefined : parseSort(raw.sort, "--sort"),
    maxRows: raw.top === undefined ? undefined : parseCount(raw.top, "--top", { min: 1 }),
    waterfall: raw.waterfall,
    thresholds,
    color: useColor(raw.color, io.stdoutIsTTY, io),
    stderrColor: useColor(raw.color, io.stderrIsTTY, io),
    progress: raw.progress && !quiet && io.stderrIsTTY,
    quiet,
    baseline,
    maxRegression,
    junit: raw.exportJunit ?? null,
  };
}

/** `-c` as the concurrent mode's concurrency and, for several values, the sweep. */
function minSpeedupOf(value: string | undefined): Pick<Thresholds, "minSpeedup" | "minSpeedupAt"> {
  if (value === undefined) return { minSpeedup: null, minSpeedupAt: null };
  const { factor, concurrency } = parseMinSpeedup(value, "--min-speedup");
  return { minSpeedup: factor, minSpeedupAt: concurrency };
}

/** A sweep's settings: `-c` as given, else the default range over the list's length. */
function sweepSettings(settings: RunSettings, command: Command, urlCount: number): RunSettings {
  if (command.getOptionValueSource("concurrency") === "cli") return settings;
  const values = defaultSweep(urlCount);
  const concurrency = values.at(-1) ?? DEFAULTS.concurrency;
  return {
    ...settings,
    compare: {
      ...settings.compare,
      concurrency,
      ...(values.length > 1 ? { sweep: values } : {}),
    },
  };
}

function concurrencyOf(value: string): { concurrency: Concurrency; sweep?: Concurrency[] } {
  const values = parseConcurrencyList(value, "--concurrency");
  const last = values.at(-1) ?? DEFAULTS.concurrency;
  return values.length > 1 ? { concurrency: last, sweep: values } : { concurrency: last };
}

/** `fetchbench sweep`'s default: 1, 2, 4, … below the list's length, then `all`. */
export function defaultSweep(urlCount: number): Concurrency[] {
  const values: Concurrency[] = [];
  for (let c = 1; c < urlCount; c *= 2) values.push(c);
  values.push("all");
  return values;
}

async function resolveConnection(raw: RawRunOptions): Promise<ConnectionOptions> {
  const ca =
    raw.cacert === undefined
      ? null
      : parseCaBundle(
          (await readFlagFile(raw.cacert, "--cacert")).toString("utf8"),
          raw.cacert,
          "--cacert",
        );
  return {
    proxy: raw.proxy === undefined ? null : parseProxy(raw.proxy, "--proxy"),
    noProxy: raw.noproxy === undefined ? null : parseNoProxy(raw.noproxy, "--noproxy"),
    insecure: raw.insecure === true,
    ca,
    http2: raw.http2 === true,
    connectTimeoutMs:
      raw.connectTimeout === undefined
        ? null
        : parseDuration(raw.connectTimeout, "--connect-timeout"),
    perHost:
      raw.perHost === undefined
        ? null
        : parseCount(raw.perHost, "--per-host", { min: 1, max: 65_535 }),
    resolve: (raw.resolve ?? []).map((value) => parseResolve(value, "--resolve")),
  };
}

/** Colour only on a terminal; `NO_COLOR` and `--no-color` turn it off, `FORCE_COLOR` on. */
function useColor(flag: boolean, isTTY: boolean, io: Io): boolean {
  if (!flag) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (io.env.NO_COLOR) return false;
  return isTTY;
}

async function runAndReport(
  io: Io,
  settings: RunSettings,
  source: string,
  targets: readonly Target[],
  explanation: string | null,
): Promise<number> {
  // A threshold naming a concurrency the run will not measure could only be missed: refused
  // now, once `fetchbench sweep` has chosen its values, before any request.
  validateThresholdConcurrency(
    settings.thresholds,
    settings.compare.sweep ?? [settings.compare.concurrency],
  );
  // The request path (undici) and the writers load here, not at start: `--version`, `--help`
  // and the commands that fetch nothing start as fast as commander alone allows.
  const [
    { compare },
    { fileLimitWarning, readFileLimit, socketsNeeded },
    { createProgress },
    { limitHeapGrowth },
  ] = await Promise.all([
    import("./index.js"),
    import("./limits.js"),
    import("./progress.js"),
    import("./heap.js"),
  ]);
  const stopHeapWatch = limitHeapGrowth();
  const { OutputError, writeOutput, writeOutputs } = await import("./report/outputs.js");
  const warn = settings.stderrColor ? pc.yellow("Warning") : "Warning";
  if (!settings.quiet) for (const notice of settings.notices) io.stderr(`${warn}: ${notice}\n`);
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt(() => {
    unsubscribe();
    controller.abort();
  });
  if (!settings.quiet) {
    const limit = await readFileLimit();
    const needed = socketsNeeded(
      settings.compare.modes,
      settings.compare.concurrency,
      targets.length,
    );
    const warning = limit === null ? null : fileLimitWarning(needed, limit);
    if (warning !== null) io.stderr(`${warn}: ${warning}\n`);
  }
  const progress = settings.progress
    ? createProgress({
        write: io.stderr,
        color: settings.stderrColor,
        columns: io.stderrColumns,
      })
    : null;
  let report: Report;
  try {
    report = await compare(targets, {
      ...settings.compare,
      connection: settings.connection,
      env: io.env,
      source,
      signal: controller.signal,
      onProgress: progress?.onProgress,
    });
  } finally {
    stopHeapWatch();
    progress?.stop();
    unsubscribe();
  }

  const renderOptions: Omit<RenderOptions, "color"> = {
    allRows: settings.allRows,
    sort: settings.sort,
    maxRows: settings.maxRows,
    width: reportWidth(io),
    waterfall: showWaterfall(settings.waterfall, io.stdoutIsTTY, targets.length),
  };
  if (explanation !== null && settings.format === "table") {
    const width = renderOptions.width;
    const lines = explanation.split("\n");
    const fitted = width === undefined ? lines : lines.flatMap((line) => wrapWords(line, width));
    io.stdout(`${fitted.join("\n")}\n\n`);
  }
  // A failed export still leaves the report, the warnings and the verdict to give. Ctrl-C while
  // they are written stops the files, which are left as they were before the run.
  const writing = new AbortController();
  const unsubscribeWriting = io.onInterrupt(() => writing.abort());
  const failedOutputs = await writeOutputs(
    report,
    [{ format: settings.format, target: "-", color: settings.color }, ...settings.exports],
    renderOptions,
    io.stdout,
    writing.signal,
  ).finally(unsubscribeWriting);
  for (const error of failedOutputs) io.stderr(`fetchbench: ${error.message}\n`);

  if (!settings.quiet) {
    for (const warning of report.summary.warnings) io.stderr(`${warn}: ${warning.message}\n`);
  }
  if (controller.signal.aborted || writing.signal.aborted) {
    io.stderr("fetchbench: interrupted; the report shows what finished before Ctrl-C\n");
    return ExitCode.interrupted;
  }
  const missed = missedThresholds(report, settings.thresholds);
  for (const line of missed) io.stderr(`fetchbench: ${line}\n`);
  const regressed =
    settings.baseline === null
      ? null
      : (await import("./commands/compare.js")).compareWithBaseline(
          { ...io, reportFormat: settings.format },
          settings.baseline,
          report,
          settings.maxRegression,
        );
  if (settings.junit !== null) {
    const { renderJunit } = await import("./report/render-junit.js");
    const xml = renderJunit(report, {
      thresholds: checkedThresholds(report, settings.thresholds),
      comparison: regressed,
    });
    try {
      await writeOutput(settings.junit, xml, io.stdout);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      failedOutputs.push(error);
      io.stderr(`fetchbench: ${error.message}\n`);
    }
  }
  if (failedOutputs.length > 0) return ExitCode.usage;
  return missed.length > 0 || (regressed !== null && regressed.code !== ExitCode.ok)
    ? ExitCode.failed
    : ExitCode.ok;
}

/** Settles once a stream that refused more can take it again, or is gone (`| head` closed it). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

/** The terminal's width on a terminal; off one, `COLUMNS` where set, else the report's own. */
function reportWidth(io: Io): number | undefined {
  if (io.stdoutColumns !== undefined) return io.stdoutColumns;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/**
 * On a terminal, warnings and errors wrap at word boundaries to its width, continuation lines
 * indented, rather than being broken mid-word by the terminal. The progress line (it starts
 * with a carriage return) is left alone: it is cut to fit on its own.
 */
function fitStderr(io: Io): Io {
  if (!io.stderrIsTTY) return io;
  return {
    ...io,
    stderr: (text) => {
      if (text.includes("\r") || !text.endsWith("\n")) return io.stderr(text);
      const lines = text.slice(0, -1).split("\n");
      io.stderr(`${lines.flatMap((line) => wrapWords(line, io.stderrColumns, "  ")).join("\n")}\n`);
    },
  };
}

function processIo(): Io {
  // An IPC channel (under spawnServer) must not keep the process alive once its work is done.
  process.channel?.unref();
  // A reader that closed the pipe early (`| head`) is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  return {
    stdout: (text) => (process.stdout.write(text) ? undefined : drained(process.stdout)),
    stderr: (text) => {
      process.stderr.write(text);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stdoutIsTTY: process.stdout.isTTY === true,
    stdoutColumns: process.stdout.isTTY === true ? process.stdout.columns || 80 : undefined,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    // A pseudo-terminal may report 0 columns; 80 is the safe guess then.
    stderrColumns: process.stderr.columns || 80,
    env: process.env,
    onInterrupt: (handler) => {
      process.once("SIGINT", handler);
      process.once("SIGTERM", handler);
      // Started by spawnServer: a parent that is gone, however it died, means stop.
      process.once("disconnect", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
        process.off("disconnect", handler);
      };
    },
  };
}
