// npm run bench:ui — the SQL studio in a real browser (Debian's chromium) on the production build, served by
// `tandem dev --prod` on the embedded defaults with the demo job and one demo partition (yesterday, 200,000
// events as `tandem demo generate --days 1` writes it). Targets (issue #14): the studio interactive < 1.5 s;
// the validate round trip on a keystroke < 150 ms p50; the preview of the demo partition < 2 s.
//   BENCH_SKIP_BUILD=1 (reuse .next)  BENCH_RUNS (5)  BENCH_PORT (3495)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { report, waitUntilUp } from "./ui-harness";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const port = Number(process.env.BENCH_PORT ?? 3495);
const root = path.resolve(import.meta.dirname, "..");
const base = `http://127.0.0.1:${port}`;
const studio = `${base}/p/double11/jobs/coupon_daily_stats/studio`;



/** From navigation to an editor that shows the job and a validation verdict. */
async function timeInteractive(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(studio);
  await page.locator('[data-testid="sql-editor"][data-ready="true"]').waitFor();
  await page.getByRole("status").filter({ hasText: "No problems" }).waitFor();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("next build (BENCH_SKIP_BUILD=1 reuses the current .next)");
    const built = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("next build failed: run `npm run build` to see why");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-ui-"));
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.DATABASE_URL;
  const generated = spawnSync(process.execPath, [path.join(root, "bin/tandem.mjs"), "demo", "generate", "--days", "1"], { cwd: root, env, encoding: "utf8" });
  if (generated.status !== 0) throw new Error(`demo generate failed: ${generated.stderr}`);
  const child = spawn(process.execPath, [path.join(root, "bin/tandem.mjs"), "dev", "--prod", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    await waitUntilUp(child, base);
    const warm = await browser.newPage();
    await timeInteractive(warm); // first load of each route's code: not counted
    await warm.close();

    const interactive: number[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage();
      interactive.push(await timeInteractive(page));
      await page.close();
    }

    // Validate round trips: each keystroke (after the editor's debounce) sends the draft; timed in the browser
    // from the request's start to its response's end.
    const page = await browser.newPage();
    await timeInteractive(page);
    await page.locator('[data-testid="sql-editor"] .view-lines').click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.insertText("\n-- ");
    const validate: number[] = [];
    for (let i = 0; i < Math.max(10, runs * 4); i++) {
      const answered = page.waitForResponse((r) => r.url().includes("sql.validate"));
      await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
      const response = await answered;
      await response.finished();
      const t = response.request().timing();
      validate.push(t.responseEnd);
    }

    // Preview of the demo partition: from the click to every step on screen.
    await page.getByRole("radio", { name: "Preview" }).click();
    const preview: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await page.getByRole("button", { name: "Run preview" }).click();
      await page.getByRole("region", { name: "Step ads_coupon_daily_di" }).waitFor();
      preview.push(performance.now() - t0);
      await page.getByRole("radio", { name: "Stream | batch" }).click();
      await page.getByRole("radio", { name: "Preview" }).click();
    }

    console.log(`node ${process.version}, chromium headless, production build, ${os.cpus().length} cores`);
    const ok = [
      report("studio interactive (navigation → verdict)", interactive, 1500),
      report("validate round trip per keystroke", validate, 150),
      report("preview of the demo partition", preview, 2000),
    ].every(Boolean);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    // The data folder goes once the workbench has stopped (its stream side saves a savepoint there).
    const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
