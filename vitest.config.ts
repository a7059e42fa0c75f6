import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most test files spend their time waiting on servers, timers and child processes, not on the
    // CPU: one worker per core left a 2-core machine three-quarters idle (118 s for the suite, 87 s
    // of CPU). Four at least keeps it busy (48 s) without starving the timing tests.
    maxWorkers: Math.max(4, availableParallelism()),
  },
});
