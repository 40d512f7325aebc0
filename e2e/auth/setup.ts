import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type FullConfig } from "@playwright/test";
import { e2eDatabaseUrl } from "../database-url";

// People and projects for the login tests, made with the CLI as an operator would (it reaches the running
// `tandem dev` through its database socket): an editor of the demo project who is only a viewer of a second
// project. Credentials go to the tests through the environment.

function tandem(args: string[], input?: string): string {
  return execFileSync("npx", ["tsx", "cli/main.ts", ...args], {
    input,
    encoding: "utf8",
    env: {
      ...process.env,
      TANDEM_DATA_DIR: process.env.E2E_AUTH_DATA_DIR,
      TANDEM_AUTH_SECRET: process.env.E2E_AUTH_SECRET,
      // On Postgres the server under test runs on its own database (playwright.auth.config.ts).
      ...(process.env.DATABASE_URL ? { DATABASE_URL: e2eDatabaseUrl("tandem_e2e_auth") } : {}),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

export default async function setup(config: FullConfig): Promise<void> {
  fs.writeFileSync(process.env.E2E_AUTH_ANSWERS ?? "", "");
  const run = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
  const editor = `editor-${run}@example.test`;
  const password = `pw-${crypto.randomBytes(12).toString("base64url")}`;
  const viewerProject = `e2e_view_${run}`;
  tandem(["admin", "create-user", "--email", editor, "--name", "E2E Editor", "--password-stdin", "--project", "double11", "--role", "editor"], password);
  const file = join(tmpdir(), `${viewerProject}.yaml`);
  fs.writeFileSync(file, [
    "version: 1",
    `project: ${viewerProject}`,
    "connections:",
    "  - name: files",
    "    type: filesystem",
    "    properties: { path: /tmp/tandem-e2e-auth }",
    "physicalTables:",
    "  - name: ods_events",
    "    connection: files",
    "    kind: batch",
    "    columns: [{ name: id, type: BIGINT }, { name: dt, type: STRING }]",
    "    partition: { column: dt, format: yyyy-MM-dd }",
    "    options: { path: /tmp/tandem-e2e-auth/ods_events, format: parquet }",
    "  - name: ads_daily",
    "    connection: files",
    "    kind: batch",
    "    columns: [{ name: id, type: BIGINT }, { name: dt, type: STRING }]",
    "    partition: { column: dt, format: yyyy-MM-dd }",
    "    options: { path: /tmp/tandem-e2e-auth/ads_daily, format: parquet }",
    "metaTables:",
    "  - name: events",
    "    columns: [{ name: id, type: BIGINT }, { name: dt, type: STRING }]",
    "    source: { table: ods_events, mappings: { id: id, dt: dt } }",
    "  - name: daily",
    "    columns: [{ name: id, type: BIGINT }, { name: dt, type: STRING }]",
    "    source: { table: ads_daily, mappings: { id: id, dt: dt } }",
    "jobs:",
    "  - name: daily_copy",
    "    description: Copies a day of events.",
    "    sql: \"INSERT INTO daily SELECT id, dt FROM events WHERE dt = '${bizdate}'\"",
    "",
  ].join("\n"));
  tandem(["apply", "-f", file]);
  tandem(["admin", "grant", "--email", editor, "--project", viewerProject, "--role", "viewer"]);
  Object.assign(process.env, { E2E_EDITOR_EMAIL: editor, E2E_EDITOR_PASSWORD: password, E2E_VIEWER_PROJECT: viewerProject });

  // Compile the routes the tests open (next dev compiles on first request).
  const use = config.projects[0]?.use;
  if (!use?.baseURL) return;
  const browser = await chromium.launch(use.launchOptions);
  try {
    const page = await browser.newPage();
    for (const route of ["/login", "/p/double11", "/p/double11/jobs", "/p/double11/jobs/coupon_daily_stats"]) await page.goto(`${use.baseURL}${route}`, { timeout: 180_000, waitUntil: "networkidle" });
  } finally {
    await browser.close();
  }
}
