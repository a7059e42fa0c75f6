/**
 * `npm run bench`: runs every benchmark once, prints what it measured next to its target, and
 * exits 1 when a target is missed. Timing targets live here, not in the tests.
 */
import {
  benchBlockingHandoff,
  benchBodyMemory,
  benchConcurrentEfficiency,
  benchProgressCost,
  benchRequestOverhead,
} from "./client.js";
import { type BenchResult, benchServerConnections } from "./server-connections.js";

const benches: [string, () => Promise<BenchResult>][] = [
  ["request overhead", benchRequestOverhead],
  ["memory for a large body", benchBodyMemory],
  ["concurrent efficiency", benchConcurrentEfficiency],
  ["blocking hand-off", benchBlockingHandoff],
  ["progress display cost", benchProgressCost],
  ["server with 10,000 connections", () => benchServerConnections()],
];

const only = process.argv.slice(2);
let missed = 0;
for (const [name, bench] of benches) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
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
process.stdout.write(missed === 0 ? "\nevery target met\n" : `\n${missed} target(s) missed\n`);
process.exitCode = missed === 0 ? 0 : 1;
