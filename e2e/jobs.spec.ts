import { expect, test } from "./fixtures";

// Deploying a job on the local single-user mode (the operator may do everything): deploy the saved job,
// deploy again, roll back to the first version; the history keeps every version, newest first.

test("deploy a job, deploy again, roll back to v1", async ({ page }) => {
  await page.goto("/p/double11/jobs", { timeout: 90_000 });
  const jobs = page.getByRole("table", { name: "Jobs" });
  const row = jobs.getByRole("row").filter({ hasText: "coupon_minutely" });
  await expect(row).toContainText("Not deployed", { timeout: 60_000 });
  await row.getByRole("link", { name: "coupon_minutely" }).click();

  await expect(page.getByLabel("Job SQL")).toContainText("TUMBLE", { timeout: 60_000 });
  await expect(page.getByText("Never deployed.")).toBeVisible();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("become v1");
  await dialog.getByLabel("Note (optional)").fill("first release");
  await dialog.getByRole("button", { name: "Deploy" }).click();
  await expect(page.getByText("Deployed coupon_minutely as v1")).toBeVisible();

  const history = page.getByRole("table", { name: "Deployments" });
  await expect(history.getByRole("row").filter({ hasText: "v1" })).toContainText("first release");
  await expect(history.getByRole("row").filter({ hasText: "v1" })).toContainText("production");
  await expect(history.getByRole("row").filter({ hasText: "v1" })).toContainText("mix_coupon_events → ads_coupon_minutely");

  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(dialog).toContainText("become v2");
  await dialog.getByRole("button", { name: "Deploy" }).click();
  await expect(page.getByText("Deployed coupon_minutely as v2")).toBeVisible();

  await history.getByRole("button", { name: "Roll back to v1" }).click();
  await expect(dialog).toContainText("Roll coupon_minutely back to v1?");
  await dialog.getByRole("button", { name: "Roll back" }).click();
  await expect(page.getByText("Rolled coupon_minutely back to v1 (now v3)")).toBeVisible();
  await expect(history.getByRole("row")).toHaveCount(4); // header + 3 versions
  await expect(history.getByRole("row").nth(1)).toContainText("Rolled back to v1");
  await expect(history.getByRole("row").nth(1)).toContainText("production");

  await page.getByRole("navigation", { name: "Workbench" }).getByRole("link", { name: "Jobs" }).click();
  await expect(jobs.getByRole("row").filter({ hasText: "coupon_minutely" })).toContainText("v3");
});

// `tandem dev` deploys the demo job on a fresh workspace: its page shows the stream side under its
// supervisor (state, restarts, lag, last checkpoint); a job that never ran one says so.
test("a job's page shows its supervised stream side, or that none runs", async ({ page }) => {
  await page.goto("/p/double11/jobs/coupon_campaign_to_date", { timeout: 90_000 });
  const card = page.locator("section").filter({ has: page.getByRole("heading", { name: "Stream side" }) });
  await expect(card).toContainText("No stream side runs for this job.", { timeout: 60_000 });

  await page.goto("/p/double11/jobs/coupon_daily_stats", { timeout: 90_000 });
  // The demo is deployed once the worker is up: the card refreshes until its supervisor answers.
  await expect(card).toContainText("running", { timeout: 90_000 });
  for (const label of ["Restarts", "Lag", "Rows in / out", "Last checkpoint"]) await expect(card).toContainText(label);
  await expect(card).not.toContainText("Last error");
});
