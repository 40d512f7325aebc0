import { spawn } from "node:child_process";
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
