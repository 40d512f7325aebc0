import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { e2eDatabaseUrl } from "./e2e/database-url";

// Browser tests of the workbench against a real `tandem dev` (embedded database, demo seed, the production
// build served by `tandem serve`; scripts/test-all.sh runs `next build` first).
// The data folder is recreated for each run; with DATABASE_URL set the same tests run against Postgres
// (names are suffixed per run, so a shared database is fine).

const port = Number(process.env.E2E_PORT ?? 3410);
const dataDir = join(tmpdir(), `tandem-e2e-${port}`);
// E2E_BASE_URL runs the suite against a workbench that is already up (Next.js allows one `next dev`
// per checkout, so a second one cannot start while you develop).
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One retry in CI only, for a loaded 2-core machine; a test that fails twice is a failure, and the
  // report still lists the flaky first attempt.
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL,
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: external ? undefined : {
    command: `npx tsx e2e/fresh-database.ts tandem_e2e_main && rm -rf '${dataDir}' && npx tsx cli/main.ts dev --prod --port ${port}`,
    url: `${baseURL}/api/trpc/catalog.projects`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      TANDEM_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: "1",
      // On Postgres the tests get a database of their own, so the demo is seeded as on a fresh start.
      ...(process.env.DATABASE_URL ? { DATABASE_URL: e2eDatabaseUrl("tandem_e2e_main") ?? "" } : {}),
    },
  },
});
