import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { startDemo } from "./demo.js";
import { ExitCode, errorCode, UsageError } from "./errors.js";
import { type CompareOptions, compare } from "./index.js";
import { fileLimitWarning, readFileLimit, socketsNeeded } from "./limits.js";
import {
  type ConnectionOptions,
  collectHeaders,
  DEFAULTS,
  type Format,
  formatDurationFlag,
  parseCaBundle,
  parseConcurrency,
  parseCount,
  parseData,
  parseDelayRange,
  parseDuration,
  parseFormat,
  parseHeader,
  parseMaxWall,
  parseMethod,
  parseModes,
  parseNoProxy,
  parseProxy,
  parseRate,
  parseResolve,
  parseSpeedup,
  type RequestBody,
  readFlagFile,
  withBodyDefaults,
} from "./options.js";
import { createProgress } from "./progress.js";
import { MODES, type Mode, type Report, type Target } from "./report/model.js";
import { render } from "./report/render.js";
import { checkOutputTarget, OutputError, writeOutput } from "./report/writer.js";
import { ENDPOINTS, startServer } from "./server.js";
import { readTargets } from "./targets.js";
import { missedThresholds, type Thresholds, validateThresholds } from "./thresholds.js";
import { VERSION } from "./version.js";

/** Everything the CLI needs from the outside world; `main` builds it from `process`. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<Buffer>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Width of the terminal on standard error, for the progress line. */
  stderrColumns: number;
  env: Record<string, string | undefined>;
  /** Calls the handler on the first Ctrl-C (or SIGTERM); returns a function that unsubscribes. */
  onInterrupt: (handler: () => void) => () => void;
}

