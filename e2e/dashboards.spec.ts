import { spawn, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";

// The demo's "Double 11 coupons" dashboard while `tandem demo generate --rate N` runs: the stream job of
// `tandem dev` upserts the serving table, and the page's numbers move without a reload; then big-screen mode.

test("the Double 11 dashboard moves with the generator, and has a big-screen mode", async ({ page }) => {
  const dataDir = process.env.E2E_BASE_URL ? undefined : join(tmpdir(), `tandem-e2e-${process.env.E2E_PORT ?? 3410}`);
  test.skip(!dataDir, "the generator writes into the data folder of the workbench this suite started");
  const generator = spawn(process.execPath, ["bin/tandem.mjs", "demo", "generate", "--rate", "50", "--duration", "80"], { env: { ...process.env, TANDEM_DATA_DIR: dataDir }, stdio: "ignore" });
  try {
    await page.goto("/p/double11/dashboards", { timeout: 90_000 });
    await page.getByRole("table", { name: "Dashboards" }).getByRole("link", { name: "Double 11 coupons" }).click();
    const pv = page.getByTestId("value-pv");
    // The stream side starts with the workbench; once it has written today's rows the number shows.
    await expect(pv).toHaveText(/^\d[\d,]*$/, { timeout: 60_000 });
    const before = await pv.textContent();
    await expect(pv).not.toHaveText(before ?? "", { timeout: 5_000 });
    const urlBefore = page.url();

    await page.getByRole("button", { name: "Big screen" }).click();
    await expect(page).toHaveURL(/screen=1/);
    await expect(page.getByTestId("big-screen")).toBeVisible();
    await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
    const onScreen = await page.getByTestId("big-screen").getByTestId("value-pv").textContent();
    await expect(page.getByTestId("big-screen").getByTestId("value-pv")).not.toHaveText(onScreen ?? "", { timeout: 5_000 });
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("big-screen")).toHaveCount(0);
    expect(page.url().split("?")[0]).toBe(urlBefore.split("?")[0]);
  } finally {
    generator.kill("SIGTERM");
  }
});

// Yesterday on both sides: `demo generate --days 1 --with-topic` writes the same events to yesterday's
// warehouse partition and to the topic; the stream job of `tandem dev` picks the topic file up, yesterday's
// batch instance runs from the instance page, and the comparison widget then shows two equal values.
// console.spec also writes yesterday's partition (its --days 12), but without the topic; this test replaces
// the partition and reruns the day after writing, so both sides hold exactly the events written here.

test("the comparison widget shows yesterday's stream and batch values equal after the day's instance", async ({ page }) => {
  test.setTimeout(150_000);
  const dataDir = process.env.E2E_BASE_URL ? undefined : join(tmpdir(), `tandem-e2e-${process.env.E2E_PORT ?? 3410}`);
  test.skip(!dataDir, "the generator writes into the data folder of the workbench this suite started");
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const generated = spawnSync(process.execPath, ["bin/tandem.mjs", "demo", "generate", "--days", "1", "--with-topic", "--events-per-day", "3000", "--seed", "17"],
    { env: { ...process.env, TANDEM_DATA_DIR: dataDir }, encoding: "utf8" });
  expect(generated.status, generated.stderr).toBe(0);
  expect(generated.stdout).toContain(`for ${yesterday} to `);

  await page.goto("/p/double11/dashboards", { timeout: 90_000 });
  await page.getByRole("table", { name: "Dashboards" }).getByRole("link", { name: "Double 11 coupons" }).click();
  const widget = page.getByTestId("widget-gmv_live_vs_exact");
  await expect(widget).toContainText(yesterday);
  const stream = page.getByTestId("stream-gmv_live_vs_exact");
  const batch = page.getByTestId("batch-gmv_live_vs_exact");
  // The stream job tails the topic folder and upserts yesterday's rows; the live side then shows a sum.
  await expect(stream).toHaveText(/\d/, { timeout: 60_000 });

  // Yesterday's batch instance of the job that writes ads_coupon_daily, run (again) now that its input is there.
  await page.goto(`/p/double11/instances/coupon_daily_stats/${yesterday}`);
  const header = page.getByRole("heading", { level: 1 });
  await expect(header).toContainText(yesterday);
  const runButton = page.getByRole("button", { name: /^(Run this day|Rerun)$/ }).first();
  await expect(runButton).toBeVisible({ timeout: 30_000 }); // an instance still waiting or running finishes first
  await runButton.click();
  await page.getByRole("dialog").getByRole("button", { name: "Rerun", exact: true }).click();
  await expect(page.getByText(new RegExp(`coupon_daily_stats ${yesterday}: attempt \\d+ is`))).toBeVisible();
  const upstream = page.getByRole("list", { name: "Upstream partitions" });
  const markReady = upstream.getByRole("button", { name: /^Mark .* ready$/ });
  if (await markReady.isVisible().catch(() => false)) await markReady.click({ timeout: 5_000 }).catch(() => undefined); // unless the sensor was first
  await expect(header).toContainText("succeeded", { timeout: 60_000 });

  await page.goto("/p/double11/dashboards");
  await page.getByRole("table", { name: "Dashboards" }).getByRole("link", { name: "Double 11 coupons" }).click();
  await expect(widget.getByText("equal", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(batch).toHaveText(/\d/);
  const streamText = (await stream.textContent())?.trim();
  expect(streamText).toMatch(/\d/);
  await expect(batch).toHaveText(streamText ?? "");
  await expect(widget).not.toContainText("differ by");
  await widget.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(tmpdir(), "dash-comparison.png"), fullPage: true });
});
