import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";

// The operations console on the demo's deployed job (`tandem dev` deploys coupon_daily_stats): run
// a past day from the calendar, watch its cell go waiting → running → succeeded once its input partition
// lands, open its page and log; then backfill the three days before and follow the progress to the end.

const JOB = "coupon_daily_stats";
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test("run a bizdate, watch it in the calendar, open its log, backfill three days", async ({ page }, info) => {
  test.setTimeout(120_000);
  const dataDir = process.env.E2E_BASE_URL ? undefined : join(tmpdir(), `tandem-e2e-${process.env.E2E_PORT ?? 3410}`);
  test.skip(!dataDir, "the demo partitions are generated into the data folder of the workbench this suite started");
  // Days no other spec runs (they share one database and the demo's recent partitions): the run's input is
  // missing until this spec writes the history.
  const runDay = day(-9);
  const from = day(-12);
  const to = day(-10);

  await page.goto(`/p/double11/instances?from=${day(-14)}&to=${day(0)}`, { timeout: 90_000 });
  const calendar = page.getByRole("table", { name: "Instance calendar" });
  // The demo job is deployed once the worker is up; the calendar lists deployed jobs.
  await expect(calendar.getByRole("rowheader", { name: JOB })).toBeVisible({ timeout: 60_000 });

  // Trigger that day: its input partition is not there yet, so it waits (and says for what).
  await page.getByRole("button", { name: "Run a bizdate" }).click();
  const run = page.getByRole("dialog", { name: "Run a bizdate" });
  await run.getByLabel("Job").selectOption(JOB);
  await run.getByLabel("Bizdate").fill(runDay);
  await run.getByRole("button", { name: "Run", exact: true }).click();
  const cell = calendar.getByRole("link", { name: new RegExp(`^${JOB} ${runDay}: `) });
  await expect(cell).toHaveAttribute("data-state", /waiting|queued/, { timeout: 15_000 });
  await page.screenshot({ path: info.outputPath("calendar-waiting.png") });

  // The input lands (twelve days of demo history); the file sensor, or a person marking the partition ready
  // on the instance page, releases it.
  const generated = spawnSync(process.execPath, ["bin/tandem.mjs", "demo", "generate", "--days", "12", "--events-per-day", "2000"], { env: { ...process.env, TANDEM_DATA_DIR: dataDir }, encoding: "utf8" });
  expect(generated.status, generated.stderr).toBe(0);
  await cell.click();
  await expect(page).toHaveURL(new RegExp(`/instances/${JOB}/${runDay}$`));
  const upstream = page.getByRole("list", { name: "Upstream partitions" });
  await expect(upstream).toContainText("ods_coupon_events_di");
  const markReady = upstream.getByRole("button", { name: /^Mark .* ready$/ });
  if (await markReady.isVisible()) await markReady.click({ timeout: 5_000 }).catch(() => undefined); // unless the sensor was first
  const log = page.getByRole("list", { name: "Event log" });
  await expect(log).toContainText("running", { timeout: 45_000 });
  await expect(page.getByRole("heading", { level: 1 })).toContainText("succeeded", { timeout: 45_000 });
  await expect(log).toContainText(/attempt 1 succeeded: \d+ rows in/);
  await expect(upstream).not.toContainText("missing");
  await page.screenshot({ path: info.outputPath("instance.png"), fullPage: true });

  // Back in the calendar the cell is green.
  await page.getByRole("link", { name: "Instances" }).first().click();
  await expect(calendar.getByRole("link", { name: `${JOB} ${runDay}: succeeded` })).toBeVisible();

  // A three-day backfill: the preview lists the days it creates, then its progress runs to the end.
  await page.getByRole("button", { name: "Backfill" }).click();
  const backfill = page.getByRole("dialog", { name: "Backfill" });
  await backfill.getByLabel("Job", { exact: true }).selectOption(JOB);
  await backfill.getByLabel("From", { exact: true }).fill(from);
  await backfill.getByLabel("To", { exact: true }).fill(to);
  await backfill.getByLabel("Concurrency").fill("3");
  await expect(backfill.getByRole("list", { name: "Backfill preview" }).getByRole("listitem")).toHaveCount(3);
  await backfill.getByRole("button", { name: "Start backfill (3 instances)" }).click();
  const progress = page.getByRole("dialog", { name: `Backfill of ${JOB}` });
  await expect(progress.getByRole("progressbar", { name: "Backfill progress" })).toHaveAttribute("aria-valuemax", "3");
  await expect(progress.getByRole("status")).toContainText(/\d of 3 done/);
  await page.screenshot({ path: info.outputPath("backfill.png") });
  await expect(progress.getByRole("status")).toContainText("3 of 3 done: 3 succeeded", { timeout: 60_000 });
  await progress.getByRole("button", { name: "Close" }).click();
  for (const d of [from, day(-11), to]) await expect(calendar.getByRole("link", { name: `${JOB} ${d}: succeeded` })).toBeVisible();
});
