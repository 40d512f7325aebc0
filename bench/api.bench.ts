// npm run bench:api — the workbench API under concurrent load, on the production build (next build, served by
// `tandem serve`: the API answered directly, TANDEM_WEB_PROCESSES processes) started by `tandem dev --prod` on the embedded defaults (or on the Postgres at DATABASE_URL, in a fresh database).
// Readers list tables and connections as the workbench does; writers create and delete tables. Prints errors,
// leftover rows, read p50/p99 and reads/s, write p99. Targets (issue #12): 0 errors, 0 leftovers, read p99 < 300 ms,
// >= 500 reads/s, write p99 < 1 s.
//   BENCH_SKIP_BUILD=1 (reuse .next)  BENCH_SECONDS (30)  BENCH_READERS (50)  BENCH_WRITERS (10)  BENCH_PORT (3490)
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpLink } from "@trpc/client";
import pg from "pg";
import superjson from "superjson";
import type { AppRouter } from "../server/api/root";

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const readers = Number(process.env.BENCH_READERS ?? 50);
const writers = Number(process.env.BENCH_WRITERS ?? 10);
const port = Number(process.env.BENCH_PORT ?? 3490);
const project = "double11";
const root = path.resolve(import.meta.dirname, "..");

async function freshPostgres(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query("DROP DATABASE IF EXISTS tandem_bench_api WITH (FORCE)");
  await c.query("CREATE DATABASE tandem_bench_api");
  await c.end();
  const u = new URL(url);
  u.pathname = "/tandem_bench_api";
  return u.toString();
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function waitUntilUp(url: string, child: ReturnType<typeof spawn>): Promise<void> {
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the workbench exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the workbench did not come up within 5 minutes");
}

async function main(): Promise<void> {
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    console.log("next build (BENCH_SKIP_BUILD=1 reuses the current .next)");
    const built = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { cwd: root, stdio: "ignore", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("next build failed: run `npm run build` to see why");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-api-"));
  const databaseUrl = await freshPostgres();
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir, NEXT_TELEMETRY_DISABLED: "1" };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "cli/main.ts", "dev", "--prod", "--port", String(port)], {
    cwd: root, env, stdio: ["ignore", "pipe", "inherit"], detached: true,
  });
  // Steady state only: the figures start once the worker has bundled its workflows and the demo job is
  // deployed and its stream running (seconds of CPU at startup that are not the API's).
  let log = "";
  child.stdout?.on("data", (d: Buffer) => { log += d.toString(); });
  const settled = async () => {
    const until = Date.now() + 120_000;
    while (Date.now() < until && !(/worker polling/.test(log) && /deployed the demo job|demo job/.test(log))) await new Promise((r) => setTimeout(r, 250));
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(`${base}/api/trpc/catalog.projects`, child);
    await settled();
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/api/trpc`, transformer: superjson })] });
    const template = (await api.catalog.tables.get.query({ project, name: "ods_coupon_events_di" })).spec;
    const before = (await api.catalog.tables.list.query({ project })).total;
    // Warm the routes once so the figures are steady-state, not first-compile.
    await api.catalog.connections.list.query({ project });

    const readMs: number[] = [];
    const writeMs: number[] = [];
    const errors: string[] = [];
    const started = Date.now();
    const deadline = started + seconds * 1000;
    // Readers send the GETs the workbench sends, prebuilt, so the load generator (on the same 2 cores) stays light.
    const readUrls = [
      `${base}/api/trpc/catalog.tables.list?input=${encodeURIComponent(superjson.stringify({ project, search: "coupon", pageSize: 50 }))}`,
      `${base}/api/trpc/catalog.connections.list?input=${encodeURIComponent(superjson.stringify({ project }))}`,
    ];
    const reader = async (n: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const t = performance.now();
        try {
          const r = await fetch(readUrls[(n + i) % 2]!);
          const body = await r.text();
          if (!r.ok || !body.includes('"result"')) throw new Error(`HTTP ${r.status}: ${body.slice(0, 200)}`);
          readMs.push(performance.now() - t);
        } catch (e) {
          errors.push(`read: ${(e as Error).message}`);
        }
      }
    };
    const writer = async (n: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const name = `bench_w${n}_${i}`;
        for (const step of ["create", "delete"] as const) {
          const t = performance.now();
          try {
            if (step === "create") await api.catalog.tables.create.mutate({ project, spec: { ...template, name } });
            else await api.catalog.tables.delete.mutate({ project, name });
            writeMs.push(performance.now() - t);
          } catch (e) {
            errors.push(`${step} ${name}: ${(e as Error).message}`);
          }
        }
      }
    };
    await Promise.all([...Array.from({ length: readers }, (_, n) => reader(n)), ...Array.from({ length: writers }, (_, n) => writer(n))]);
    const elapsed = (Date.now() - started) / 1000;
    const after = (await api.catalog.tables.list.query({ project })).total;
    readMs.sort((a, b) => a - b);
    writeMs.sort((a, b) => a - b);
    const figures = {
      database: databaseUrl ? "postgres" : "embedded PGlite",
      webProcesses: process.env.TANDEM_WEB_PROCESSES ?? "default",
      seconds: Math.round(elapsed),
      readers,
      writers,
      errors: errors.length,
      leftoverTables: after - before,
      reads: readMs.length,
      readsPerSecond: Math.round(readMs.length / elapsed),
      readP50Ms: Math.round(percentile(readMs, 50)),
      readP99Ms: Math.round(percentile(readMs, 99)),
      writes: writeMs.length,
      writeP50Ms: Math.round(percentile(writeMs, 50)),
      writeP99Ms: Math.round(percentile(writeMs, 99)),
    };
    console.log(JSON.stringify(figures));
    for (const e of errors.slice(0, 5)) console.log(`  error: ${e}`);
    const ok = figures.errors === 0 && figures.leftoverTables === 0 && figures.readP99Ms < 300 && figures.readsPerSecond >= 500 && figures.writeP99Ms < 1000;
    console.log(ok ? "targets met" : "TARGETS MISSED");
    process.exitCode = ok ? 0 : 1;
  } finally {
    // The data folder goes once the workbench has stopped (its stream side saves a savepoint there).
    const exited = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once("exit", r));
    if (child.pid) process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