/** The options `run` and `demo` share, as commander hands them over: strings, unvalidated. */
interface RawRunOptions {
  modes?: string;
  concurrency?: string;
  method?: string;
  header?: string[];
  timeout?: string;
  maxRedirects?: string;
  format?: string;
  json?: boolean;
  all?: boolean;
  ignoreFailures?: boolean;
  color: boolean;
  runs?: string;
  warmup?: string;
  exportJson?: string;
  exportMarkdown?: string;
  exportCsv?: string;
  minSpeedup?: string;
  maxWall?: string[];
  maxFailures?: string;
  quiet?: boolean;
  progress: boolean;
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
interface RunSettings {
  compare: Omit<CompareOptions, "source" | "signal" | "onProgress">;
  format: Format;
  /** Extra outputs: a format and where it goes (`-` is standard output). */
  exports: { format: Format; target: string }[];
  allRows: boolean;
  thresholds: Thresholds;
  color: boolean;
  /** Colour for what goes to standard error (progress, warnings): its own terminal check. */
  stderrColor: boolean;
  /** Progress display on standard error (a terminal only). */
  progress: boolean;
  /** No progress, no warnings: only the report, errors and missed thresholds. */
  quiet: boolean;
  /** How connections are made: proxy, TLS, HTTP/2, timeouts, caps, name overrides. */
  connection: ConnectionOptions;
  /** `-d, --data`: sent with every request; null for none. */
  body: RequestBody | null;
  /** `--rate`: requests started per second over the whole run; null for as fast as possible. */
  ratePerSecond: number | null;
}

/**
 * Parses the arguments, runs the command and returns the exit code. Reads as a pipeline:
 * arguments → validated options → targets → comparison → report → renderer → output.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed its one-line error otherwise.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError) {
      // Already one self-explaining line (`urls.txt:7: …`, ``Expected `--timeout` …``).
      io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`fetchbench: unexpected error: ${message}\n`);
    return ExitCode.failed;
  }
}

function createProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command("fetchbench")
    .description(
      "Fetch a list of URLs one at a time and all at once, and see what concurrency buys.",
    )
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  fetchbench urls.txt                      compare sequential and concurrent on a list",
        "  fetchbench demo                          the same on the built-in server, offline",
        "  fetchbench urls.txt --runs 5 --warmup 1  repeated runs with mean ± σ",
        "  cat urls.txt | fetchbench - --json       read standard input, print the JSON report",
        "",
        "Run `fetchbench run --help` for every option.",
      ].join("\n"),
    );

  addRunOptions(
    program
      .command("run", { isDefault: true })
      .description("fetch every URL of a list in each mode and report them side by side")
      .argument("<file>", "a file with one URL per line, or - for standard input"),
  ).action(async (file: string, raw: RawRunOptions, command: Command) => {
    const settings = await resolveRunSettings(raw, io, command);
    const { source, targets } = await readTargets(file, io.readStdin);
    setExitCode(await runAndReport(io, settings, source, targets, null));
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
      ),
    MODES,
  ).action(async (raw: RawRunOptions & { count: string; delay: string }, command: Command) => {
    const settings = await resolveRunSettings(raw, io, command);
    const count = parseCount(raw.count, "--count", { min: 1, max: 100_000 });
    const delay = parseDelayRange(raw.delay, "--delay");
    const demo = await startDemo({ count, delay, modes: settings.compare.modes });
    try {
      setExitCode(await runAndReport(io, settings, "demo", demo.targets, demo.explanation));
    } finally {
      await demo.close();
    }
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
      const server = await startServer({
        port,
        host: raw.host,
        https: raw.https === true,
        http2: raw.http2 === true,
      }).catch((error: unknown) => {
        const code = errorCode(error) ?? "error";
        throw new UsageError(`cannot listen on ${raw.host}:${port} (${code})`);
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
      await new Promise<void>((resolve) => {
        const unsubscribe = io.onInterrupt(() => {
          unsubscribe();
          resolve();
        });
      });
      await server.close();
    });

  return program;
}

/** Marks in --help the flags the HTTP client does not act on yet (see UNWIRED). */
const NOT_YET = " [not supported yet]";

// No default value, so --help shows none; the settings read a missing list as empty.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function addRunOptions(command: Command, defaultModes: readonly Mode[] = DEFAULTS.modes): Command {
  return command
    .option(
      "--modes <list>",
      "modes to run: sequential, concurrent, blocking",
      defaultModes.join(","),
    )
    .option(
      "-c, --concurrency <n|all>",
      "requests in flight at once in the concurrent mode",
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
    )
    .option(
      "--format <format>",
      "report on standard output: table, json, markdown, csv",
      DEFAULTS.format,
    )
    .option("--json", "same as --format json")
    .option("--export-json <file>", "also write the JSON report to a file (- for standard output)")
    .option(
      "--export-markdown <file>",
      "also write a Markdown report to a file (- for standard output)",
    )
    .option(
      "--export-csv <file>",
      "also write one CSV row per request to a file (- for standard output)",
    )
    .option("--min-speedup <x>", "exit 1 when the mean speed-up is below x")
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
    .option(
      "-x, --proxy <url>",
      `proxy for every request (default: HTTP_PROXY, HTTPS_PROXY)${NOT_YET}`,
    )
    .option(
      "--noproxy <list>",
      `hosts reached without the proxy, * for all (default: NO_PROXY)${NOT_YET}`,
    )
    .option("-k, --insecure", `accept any server certificate${NOT_YET}`)
    .option("--cacert <file>", `also trust the CA certificates in this PEM file${NOT_YET}`)
    .option("--http2", `offer HTTP/2 (ALPN), falling back to HTTP/1.1${NOT_YET}`)
    .option(
      "-d, --data <text|@file>",
      `request body, as curl sends it: POST unless -X, form content type unless -H (repeatable, joined with &)${NOT_YET}`,
      collect,
    )
    .option("--rate <n>", `start at most n requests per second, on a fixed schedule${NOT_YET}`)
    .option(
      "--connect-timeout <duration>",
      `deadline to open a connection (default: --timeout)${NOT_YET}`,
    )
    .option("--per-host <n>", `connections to one origin at most, in every mode${NOT_YET}`)
    .option(
      "--resolve <host:port:addr>",
      `connect to addr for host:port, keeping the name for Host and TLS (repeatable)${NOT_YET}`,
      collect,
    )
    .option(
      "--all",
      "show every URL in the per-URL table (default: failed ones, then the slowest, 20 rows)",
    )
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
    minSpeedup: raw.minSpeedup === undefined ? null : parseSpeedup(raw.minSpeedup, "--min-speedup"),
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
  const exports = (
    [
      ["json", raw.exportJson],
      ["markdown", raw.exportMarkdown],
      ["csv", raw.exportCsv],
    ] as const
  ).flatMap(([format, target]) => (target === undefined ? [] : [{ format, target }]));
  for (const { format, target } of exports) await checkOutputTarget(target, `--export-${format}`);
  const quiet = raw.quiet === true;
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
  refuseUnwired(raw);
  return {
    connection,
    body,
    ratePerSecond,
    compare: {
      modes,
      concurrency: parseConcurrency(
        raw.concurrency ?? String(DEFAULTS.concurrency),
        "--concurrency",
      ),
      runs: parseCount(raw.runs ?? String(DEFAULTS.runs), "--runs", { min: 1, max: 10_000 }),
      warmup: parseCount(raw.warmup ?? String(DEFAULTS.warmup), "--warmup", {
        min: 0,
        max: 10_000,
      }),
      method,
      headers,
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
    thresholds,
    color: useColor(raw.color, io.stdoutIsTTY, io),
    stderrColor: useColor(raw.color, io.stderrIsTTY, io),
    progress: raw.progress && !quiet && io.stderrIsTTY,
    quiet,
  };
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

/**
 * Flags that are parsed and validated, but that the HTTP client does not act on yet. Each
 * is refused rather than silently ignored; an entry goes when the client honours it.
 */
const UNWIRED: readonly [keyof RawRunOptions, string][] = [
  ["proxy", "-x, --proxy"],
  ["noproxy", "--noproxy"],
  ["insecure", "-k, --insecure"],
  ["cacert", "--cacert"],
  ["http2", "--http2"],
  ["data", "-d, --data"],
  ["rate", "--rate"],
  ["connectTimeout", "--connect-timeout"],
  ["perHost", "--per-host"],
  ["resolve", "--resolve"],
];

function refuseUnwired(raw: RawRunOptions): void {
  const given = UNWIRED.filter(([key]) => raw[key] !== undefined).map(([, flag]) => `\`${flag}\``);
  if (given.length === 0) return;
  const verb = given.length === 1 ? "is" : "are";
  throw new UsageError(
    `${given.join(", ")} ${verb} not supported yet by the HTTP client; nothing was fetched`,
  );
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
  const controller = new AbortController();
  const unsubscribe = io.onInterrupt(() => {
    unsubscribe();
    controller.abort();
  });
  const warn = settings.stderrColor ? pc.yellow("Warning") : "Warning";
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
      source,
      signal: controller.signal,
      onProgress: progress?.onProgress,
    });
  } finally {
    progress?.stop();
    unsubscribe();
  }

  const renderOptions = { color: settings.color, allRows: settings.allRows };
  if (explanation !== null && settings.format === "table") io.stdout(`${explanation}\n\n`);
  io.stdout(render(report, settings.format, renderOptions));
  // A failed export still leaves the report, the warnings and the verdict to give.
  let exportFailed = false;
  for (const { format, target } of settings.exports) {
    const text = render(report, format, { ...renderOptions, color: false });
    try {
      await writeOutput(target, text, io.stdout);
    } catch (error) {
      if (!(error instanceof OutputError)) throw error;
      io.stderr(`fetchbench: ${error.message}\n`);
      exportFailed = true;
    }
  }

  if (!settings.quiet) {
    for (const warning of report.summary.warnings) io.stderr(`${warn}: ${warning.message}\n`);
  }
  if (controller.signal.aborted) {
    io.stderr("fetchbench: interrupted; the report shows what finished before Ctrl-C\n");
    return ExitCode.interrupted;
  }
  const missed = missedThresholds(report, settings.thresholds);
  for (const line of missed) io.stderr(`fetchbench: ${line}\n`);
  if (exportFailed) return ExitCode.usage;
  return missed.length > 0 ? ExitCode.failed : ExitCode.ok;
}

function processIo(): Io {
  // An IPC channel (under spawnServer) must not keep the process alive once its work is done.
  process.channel?.unref();
  // A reader that closed the pipe early (`| head`) is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  return {
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stdoutIsTTY: process.stdout.isTTY === true,
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
