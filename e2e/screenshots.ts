import { mkdirSync } from "node:fs";
import { chromium } from "@playwright/test";
import { freezeHotReload } from "./hmr";

// README screenshots of a running workbench with the demo project:
//   npx tsx e2e/screenshots.ts [baseUrl]   (default http://localhost:3000)
// Writes docs/screenshots/*.png at 1440x900.

const base = (process.argv[2] ?? process.env.TANDEM_URL ?? "http://localhost:3000").replace(/\/$/, "");
const out = "docs/screenshots";
const shots: { file: string; path: string; ready: string; fullPage?: boolean }[] = [
  { file: "meta-table-editor.png", path: "/p/double11/meta-tables/mix_coupon_events", ready: "text=Generated view" },
  { file: "tables.png", path: "/p/double11/tables", ready: "text=ods_coupon_events_rt" },
  ...(process.env.ALL_SHOTS ? [
    { file: "overview.png", path: "/p/double11", ready: "text=Recently changed tables" },
    { file: "connections.png", path: "/p/double11/connections", ready: "text=demo_serving" },
    { file: "table-detail.png", path: "/p/double11/tables/ods_coupon_events_rt", ready: "text=Flink DDL" },
    { file: "table-new.png", path: "/p/double11/tables/new", ready: "text=Infer columns" },
    { file: "meta-tables.png", path: "/p/double11/meta-tables", ready: "text=mix_coupon_events" },
    { file: "meta-table-editor-full.png", path: "/p/double11/meta-tables/mix_coupon_events", ready: "text=Generated view", fullPage: true },
  ] : []),
];

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await freezeHotReload(page);
    for (const s of shots) {
      await page.goto(`${base}${s.path}`);
      await page.locator(s.ready).first().waitFor({ timeout: 60_000 });
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: `${out}/${s.file}`, fullPage: s.fullPage ?? false });
      process.stdout.write(`${out}/${s.file}\n`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
