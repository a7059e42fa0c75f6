/**
 * `npm run bench`: the micro-benchmarks of the client, then the side-by-side suite against
 * curl, a bare undici loop and aiohttp. Each prints what it measured next to its target.
 *
 *   npm run bench                          everything
 *   npm run bench -- --suite micro [word…] the micro-benchmarks (those whose name has a word)
 *   npm run bench -- --suite peers         the side-by-side suite only
 *   npm run bench -- --scenario fan-out,scale-100k --runs 5
 *   npm run bench -- --quick               the suite at a tenth of the URLs, one run each
 *   npm run bench -- --strict              exit 1 when a side-by-side target is missed too
 *
 * The environment can say the same: BENCH_SUITE, BENCH_SCENARIO, BENCH_RUNS, BENCH_QUICK=1,
 * BENCH_STRICT=1. A missed micro-benchmark target exits 1; a missed side-by-side target
 * exits 1 only with `--strict`.
 */
import { parseArgs } from "node:util";
import {
  benchBlockingHandoff,
  benchBodyMemory,
  benchConcurrentEfficiency,
  benchProgressCost,
  benchRequestOverhead,
} from "./client.js";
import { runSuite } from "./peers/suite.js";
import { type BenchResult, benchServerConnections } from "./server-connections.js";

const benches: [string, () => Promise<BenchResult>][] = [
  ["request overhead", benchRequestOverhead],
  ["memory for a large body", benchBodyMemory],
  ["concurrent efficiency", benchConcurrentEfficiency],
  ["blocking hand-off", benchBlockingHandoff],
  ["progress display cost", benchProgressCost],
  ["server with 10,000 connections", () => benchServerConnections()],
];

const env = process.env;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    suite: { type: "string", default: env.BENCH_SUITE ?? "all" },
    scenario: { type: "string", default: env.BENCH_SCENARIO ?? "" },
    runs: { type: "string", default: env.BENCH_RUNS ?? "" },
    quick: { type: "boolean", default: env.BENCH_QUICK === "1" },
    strict: { type: "boolean", default: env.BENCH_STRICT === "1" },
  },
});
if (!["all", "micro", "peers"].includes(values.suite)) {
  process.stderr.write(`--suite: expected all, micro or peers, got ${values.suite}\n`);
  process.exit(2);
}
const runs = values.runs === "" ? (values.quick ? 1 : 3) : Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs: expected a whole number ≥ 1, got ${values.runs}\n`);
  process.exit(2);
}
// Choosing scenarios means the side-by-side suite alone.
const suite = values.scenario !== "" && values.suite === "all" ? "peers" : values.suite;

let missed = 0;
if (suite !== "peers") {
  for (const [name, bench] of benches) {
    if (positionals.length > 0 && !positionals.some((word) => name.includes(word))) continue;
    try {
      const result = await bench();
      if (!result.pass) missed += 1;
      const value = Number.isInteger(result.value) ? String(result.value) : result.value.toFixed(3);
      process.stdout.write(
        `${result.pass ? "ok  " : "MISS"}  ${result.name.padEnd(28)} ${value} ${result.unit}  (target ${result.target})\n      ${result.detail}\n`,
      );
    } catch (error) {
      missed += 1;
      process.stdout.write(`FAIL  ${name}: ${(error as Error).message}\n`);
    }
  }
  process.stdout.write(
    missed === 0 ? "\nevery micro-benchmark target met\n" : `\n${missed} target(s) missed\n`,
  );
}

if (suite !== "micro") {
  try {
    const checks = await runSuite({
      only: values.scenario.split(",").filter((word) => word !== ""),
      runs,
      quick: values.quick,
      write: (text) => process.stdout.write(text),
    });
    const misses = checks.filter((check) => check.status === "MISS").length;
    process.stdout.write(
      `\nside by side: ${checks.filter((check) => check.status === "PASS").length} met, ${misses} missed, ${checks.filter((check) => check.status === "SKIP").length} skipped\n`,
    );
    if (values.strict) missed += misses;
  } catch (error) {
    missed += 1;
    process.stdout.write(`FAIL  side-by-side suite: ${(error as Error).message}\n`);
  }
}
process.exitCode = missed === 0 ? 0 : 1;
