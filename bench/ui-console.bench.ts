// npm run bench:ui:console — the operations console in a real browser (Debian's chromium) on the production
// build, served by `tandem dev --prod` on the embedded defaults with the demo workspace. Targets (issue #16):
// the jobs page, the instance calendar, a job's page, an instance's page and a table's partitions interactive
// < 1.5 s (median of BENCH_RUNS); a 10,000-row jobs table scrolled at ≥ 50 fps, measured as
// requestAnimationFrame deltas while the page scrolls it programmatically.
// The 10,000 jobs are inserted straight into the workbench's database (one multi-row insert per 1,000), not
// through 10,000 API calls.
//   BENCH_SKIP_BUILD=1 (reuse .next)  BENCH_RUNS (5)  BENCH_PORT (3496)  BENCH_JOBS (10000)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { openDatabase, resolveSharedDatabaseUrl } from "../db/client";
import { jobs, projects } from "../db/schema/index";
import { median, report, waitUntilUp } from "./ui-harness";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const port = Number(process.env.BENCH_PORT ?? 3496);
const jobCount = Number(process.env.BENCH_JOBS ?? 10_000);
const root = path.resolve(import.meta.dirname, "..");
const base = `http://127.0.0.1:${port}`;



/** Navigation → the jobs table shows its first job's link. */
async function jobsInteractive(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/jobs`);
  await page.getByRole("table", { name: "Jobs" }).getByRole("link").first().waitFor();
  return performance.now() - t0;
}

/** Navigation → the calendar shows a job's row (the demo's deployed job). */
async function calendarInteractive(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/instances`);
  await page.getByRole("table", { name: "Instance calendar" }).getByRole("rowheader").first().waitFor();
  return performance.now() - t0;
}

/** Navigation → the demo job's page shows its deployments. */
async function jobDetailInteractive(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/jobs/coupon_daily_stats`);
  await page.getByRole("table", { name: "Deployments" }).waitFor();
  return performance.now() - t0;
}

/** Navigation → an instance's page shows its event log, or the empty state of a day that has not run. */
async function instanceInteractive(page: Page): Promise<number> {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/instances/coupon_daily_stats/${yesterday}`);
  await page.getByRole("list", { name: "Event log" }).or(page.getByText("No instance for this day")).first().waitFor();
  return performance.now() - t0;
}

/** Navigation → a table's partitions page shows its partitions, or its empty state. */
async function partitionsInteractive(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/tables/ods_coupon_events_di/partitions`);
  await page.getByRole("table", { name: "Partitions" }).or(page.getByText("No partition yet")).first().waitFor();
  return performance.now() - t0;
}

async function timed(browser: Awaited<ReturnType<typeof chromium.launch>>, fn: (p: Page) => Promise<number>): Promise<number[]> {
  const warm = await browser.newPage();
  await fn(warm); // first load of the route's code: not counted
  await warm.close();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage();
    out.push(await fn(page));
    await page.close();
  }
  return out;
}

async function seedJobs(dataDir: string): Promise<void> {
  const url = resolveSharedDatabaseUrl({ dataDir });
  if (!url) throw new Error("the workbench's embedded database is not reachable");
  const handle = await openDatabase({ kind: "postgres", url, poolSize: 2 }, { migrate: false });
  try {
    const [project] = await handle.db.select().from(projects).where(eq(projects.name, "double11"));
    if (!project) throw new Error("no double11 project");
    const [template] = await handle.db.select().from(jobs).where(and(eq(jobs.projectId, project.id), eq(jobs.name, "coupon_daily_stats")));
    if (!template) throw new Error("no demo job to copy");
    const t0 = performance.now();
    for (let start = 0; start < jobCount; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, jobCount - start) }, (_, k) => {
        const name = `bench_job_${String(start + k).padStart(5, "0")}`;
        return { projectId: project.id, name, description: `bench job ${start + k}`, spec: { ...(template.spec as Record<string, unknown>), name } };
      });
      await handle.db.insert(jobs).values(batch).onConflictDoNothing();
    }
    console.log(`seeded ${jobCount.toLocaleString("en")} jobs in ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    await handle.close();
  }
}

/** Scrolls the table by `step` px each frame for `ms`, collecting the frame deltas in the page. */
async function scrollFrames(page: Page, ms: number, step: number): Promise<number[]> {
  // A string, not a function: tsx's keepNames would wrap named functions in a helper the page lacks.
  return page.evaluate(`new Promise((done, fail) => {
    const el = document.querySelector('[data-testid="data-table-scroller"]');
    if (!el) return fail(new Error("no data table"));
    const deltas = [];
    let last = performance.now();
    const end = last + ${ms};
    const frame = (now) => {
      deltas.push(now - last);
      last = now;
      el.scrollTop = el.scrollTop + ${step} >= el.scrollHeight - el.clientHeight ? 0 : el.scrollTop + ${step};
      if (now < end) requestAnimationFrame(frame);
      else done(deltas.slice(1));
    };
    requestAnimationFrame(frame);
  })`);
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("next build (BENCH_SKIP_BUILD=1 reuses the current .next)");
    const built = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("next build failed: run `npm run build` to see why");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-ui-console-"));
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "bin/tandem.mjs"), "dev", "--prod", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "ignore", "inherit"], detached: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    await waitUntilUp(child, base);
    const jobsDemo = await timed(browser, jobsInteractive);
    const calendar = await timed(browser, calendarInteractive);
    const jobDetail = await timed(browser, jobDetailInteractive);
    const instance = await timed(browser, instanceInteractive);
    const partitions = await timed(browser, partitionsInteractive);

    await seedJobs(dataDir);
    const jobsBig = await timed(browser, jobsInteractive);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await jobsInteractive(page);
    await page.getByText(`${(jobCount + 4).toLocaleString("en")} rows`).or(page.getByText(/\d{2},\d{3} rows/)).first().waitFor();
    await scrollFrames(page, 500, 120); // warm-up
    const deltas = await scrollFrames(page, 4000, 120);
    const sorted = [...deltas].sort((a, b) => a - b);
    const fps = 1000 / median(deltas);
    const mean = (deltas.length * 1000) / deltas.reduce((s, d) => s + d, 0);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? NaN;
    const rows = await page.evaluate(() => document.querySelectorAll('table[aria-label="Jobs"] tbody tr[aria-rowindex]').length);

    console.log(`node ${process.version}, chromium headless, production build, ${os.cpus().length} cores`);
    const ok = [
      report("jobs page interactive (demo project)", jobsDemo, 1500),
      report("instance calendar interactive (14 days)", calendar, 1500),
      report("job page interactive (demo job)", jobDetail, 1500),
      report("instance page interactive (yesterday)", instance, 1500),
      report("partitions page interactive", partitions, 1500),
      report(`jobs page interactive (${jobCount.toLocaleString("en")} jobs)`, jobsBig, 1500),
    ].every(Boolean);
    const smooth = fps >= 50;
    console.log(`${`jobs table scroll (${jobCount.toLocaleString("en")} rows, ${rows} in the DOM)`.padEnd(48)} median ${fps.toFixed(1)} fps, mean ${mean.toFixed(1)} fps, p95 frame ${p95.toFixed(1)} ms, ${deltas.length} frames  target ≥ 50 fps  ${smooth ? "met" : "MISSED"}`);
    process.exitCode = ok && smooth ? 0 : 1;
  } finally {
    await browser.close();
    const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
