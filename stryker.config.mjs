// @ts-check
/**
 * Mutation testing (`npm run mutate`): StrykerJS with the vitest runner over the modules where
 * a silent bug would mislead users most. Each module is tested by its in-process tests only:
 * the CLI tests run the built dist/, so they cannot kill a mutant in src/, and running them
 * would only make a run take an hour instead of minutes.
 *
 * `npm run mutate -- --mutate src/client.ts` runs one module with its own tests.
 */

/** The tests that exercise each mutated module in this process. */
const TESTS = {
  "src/stats.ts": [
    "test/stats.test.ts",
    "test/report/summary.test.ts",
    "test/report/significance.test.ts",
  ],
  "src/thresholds.ts": [
    "test/thresholds.test.ts",
    "test/report/sweep.test.ts",
    // The JUnit export lists every threshold with its verdict (checkedThresholds).
    "test/report/render-junit.test.ts",
    "test/report/junit-schema.test.ts",
  ],
  "src/targets.ts": ["test/targets.test.ts"],
  "src/client.ts": [
    "test/client-result.test.ts",
    "test/client.test.ts",
    "test/wire.test.ts",
    "test/client-connection.test.ts",
    "test/client-edges.test.ts",
  ],
  // Not the renderer and compare tests: they summarise their fixtures as the files load, which
  // makes nearly every mutant of the summary "static", run against every test in a fresh process.
  "src/report/summary.ts": ["test/report/summary.test.ts", "test/report/sweep.test.ts"],
};

/** The modules named by `--mutate` (or `-m`; line ranges such as `src/x.ts:10-20` allowed). */
function askedFor(argv) {
  const at = argv.findIndex((arg) => arg === "--mutate" || arg === "-m");
  const inline = argv.find((arg) => arg.startsWith("--mutate="));
  const value = inline?.slice("--mutate=".length) ?? (at === -1 ? undefined : argv[at + 1]);
  if (value === undefined) return Object.keys(TESTS);
  return value.split(",").map((pattern) => pattern.replace(/:[\d:-]+$/, ""));
}

// Handed to vitest.mutate.config.ts in Stryker's test-runner processes. Not `--testFiles`:
// with it Stryker 9 activates module-level (static) mutants only after the module has loaded,
// so every one of them would survive (stryker-js issue 6144).
const tests = [...new Set(askedFor(process.argv).flatMap((module) => TESTS[module] ?? []))];
process.env.FETCHBENCH_MUTATION_TESTS = tests.join(",");

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts", related: true },
  coverageAnalysis: "perTest",
  mutate: Object.keys(TESTS),
  // The machine is shared and the server tests time real requests: two runners at most.
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
