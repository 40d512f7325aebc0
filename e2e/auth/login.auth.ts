import fs from "node:fs";
import { expect, test, type APIResponse, type Page } from "@playwright/test";

// Login on: an editor signs in through the page, works in the project where they are editor, and is
// refused every write in the project where they are only a viewer, and owner-only actions (connections,
// members; deploying jobs uses the same owner check) everywhere. At the end, the server's whole log and
// every API answer the browser received are searched for plaintext secrets.

const editor = () => process.env.E2E_EDITOR_EMAIL ?? "";
const password = () => process.env.E2E_EDITOR_PASSWORD ?? "";
const viewerProject = () => process.env.E2E_VIEWER_PROJECT ?? "";
// Appended to a file: a failed test restarts the worker, and the final scan must still see every answer.
const ANSWERS = process.env.E2E_AUTH_ANSWERS ?? "";
const keep = (line: string) => fs.appendFileSync(ANSWERS, `${line}\n`);

function record(page: Page): void {
  page.on("response", (r) => {
    if (!r.url().includes("/api/")) return;
    r.text().then((t) => keep(`${r.url()} ${r.status()} ${t}`), () => undefined); // bodies of redirects are unreadable: nothing to scan
  });
}

async function mutate(page: Page, path: string, input: unknown): Promise<{ status: number; body: string }> {
  const res: APIResponse = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = await res.text();
  keep(`${path} ${res.status()} ${body}`);
  return { status: res.status(), body };
}

async function query(page: Page, path: string, input: unknown): Promise<{ status: number; body: string }> {
  const res = await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = await res.text();
  keep(`${path} ${res.status()} ${body}`);
  return { status: res.status(), body };
}

async function signIn(page: Page): Promise<void> {
  await page.goto("/p/double11");
  await expect(page).toHaveURL(/\/login\?next=%2Fp%2Fdouble11/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(editor());
  await page.getByLabel("Password").fill(`${password()}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
  await page.getByLabel("Password").fill(password());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/p\/double11$/, { timeout: 60_000 });
}

test("without a session the API answers nothing and pages go to sign-in", async ({ page }) => {
  record(page);
  const anonymous = await query(page, "catalog.tables.list", { project: "double11" });
  expect(anonymous.status).toBe(401);
  expect((await query(page, "auth.status", undefined)).body).toContain('"mode":"login"');
  await page.goto("/p/double11/connections");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("an editor signs in, edits the demo project, and cannot write where they are only a viewer", async ({ page }) => {
  record(page);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "double11" })).toBeVisible({ timeout: 60_000 });

  const me = await query(page, "auth.me", undefined);
  expect(me.body).toContain(editor());
  const projects = await query(page, "catalog.projects", undefined);
  expect(projects.body).toContain('"name":"double11","description"');
  expect(projects.body).toContain(viewerProject());

  // Editor in double11: catalog writes are allowed; connections (secrets) are the owners'.
  const table = `e2e_auth_${Date.now().toString(36)}`;
  const spec = {
    name: table, connection: "demo_warehouse", kind: "batch",
    columns: [{ name: "id", type: "BIGINT" }, { name: "dt", type: "STRING" }],
    partition: { column: "dt", format: "yyyy-MM-dd" },
    options: { path: `.tandem/demo/warehouse/${table}`, format: "parquet" },
  };
  expect((await mutate(page, "catalog.tables.create", { project: "double11", spec })).status).toBe(200);
  expect((await mutate(page, "catalog.tables.delete", { project: "double11", name: table })).status).toBe(200);
  const conn = await mutate(page, "catalog.connections.create", { project: "double11", spec: { name: `c_${table}`, type: "filesystem", properties: { path: "/tmp" } } });
  expect(conn.status).toBe(403);
  expect(conn.body).toContain("needs owner");
  expect((await mutate(page, "members.set", { project: "double11", email: editor(), role: "owner" })).status).toBe(403);
  expect((await query(page, "audit.list", { project: "double11" })).status).toBe(403);

  // Only a viewer in the second project: reading works, every write is refused.
  expect((await query(page, "catalog.tables.list", { project: viewerProject() })).status).toBe(200);
  const refused = await mutate(page, "catalog.tables.create", { project: viewerProject(), spec: { ...spec, connection: "files" } });
  expect(refused.status).toBe(403);
  expect(refused.body).toMatch(/is viewer in project .*needs editor/);
  expect((await mutate(page, "catalog.tables.delete", { project: viewerProject(), name: "ods_events" })).status).toBe(403);
  expect((await mutate(page, "catalog.connections.delete", { project: viewerProject(), name: "files" })).status).toBe(403);

  // The workbench pages of the viewer project still open for reading.
  await page.goto(`/p/${viewerProject()}/tables`);
  await expect(page.getByRole("link", { name: "ods_events" })).toBeVisible({ timeout: 60_000 });
});

test("the editor cannot deploy: not where they are a viewer, nor where they are an editor", async ({ page }) => {
  record(page);
  await signIn(page);

  // The job page of the viewer project: the SQL is readable, Deploy is disabled and says why.
  await page.goto(`/p/${viewerProject()}/jobs`);
  await page.getByRole("table", { name: "Jobs" }).getByRole("link", { name: "daily_copy" }).click({ timeout: 60_000 });
  await expect(page.getByLabel("Job SQL")).toContainText("INSERT INTO daily", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Deploy", exact: true })).toBeDisabled();
  await expect(page.getByRole("note")).toContainText(`Deploying needs the owner role; you are viewer in ${viewerProject()}`);
  await expect(page.getByText("Not deployed yet.")).toBeVisible();

  // The server refuses it too, whatever the page shows.
  const asViewer = await mutate(page, "jobs.deploy", { project: viewerProject(), job: "daily_copy" });
  expect(asViewer.status).toBe(403);
  expect(asViewer.body).toMatch(/is viewer in project .*job\.deploy needs owner/);
  expect((await mutate(page, "jobs.rollback", { project: viewerProject(), job: "daily_copy", toVersion: 1 })).status).toBe(403);
  // An editor runs jobs but deploying is the owners'.
  const asEditor = await mutate(page, "jobs.deploy", { project: "double11", job: "coupon_daily_stats" });
  expect(asEditor.status).toBe(403);
  expect(asEditor.body).toMatch(/is editor in project 'double11'; job\.deploy needs owner/);

  // Nothing was deployed.
  const history = await query(page, "jobs.deployments", { project: viewerProject(), name: "daily_copy" });
  expect(history.status).toBe(200);
  expect(history.body).toContain('"json":[]');
  await page.reload();
  await expect(page.getByText("Never deployed.")).toBeVisible({ timeout: 60_000 });
});

test("no plaintext secret in the server log or any API answer", async () => {
  const log = fs.readFileSync(process.env.E2E_AUTH_SERVER_LOG ?? "", "utf8");
  expect(log).toContain("workbench starting");
  const answers = fs.readFileSync(ANSWERS, "utf8");
  const everything = `${log}\n${answers}`;
  expect(answers.split("\n").length).toBeGreaterThan(10);
  for (const [name, secret] of [["demo JDBC password", "tandem-demo-password"], ["user password", password()], ["auth secret", process.env.E2E_AUTH_SECRET ?? ""]] as const) {
    expect(secret.length, name).toBeGreaterThan(8);
    expect(everything.includes(secret), `${name} found in the captured output`).toBe(false);
  }
});
