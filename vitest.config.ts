import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["server/**/*.test.ts", "db/**/*.test.ts", "cli/**/*.test.ts", "workflows/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".tandem/**"],
    globalSetup: ["./db/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
