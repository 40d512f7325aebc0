// Benchmark of Tandem's scheduler (npm run bench:scheduler; arguments `[jobs=1000] [days=10] [backfillDays=365]`).
// The engine is a NO-OP ENGINE (bench/noop-engine.ts), for this benchmark only: every run finishes at once,
// so the figures are the scheduler's own — Temporal (the embedded service), the instance and partition
// registry, planning each run — never DuckDB's. Everything else is the code `tandem dev` runs: the batch
// instance and backfill workflows, their activities and the worker, in this one process, on PGlite in a
// temporary data folder (DATABASE_URL: that Postgres).
//  (a) dependency resolution for one day: the deployed jobs' graph read, ordered, every instance's upstream
//      partitions computed;
//  (b) dispatch: `days` × `jobs` instances started at once (each waits for its upstream day, released by
//      signals as producers finish): instances per second until all have succeeded;
//  (c) priority: the time one more day of `jobs` instances takes alone, then with a `backfillDays` backfill
//      of the root job running alongside; the ratio is the daily instances' delay.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { DefaultLogger, Runtime } from "@temporalio/worker";
import { and, count, eq, inArray } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client";
import { batchInstances, jobDeployments } from "../db/schema/index";
import { ProjectFile } from "../server/catalog/schemas";
import { SecretBox } from "../server/catalog/secrets";
import { loadCatalogSnapshot } from "../server/catalog/snapshot";
import type { ProjectContext } from "../server/context";
import { deployedJobGraph } from "../server/jobs/deployments";
import { freezeCatalog, thawCatalog } from "../server/jobs/frozen-catalog";
import { applyProjectFile } from "../server/project-file/apply";
import { getProject } from "../server/projects/projects";
import { markPartitionReady } from "../server/runs/index";
import { upstreamOf } from "../server/runs/io";
import { Bizdate, bizdateRange, dependencyOrder } from "../server/scheduling/index";
import { translateJob } from "../server/sql/translate/index";
import { startEmbeddedTemporal } from "../workflows/devserver/index";
import { TemporalOrchestrator } from "../workflows/orchestrator";
import { startWorker } from "../workflows/worker";
import { NoopEngine } from "./noop-engine";
import { queryCensus } from "./query-census";
import { jobOf, schedulerBenchProject } from "./scheduler-project";

const JOBS = Number(process.argv[2] ?? 1000);
const DAYS = Number(process.argv[3] ?? 10);
const BACKFILL_DAYS = Number(process.argv[4] ?? 365);
const BACKFILL_CONCURRENCY = 4;
const STALL_MS = 120_000;

Runtime.install({ logger: new DefaultLogger("ERROR") });
const log = (m: string) => process.stderr.write(`[bench:scheduler] ${m}\n`);
const ms = (t0: number) => performance.now() - t0;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-scheduler-"));
const dataDir = path.join(dir, ".tandem");
const url = process.env.DATABASE_URL;
const handle = url ? await openDatabase({ kind: "postgres", url }) : await openDatabase({ kind: "pglite", dataDir, command: "bench:scheduler" });
const db: Database = handle.db;
const census = process.env.BENCH_QUERY_CENSUS === "1" && handle.pglite ? queryCensus(handle.pglite) : undefined;

// Setup: the project, and version 1 of every job recorded as a deploy records it (translated, catalog
// slice frozen); written in bulk, since deploying 1,000 jobs one by one is not what is measured here.
const name = `bench_sched_${Date.now().toString(36)}`;
const secretBox = new SecretBox(crypto.randomBytes(32));
let t0 = performance.now();
await applyProjectFile(db, ProjectFile.parse(schedulerBenchProject(name, JOBS)), { secretBox, readEnv: () => undefined });
const project = await getProject(db, name);
const ctx: ProjectContext = { db, actor: { kind: "system", reason: "bench" }, project };
const catalog = await loadCatalogSnapshot(db, project);
const rows = [...catalog.jobs.values()].map((job) => {
  const t = translateJob(catalog, job, { bizdate: "2025-01-01" });
  return {
    projectId: project.id, jobName: job.name, version: 1, spec: job, streamScript: t.stream, batchScript: t.batch,
    sources: [...new Set(t.lineage.tables.flatMap((e) => e.sources))].sort(), sinks: [...new Set(t.lineage.tables.map((e) => e.sink))].sort(),
    catalog: freezeCatalog(catalog, job, "2025-01-01"), lineage: t.lineage, dependencies: [], deployedBy: "bench",
  };
});
for (let i = 0; i < rows.length; i += 100) await db.insert(jobDeployments).values(rows.slice(i, i + 100));
log(`setup: ${JOBS} jobs applied and deployed in ${(ms(t0) / 1000).toFixed(1)} s`);

