import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// The catalog pages end to end, on the seeded Double 11 demo project.

const run = Date.now().toString(36);
const metaTable = `mix_e2e_${run}`;

async function warmUp(page: Page, path: string): Promise<void> {
  // next dev compiles a route on its first request; give that first load room.
  await page.goto(path, { timeout: 90_000 });
}

test("the workbench opens on the demo project with its connections and tables", async ({ page }) => {
  await warmUp(page, "/");
  await expect(page).toHaveURL(/\/p\/double11$/, { timeout: 60_000 });
  await expect(page.getByRole("heading", { level: 1, name: "double11" })).toBeVisible();
  await expect(page.getByText("Local single-user mode")).toBeVisible();
  await expect(page.getByLabel("Project")).toHaveValue("double11");

  await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Connections", exact: true }).click();
  const connections = page.getByRole("table", { name: "Connections" });
  await expect(connections.getByText("demo_topic", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(connections.getByText("demo_serving", { exact: true })).toBeVisible();
  // The demo's JDBC password is stored encrypted and only ever shown masked.
  await expect(connections.getByRole("row").filter({ hasText: "demo_serving" })).toContainText("******");
  await expect(connections).not.toContainText("tandem-demo-password");

  await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Tables", exact: true }).click();
  const tables = page.getByRole("table", { name: "Physical tables" });
  await expect(tables.getByRole("link", { name: "ods_coupon_events_rt" })).toBeVisible({ timeout: 60_000 });
  await expect(tables.getByRole("link", { name: "ods_coupon_events_di" })).toBeVisible();

  // Server-side filtering: only stream tables.
  await page.getByLabel("Kind").selectOption("stream");
  await expect(tables.getByRole("link", { name: "ods_coupon_events_di" })).toBeHidden();
  await expect(tables.getByRole("link", { name: "ods_coupon_events_rt" })).toBeVisible();
});

test.describe.serial("a mixed meta-table through the editor", () => {
  test("create it: auto-align, see the wrong mapping flagged inline, fix it, save", async ({ page }) => {
    await warmUp(page, "/p/double11/meta-tables/new");
    await page.getByLabel("Name", { exact: true }).fill(metaTable);
    await page.getByLabel("Description", { exact: true }).fill("Created by the e2e suite");
    await page.getByLabel("Stream table", { exact: true }).selectOption("ods_coupon_events_rt");
    await page.getByLabel("Batch table", { exact: true }).selectOption("ods_coupon_events_di");
    await page.getByRole("button", { name: "Auto-align" }).click();

    // Auto-align matches by name and lists what it could not match.
    await expect(page.getByLabel("Logical column 1 name")).toHaveValue("event_id");
    await expect(page.getByText("Unmatched on stream:")).toBeVisible();
    await expect(page.getByRole("button", { name: "+ action_type" })).toBeVisible();

    // The batch table's user_id is a STRING: the live check flags the row and the side.
    const userId = page.locator('[data-column="user_id"]');
    await expect(userId.getByRole("alert")).toContainText("type mismatch on the batch side");
    await expect(page.getByTestId("check-status")).toContainText(/1 issue/);
    await expect(userId.getByRole("button", { name: "Use CAST(user_id AS BIGINT)" })).toBeVisible();

    await page.getByLabel("batch mapping kind for user_id").selectOption("expr");
    await page.getByLabel("batch expression for user_id").fill("CAST(user_id AS BIGINT)");
    await expect(userId.getByRole("alert")).toBeHidden();
    await expect(page.getByTestId("check-status")).toContainText("No issues");
    await expect(page.getByLabel("batch view preview")).toContainText("CAST(user_id AS BIGINT) AS user_id");
    await expect(page.getByLabel("stream view preview")).toContainText("'stream' AS __mode");

    await page.getByRole("button", { name: "Create meta-table" }).click();
    await expect(page).toHaveURL(new RegExp(`/meta-tables/${metaTable}$`));
    await expect(page.getByText(`Saved meta-table ${metaTable}`)).toBeVisible();

    await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Meta-tables" }).click();
    const list = page.getByRole("table", { name: "Meta-tables" });
    const row = list.getByRole("row").filter({ hasText: metaTable });
    await expect(row).toContainText("mixed");
    await expect(row).toContainText("ods_coupon_events_rt");
    await expect(row).toContainText("ods_coupon_events_di");
  });

  test("delete it, then undo", async ({ page }) => {
    await warmUp(page, `/p/double11/meta-tables/${metaTable}`);
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete meta-table" }).click();

    await expect(page).toHaveURL(/\/meta-tables$/);
    await expect(page.getByText(`Deleted meta-table ${metaTable}`)).toBeVisible();
    const list = page.getByRole("table", { name: "Meta-tables" });
    await expect(list.getByRole("link", { name: "mix_coupon_events" })).toBeVisible();
    await expect(list.getByRole("link", { name: metaTable })).toBeHidden();

    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByText(`Restored meta-table ${metaTable}`)).toBeVisible();
    await expect(list.getByRole("link", { name: metaTable })).toBeVisible();

    await list.getByRole("link", { name: metaTable }).click();
    await expect(page.getByLabel("batch expression for user_id")).toHaveValue("CAST(user_id AS BIGINT)");
  });
});
