// npm run bench:ui:lineage — the operations console's lineage, quality and health pages in a real browser
// (Debian's chromium) on the production build, served by `tandem dev --prod` on the embedded defaults.
// A project of ~500 lineage nodes (170 deployed jobs, each writing 2 tables read by later jobs) is inserted
// straight into the embedded database (the deployments table, as a deploy writes it), not job by job over HTTP.
// Targets (issue #16): lineage of 500 nodes laid out and drawn < 1 s (from the graph's data received to the
// nodes painted, read from the page's own marks); the lineage page from navigation to drawn; the quality and
// health pages interactive (navigation → their content) < 1.5 s. Median of BENCH_RUNS (5).
//   BENCH_SKIP_BUILD=1 (reuse .next)  BENCH_RUNS (5)  BENCH_PORT (3496)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { openDatabase } from "../db/client";
import { embeddedDatabaseUrl, readEmbeddedPassword } from "../db/embedded-credentials";
import { jobDeployments, projects } from "../db/schema/index";
import type { ColumnLineage, Lineage } from "../server/sql/lineage";
import { median, report, waitUntilUp } from "./ui-harness";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const port = Number(process.env.BENCH_PORT ?? 3496);
const root = path.resolve(import.meta.dirname, "..");
const base = `http://127.0.0.1:${port}`;
const JOBS = 170, PER_JOB = 2;
const PROJECT = "bench_lineage_ui";



/** ~500 nodes: JOBS deployed jobs (stream and batch), each writing PER_JOB tables from 2 tables written earlier. */
async function seed(databaseUrl: string): Promise<number> {
  const handle = await openDatabase({ kind: "postgres", url: databaseUrl, poolSize: 2 }, { migrate: false });
  try {
    const [project] = await handle.db.insert(projects).values({ name: PROJECT }).returning({ id: projects.id });
    if (!project) throw new Error("no project");
    let s = 7;
    const rand = (n: number) => { s = (s * 1103515245 + 12345) % 2 ** 31; return s % n; };
    const rows = [];
    for (let j = 0; j < JOBS; j++) {
      const sinks = Array.from({ length: PER_JOB }, (_, k) => `t_${j}_${k}`);
      const sources = [...new Set([0, 1].map(() => (j < 3 ? `src_${rand(3)}` : `t_${rand(j)}_${rand(PER_JOB)}`)))];
      const columns: ColumnLineage[] = sinks.flatMap((sink) => ["id", "amount", "dt"].map((column) => ({
        statement: 0, sink: { table: sink, column }, transform: "expression" as const, sources: sources.map((t) => ({ table: t, column })), physical: { stream: null, batch: null },
      })));
      const lineage: Lineage = { tables: sinks.map((sink, statement) => ({ statement, sink, sources })), columns };
      rows.push({ projectId: project.id, jobName: `job_${j}`, version: 1, spec: { name: `job_${j}` }, streamScript: "-- stream", batchScript: "-- batch", sources, sinks, lineage, deployedBy: "bench" });
    }
    await handle.db.insert(jobDeployments).values(rows);
    return JOBS + new Set(rows.flatMap((r) => [...r.sources, ...r.sinks])).size;
  } finally {
    await handle.close();
  }
}

/** Navigation → the graph drawn; also the page's own mark: data received → nodes painted. */
async function timeLineage(page: Page): Promise<{ interactive: number; drawn: number; layout: number; nodes: number }> {
  const t0 = performance.now();
  await page.goto(`${base}/p/${PROJECT}/lineage`);
  const graph = page.getByTestId("lineage-graph");
  await page.locator('[data-testid="lineage-graph"][data-state="drawn"]').waitFor({ timeout: 60_000 });
  const interactive = performance.now() - t0;
  return { interactive, drawn: Number(await graph.getAttribute("data-draw-ms")), layout: Number(await graph.getAttribute("data-layout-ms")), nodes: Number(await graph.getAttribute("data-nodes")) };
}

async function timeQuality(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/quality?table=ads_coupon_daily_di`);
  // The rules, or the word that there are none (the demo's tables start without rules).
  await page.getByRole("table", { name: "Rules" }).or(page.getByText("No rules on this table yet")).waitFor();
  await page.getByRole("button", { name: "Run check" }).waitFor();
  return performance.now() - t0;
}

async function timeHealth(page: Page): Promise<number> {
  const t0 = performance.now();
  await page.goto(`${base}/p/double11/health`);
  await page.getByTestId("health-score").first().waitFor();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("next build (BENCH_SKIP_BUILD=1 reuses the current .next)");
    const built = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("next build failed: run `npm run build` to see why");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-ui-lineage-"));
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "bin/tandem.mjs"), "dev", "--prod", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], detached: true });
  let dbPort: number | undefined;
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    // Lines may arrive split across chunks: read the whole output so far until the address shows.
    if (dbPort !== undefined) return;
    out += chunk.toString();
    const m = /embedded database .* served at 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) dbPort = Number(m[1]);
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    await waitUntilUp(child, base);
    const password = readEmbeddedPassword(dataDir);
    if (!dbPort || !password) throw new Error("the embedded database's address was not printed");
    const t0 = performance.now();
    const nodes = await seed(embeddedDatabaseUrl(dbPort, password));
    console.log(`seeded ${PROJECT}: ${JOBS} deployed jobs, ${nodes} lineage nodes, in ${Math.round(performance.now() - t0)} ms`);

    const warm = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await timeLineage(warm); // first load of each route's code and the graph: not counted
    await timeQuality(warm);
    await timeHealth(warm);
    await warm.close();

    const interactive: number[] = [], drawn: number[] = [], laidOut: number[] = [], quality: number[] = [], health: number[] = [];
    let drawnNodes = 0;
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const l = await timeLineage(page);
      interactive.push(l.interactive);
      drawn.push(l.drawn);
      laidOut.push(l.layout);
      drawnNodes = l.nodes;
      quality.push(await timeQuality(page));
      health.push(await timeHealth(page));
      await page.close();
    }

    console.log(`node ${process.version}, chromium headless, production build, ${os.cpus().length} cores; ${drawnNodes} nodes in the drawn graph`);
    console.log(`  of which the layout (quick layered above 150 nodes, else ELK in a worker): median ${median(laidOut).toFixed(0)} ms`);
    const ok = [
      report(`lineage of ${nodes} nodes: data received → laid out and painted`, drawn, 1000),
      report("lineage page: navigation → drawn", interactive, 1500),
      report("quality page interactive (navigation → rules)", quality, 1500),
      report("health page interactive (navigation → scores)", health, 1500),
    ].every(Boolean);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
