import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["server/**/*.test.ts", "db/**/*.test.ts", "cli/**/*.test.ts", "workflows/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".tandem/**"],
    globalSetup: ["./db/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker per core minus one: a single worker on the 2-core machines CI runs on.
    // Most files wait on I/O (PGlite, Temporal, DuckDB files, child processes), so two overlap well:
    // the whole suite 469 s -> 309 s on one such machine (BENCHMARKS.md, "Test suite").
    maxWorkers: 2,
  },
});
