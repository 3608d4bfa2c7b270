import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Two cores: run files in parallel processes, one per core.
    pool: "forks",
    // test/robustness measures the JS heap after forced collections.
    execArgv: ["--expose-gc"],
  },
});
