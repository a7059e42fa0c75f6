#!/usr/bin/env node
// Runs the built CLI; `npm ci` builds it through the `prepare` script.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("fetchbench: not built yet; run `npm run build` (or `npm ci`) first\n");
  process.exitCode = 2;
} else {
  const { main } = await import(cli.href);
  process.exitCode = await main(process.argv.slice(2));
}
