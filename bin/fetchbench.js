#!/usr/bin/env node
// Runs the built CLI; `npm ci` builds it through the `prepare` script.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
const args = process.argv.slice(2);
if (!existsSync(cli)) {
  process.stderr.write("fetchbench: not built yet; run `npm run build` (or `npm ci`) first\n");
  process.exitCode = 2;
} else if (args.length === 1 && ["--version", "-V", "-v"].includes(args[0])) {
  // The version alone needs neither the option parser nor the request path: it starts as fast
  // as Node does. Any other use of the flags is the CLI's (src/cli.ts), with the same answer.
  const { VERSION } = await import(new URL("../dist/version.js", import.meta.url).href);
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import(cli.href);
  process.exitCode = await main(args);
}
