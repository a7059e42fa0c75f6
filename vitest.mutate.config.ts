import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The suite's config, narrowed to the tests stryker.config.mjs chose for the modules being
 * mutated (all of the suite when run on its own).
 */
const chosen = process.env.FETCHBENCH_MUTATION_TESTS?.split(",").filter(Boolean) ?? [];

export default defineConfig({
  ...base,
  test: { ...base.test, include: chosen.length > 0 ? chosen : base.test?.include },
});
