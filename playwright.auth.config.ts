import crypto from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { e2eDatabaseUrl } from "./e2e/database-url";

// Browser tests with login ON (e2e/auth): `tandem dev` started with an auth secret on its own data folder
// and port, its whole log written to a file the tests scan for secrets. Separate from playwright.config.ts
// (login off); run with `npx playwright test -c playwright.auth.config.ts`.

const port = Number(process.env.E2E_AUTH_PORT ?? 3420);
const dataDir = join(tmpdir(), `tandem-e2e-auth-${port}`);
const baseURL = `http://localhost:${port}`;
const authSecret = process.env.E2E_AUTH_SECRET ?? crypto.randomBytes(32).toString("base64");
// Shared with the setup and the tests (workers inherit the environment).
process.env.E2E_AUTH_SECRET = authSecret;
process.env.E2E_AUTH_DATA_DIR = dataDir;
process.env.E2E_AUTH_SERVER_LOG = join(tmpdir(), `tandem-e2e-auth-${port}.log`);
process.env.E2E_AUTH_ANSWERS = join(tmpdir(), `tandem-e2e-auth-${port}.answers.log`);

export default defineConfig({
  testDir: "e2e/auth",
  testMatch: "**/*.auth.ts",
  globalSetup: "./e2e/auth/setup.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // One retry in CI only, for a loaded 2-core machine; a test that fails twice is a failure, and the
  // report still lists the flaky first attempt.
  retries: process.env.CI ? 1 : 0,
  reporter: "list",
  use: {
    baseURL,
    viewport: { width: 1280, height: 860 },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    },
  },
  projects: [{ name: "chromium-login", use: { browserName: "chromium" } }],
  webServer: {
    command: `npx tsx e2e/fresh-database.ts tandem_e2e_auth && rm -rf '${dataDir}' && exec npx tsx cli/main.ts dev --prod --port ${port} > '${process.env.E2E_AUTH_SERVER_LOG}' 2>&1`,
    url: `${baseURL}/login`,
    timeout: 240_000,
    reuseExistingServer: false,
    env: {
      TANDEM_DATA_DIR: dataDir,
      TANDEM_AUTH_SECRET: authSecret,
      TANDEM_PUBLIC_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
      // On Postgres the tests get a database of their own, so the demo is seeded as on a fresh start.
      ...(process.env.DATABASE_URL ? { DATABASE_URL: e2eDatabaseUrl("tandem_e2e_auth") ?? "" } : {}),
    },
  },
});