// (a) Resolving one day: the graph from the deployments, its order (cycles checked), each instance's upstream.
const resolveDay = async (day: Bizdate): Promise<number> => {
  const graph = await deployedJobGraph(db, project.id);
  dependencyOrder(graph);
  const versions = await db.select({ sources: jobDeployments.sources, sinks: jobDeployments.sinks, catalog: jobDeployments.catalog })
    .from(jobDeployments).where(eq(jobDeployments.projectId, project.id));
  let keys = 0;
  for (const v of versions) keys += upstreamOf(thawCatalog(v.catalog as Parameters<typeof thawCatalog>[0], name), v, day).length;
  return keys;
};
await resolveDay(Bizdate.parse("20250101")); // warm-up
const resolveRuns: number[] = [];
let upstreamKeys = 0;
for (let i = 0; i < 5; i++) {
  t0 = performance.now();
  upstreamKeys = await resolveDay(Bizdate.parse("20250101").addDays(i));
  resolveRuns.push(ms(t0));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
log(`(a) one day resolved in ${median(resolveRuns).toFixed(0)} ms (${upstreamKeys} upstream partitions)`);

// The scheduler on the embedded Temporal service, its worker in this process, on the no-op engine.
const service = await startEmbeddedTemporal({ db });
const connection = await Connection.connect({ address: service.address });
const client = new Client({ connection });
const taskQueue = `bench-scheduler-${Date.now()}`;
const engine = new NoopEngine();
const orchestrator = new TemporalOrchestrator(client, { taskQueue });
const worker = await startWorker({
  target: { address: service.address, namespace: "default", embedded: true },
  taskQueue,
  activityDeps: { scheduler: { db, secretBox, engines: engine.registry(), dataDir, orchestrator } },
});
log("worker ready");

/** How many of `days`' instances have finished, and how many of those did not succeed. */
const finished = async (days: string[]): Promise<{ done: number; notSucceeded: number }> => {
  const rows = await db.select({ state: batchInstances.state, n: count() }).from(batchInstances)
    .where(and(eq(batchInstances.projectId, project.id), inArray(batchInstances.bizdate, days), inArray(batchInstances.state, ["succeeded", "failed", "cancelled", "skipped"])))
    .groupBy(batchInstances.state);
  const done = rows.reduce((a, r) => a + r.n, 0);
  return { done, notSucceeded: done - (rows.find((r) => r.state === "succeeded")?.n ?? 0) };
};
const markExt = async (days: Bizdate[]): Promise<void> => {
  for (const d of days) await markPartitionReady(ctx, { table: "p_ext", partition: d.toString() });
};

/** Starts every job's instance of `days` at once and waits until all have finished; milliseconds. */
async function dispatch(days: Bizdate[]): Promise<number> {
  const texts = days.map((d) => d.toString());
  const total = texts.length * JOBS;
  const start = performance.now();
  const starts = texts.flatMap((bizdate) => Array.from({ length: JOBS }, (_, i) => ({ project: name, job: jobOf(i), bizdate, trigger: "schedule" as const })));
  for (let i = 0; i < starts.length; i += 200) await Promise.all(starts.slice(i, i + 200).map((s) => orchestrator.startBatchInstance(s)));
  for (let seen = 0, moved = performance.now(), last = 0; ;) {
    const f = await finished(texts);
    if (f.done >= total) {
      if (f.notSucceeded > 0) log(`${f.notSucceeded} of ${total} instances did not succeed`);
      break;
    }
    if (f.done !== last) { last = f.done; moved = performance.now(); }
    // A failed upstream leaves its downstream days waiting (for 24 h): say so rather than wait for them.
    if (ms(moved) > STALL_MS) throw new Error(`stalled: ${f.done}/${total} finished, ${f.notSucceeded} of them not succeeded, nothing finished for ${STALL_MS / 1000} s`);
    if (f.done - seen >= 1000) { seen = f.done; log(`  ${f.done}/${total} finished after ${(ms(start) / 1000).toFixed(0)} s`); }
    await new Promise((r) => setTimeout(r, 250));
  }
  return ms(start);
}

// (b) Dispatch rate, and the CPU it took: this process holds everything (service, database, worker and its
// workflow threads, activities), so its CPU per instance bounds the rate on this machine's cores.
const dispatchDays = bizdateRange(Bizdate.parse("20250101"), Bizdate.parse("20250101").addDays(DAYS - 1));
await markExt(dispatchDays);
const cpu0 = process.cpuUsage();
const dispatchMs = await dispatch(dispatchDays);
const cpu1 = process.cpuUsage(cpu0);
const rate = (DAYS * JOBS) / (dispatchMs / 1000);
const cpuMsPerInstance = (cpu1.user + cpu1.system) / 1000 / (DAYS * JOBS);
const cores = os.availableParallelism();
log(`(b) ${DAYS * JOBS} instances in ${(dispatchMs / 1000).toFixed(1)} s: ${rate.toFixed(0)} instances/s; ${cpuMsPerInstance.toFixed(1)} ms of CPU each (at best ${Math.round((cores * 1000) / cpuMsPerInstance)}/s on ${cores} cores)`);

// (c) One day alone, then one day beside a long backfill of the root job (its inputs all ready).
const alone = Bizdate.parse("20250201");
const beside = Bizdate.parse("20250202");
const backfillFrom = Bizdate.parse("20230101");
await markExt([alone, beside, ...bizdateRange(backfillFrom, backfillFrom.addDays(BACKFILL_DAYS - 1))]);
const aloneMs = await dispatch([alone]);
const { workflowId } = await orchestrator.startBackfill({ project: name, job: jobOf(0), from: backfillFrom.toString(), to: backfillFrom.addDays(BACKFILL_DAYS - 1).toString(), downstream: false, concurrency: BACKFILL_CONCURRENCY });
await new Promise((r) => setTimeout(r, 2000)); // the backfill under way
const besideMs = await dispatch([beside]);
const progress = await orchestrator.backfillStatus(workflowId);
log(`(c) one day alone ${(aloneMs / 1000).toFixed(1)} s, beside the backfill ${(besideMs / 1000).toFixed(1)} s (backfill ${progress.done}/${progress.total} done when the day finished)`);
await orchestrator.cancelBackfill(workflowId).catch(() => undefined);

console.log(JSON.stringify({
  engine: "no-op (bench only)",
  database: url ? "postgres" : "pglite (data folder)",
  jobs: JOBS,
  resolveOneDayMs: Math.round(median(resolveRuns)),
  dispatchedInstances: DAYS * JOBS,
  dispatchSeconds: Number((dispatchMs / 1000).toFixed(1)),
  instancesPerSecond: Number(rate.toFixed(1)),
  cpuMsPerInstance: Number(cpuMsPerInstance.toFixed(1)),
  cores,
  dayAloneSeconds: Number((aloneMs / 1000).toFixed(1)),
  dayBesideBackfillSeconds: Number((besideMs / 1000).toFixed(1)),
  delayRatio: Number((besideMs / aloneMs - 1).toFixed(3)),
  backfillDoneDuringDay: `${progress.done}/${progress.total}`,
}));
if (census) census.print();
await worker.stop();
await connection.close();
await service.stop();
await handle.close();
fs.rmSync(dir, { recursive: true, force: true });
