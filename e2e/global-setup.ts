import { chromium, type FullConfig } from "@playwright/test";
import { freezeHotReload } from "./hmr";

// Visit every page once before the tests, so their timeouts measure the workbench and not a first
// load (with E2E_BASE_URL pointing at `next dev`, the compile of each route).

const ROUTES = [
  "/",
  "/p/double11",
  "/p/double11/connections",
  "/p/double11/tables",
  "/p/double11/tables/ods_coupon_events_rt",
  "/p/double11/meta-tables",
  "/p/double11/meta-tables/new",
  "/p/double11/meta-tables/mix_coupon_events",
  "/p/double11/jobs",
  "/p/double11/jobs/coupon_minutely",
  "/p/double11/instances",
  "/p/double11/lineage",
  "/p/double11/quality",
  "/p/double11/health",
  "/p/double11/dashboards",
  "/p/double11/metrics",
];

export default async function globalSetup(config: FullConfig): Promise<void> {
  const use = config.projects[0]?.use;
  const baseURL = use?.baseURL;
  if (!baseURL) return;
  const browser = await chromium.launch(use.launchOptions);
  try {
    const page = await browser.newPage();
    await freezeHotReload(page);
    for (const route of ROUTES) {
      await page.goto(`${baseURL}${route}`, { timeout: 180_000 });
      // Not "networkidle": pages that poll (stream status, calendars, dashboards) never go quiet.
      await page.waitForLoadState("load", { timeout: 180_000 });
    }
  } finally {
    await browser.close();
  }
}
