import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";

// The operations console's lineage, quality and health pages on the demo project: highlight a column's
// impact in the lineage graph; give the demo job's output a rule its data breaks, check the day by hand,
// see it failing on the quality page and the finding it causes in the job's health score.

const port = Number(process.env.E2E_PORT ?? 3410);
const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

test("open the lineage graph, find a table and highlight a column's impact", async ({ page }) => {
  await page.goto("/p/double11/lineage");
  const graph = page.getByTestId("lineage-graph");
  await expect(graph).toHaveAttribute("data-state", "drawn", { timeout: 30_000 });
  await page.getByRole("combobox", { name: "Find a table or job" }).fill("mix_coupon");
  await page.getByRole("option", { name: /mix_coupon_events/ }).click();
  await expect(page).toHaveURL(/sel=t%3Amix_coupon_events/);
  const details = page.getByRole("complementary", { name: "Selection" });
  await expect(details).toContainText("downstream");
  await details.getByRole("list", { name: "Columns" }).getByRole("button", { name: "coupon_id", exact: true }).click();
  await expect(page).toHaveURL(/col=coupon_id/);
  await expect(details.getByRole("list", { name: "Impacted columns" })).toContainText("ads_coupon_daily.coupon_id");
  await expect(graph.locator('[data-node-id="t:ads_coupon_daily"]')).toHaveAttribute("data-mark", "impact");
  await expect(graph.locator('[data-node-id="j:coupon_daily_stats"]')).toHaveAttribute("data-mark", "impact");
  // The expanded table shows the column itself highlighted; a table outside the impact is dimmed.
  await expect(graph.getByRole("list", { name: "Columns of ads_coupon_daily" }).getByRole("button", { name: "coupon_id" })).toHaveClass(/rose/);
  await expect(graph.locator('[data-node-id="t:ods_coupon_events_rt"]')).toHaveAttribute("data-mark", "dim");

  // The URL carries the selection: reloading it shows the same impact.
  await page.reload();
  await expect(page.getByRole("complementary", { name: "Selection" }).getByRole("list", { name: "Impacted columns" })).toContainText("ads_coupon_daily.coupon_id");
});

// The rule is removed afterwards: a blocking rule left on the demo job's output would fail its later runs
// (the specs share one database).
let addedRule: string | null = null;
test.afterEach(async ({ request }) => {
  if (!addedRule) return;
  const removed = await request.post("/api/trpc/quality.deleteRule", { data: { json: { project: "double11", table: "ads_coupon_daily_di", name: addedRule } } });
  expect(removed.ok(), await removed.text()).toBe(true);
  addedRule = null;
});

test("a failing quality rule on the demo job's output, and the health finding it causes", async ({ page }) => {
  test.setTimeout(80_000);
  // A day of demo history, then the demo job's batch instance of that day (it writes ads_coupon_daily_di).
  const generated = spawnSync(process.execPath, ["bin/tandem.mjs", "demo", "generate", "--days", "1", "--events-per-day", "2000"], {
    env: { ...process.env, TANDEM_DATA_DIR: join(tmpdir(), `tandem-e2e-${port}`) }, encoding: "utf8",
  });
  expect(generated.status, generated.stderr).toBe(0);
  const rerun = await page.request.post("/api/trpc/instances.rerun", { data: { json: { project: "double11", job: "coupon_daily_stats", bizdate: day } } });
  expect(rerun.ok(), await rerun.text()).toBe(true);
  const input = encodeURIComponent(JSON.stringify({ json: { project: "double11", job: "coupon_daily_stats", bizdate: day } }));
  await expect.poll(async () => {
    const r = await page.request.get(`/api/trpc/instances.get?input=${input}`);
    const body = (await r.json()) as { result?: { data?: { json?: { instance?: { state?: string } } } } };
    return body.result?.data?.json?.instance?.state;
  }, { timeout: 45_000, intervals: [500] }).toBe("succeeded");

  const rule = `at_most_five_${Date.now().toString(36)}`;
  await page.goto("/p/double11/quality?table=ads_coupon_daily_di");
  await page.getByRole("button", { name: "Add rule" }).click();
  const form = page.getByRole("form", { name: "New rule" });
  // The form checks what it can before asking the server.
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("alert").first()).toContainText("name the rule");
  await form.getByLabel("Name").fill(rule);
  await form.getByLabel("Max rows").fill("5");
  await form.getByRole("button", { name: "Add rule" }).click();
  addedRule = rule;
  const rules = page.getByRole("table", { name: "Rules" });
  await expect(rules.getByRole("row").filter({ hasText: rule })).toContainText("not checked yet");

  await page.getByLabel("Partition day").fill(day);
  await page.getByRole("button", { name: "Run check" }).click();
  await expect(page.getByRole("status", { name: "Check outcome" })).toContainText(`${rule}: 50 rows; expected at most 5`);
  await expect(rules.getByRole("row").filter({ hasText: rule })).toContainText("failed");
  await expect(page.getByRole("list", { name: "Partitions" }).getByRole("button").first()).toContainText("failed");
  await expect(page.getByRole("table", { name: "Results over time" }).getByLabel(`${rule} ${day} failed`)).toBeVisible();

  await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Health" }).click();
  const card = page.getByRole("region", { name: "Health of coupon_daily_stats" });
  const finding = card.getByRole("listitem").filter({ hasText: rule });
  await expect(finding).toContainText("high");
  await expect(finding).toContainText("quality_blocking");
  await expect(finding).toContainText(`tandem rerun --job coupon_daily_stats --bizdate ${day}`);
  expect(Number(await card.getByTestId("health-score").textContent())).toBeLessThanOrEqual(95);
  // The finding links to the rule to fix.
  await finding.getByRole("link", { name: `Open rule ${rule}` }).click();
  await expect(page).toHaveURL(new RegExp(`/quality\\?table=ads_coupon_daily_di.*rule=${rule}`));
  await expect(page.getByRole("table", { name: "Rules" }).getByRole("row").filter({ hasText: rule })).toContainText("failed");
});
