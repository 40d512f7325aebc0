// Benchmark of the lineage impact query (npm run bench:lineage; arguments `[tables=5000] [jobs=1000] [runs=200] [coldRuns=10]`).
// A synthetic project in the database (PGlite in a temporary folder; DATABASE_URL: that Postgres): `jobs`
// deployed jobs, each writing tables/jobs tables (5 columns each, stream and batch sides) from 3 tables
// written by earlier jobs (or source tables), so the graph is a layered DAG with long downstream chains.
// Measured, each over `runs` queries of random tables and columns (and the root table, the widest impact):
//  (a) cold (`coldRuns`): the kept graph forgotten first, so each query reads the deployed versions and builds
//      the graph (what the first query after a deploy pays);
//  (b) warm: the graph kept (the deploy-stamp check, one indexed aggregate, then the walk);
//  (c) column impact (warm);
//  (d) after a deploy (`coldRuns`): a new version of one random job, then a query: the kept graph refreshed
//      (each job's current version listed, the moved job's lineage read, the graph rebuilt).
// Target (issue #15): impact < 100 ms over 5,000 tables and 1,000 jobs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../db/client";
import { and, desc, eq } from "drizzle-orm";
import { jobDeployments, projects } from "../db/schema/index";
import type { ProjectContext } from "../server/context";
import { buildLineageGraph, clearLineageCache, deployedLineage, lineageImpact } from "../server/lineage/index";
import type { ColumnLineage, Lineage } from "../server/sql/lineage";

const [tablesArg, jobsArg, runsArg, coldArg] = process.argv.slice(2).map(Number);
const TABLES = tablesArg || 5000, JOBS = jobsArg || 1000, RUNS = runsArg || 200, COLD_RUNS = coldArg || 10;
const PER_JOB = Math.max(1, Math.floor(TABLES / JOBS));
const COLUMNS = ["id", "a", "b", "c", "d"];
const log = (m: string) => process.stderr.write(`[bench:lineage] ${m}\n`);

// A fixed-seed generator so runs compare.
let seed = 42;
const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-lineage-"));
const url = process.env.DATABASE_URL;
const handle = url ? await openDatabase({ kind: "postgres", url }) : await openDatabase({ kind: "pglite", dataDir: path.join(dir, ".tandem"), command: "bench:lineage" });
const db = handle.db;

const name = `bench_lineage_${Date.now().toString(36)}`;
const [project] = await db.insert(projects).values({ name }).returning({ id: projects.id, name: projects.name });
if (!project) throw new Error("no project");
const ctx: ProjectContext = { db, actor: { kind: "local" }, project };

const table = (i: number) => `t${i}`;
const rows = [];
for (let j = 0; j < JOBS; j++) {
  const sinks = Array.from({ length: PER_JOB }, (_, k) => table(j * PER_JOB + k));
  // Sources: tables written by earlier jobs (the first job reads source tables outside the range).
  const sources = [...new Set(Array.from({ length: 3 }, () => (j === 0 ? `src${rand(3)}` : table(rand(j * PER_JOB)))))];
  const columns: ColumnLineage[] = sinks.flatMap((sink) => COLUMNS.map((column) => {
    const from = sources.map((s) => ({ table: s, column }));
    return {
      statement: 0, sink: { table: sink, column }, transform: "expression" as const, sources: from,
      physical: {
        stream: { sink: { table: `${sink}_rt`, column }, sources: from.map((f) => ({ table: `${f.table}_rt`, column })) },
        batch: { sink: { table: `${sink}_di`, column }, sources: from.map((f) => ({ table: `${f.table}_di`, column })) },
      },
    };
  }));
  const lineage: Lineage = { tables: sinks.map((sink, statement) => ({ statement, sink, sources })), columns };
  rows.push({
    projectId: project.id, jobName: `job_${j}`, version: 1, spec: { name: `job_${j}` }, streamScript: "-- stream", sources, sinks,
    batchScript: "-- batch", lineage, deployedBy: "bench",
  });
}
const t0 = performance.now();
for (let i = 0; i < rows.length; i += 200) await db.insert(jobDeployments).values(rows.slice(i, i + 200));
log(`setup: ${JOBS} deployed jobs over ${JOBS * PER_JOB} tables (+ physical sides), inserted in ${Math.round(performance.now() - t0)} ms`);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
};
const fmt = (x: number) => x.toFixed(1);

async function measure(label: string, cold: boolean, column: boolean): Promise<void> {
  const times: number[] = [];
  let reached = 0;
  const runs = cold ? COLD_RUNS : RUNS;
  for (let i = 0; i < runs; i++) {
    const t = i === 0 ? table(0) : table(rand(JOBS * PER_JOB));
    if (cold) clearLineageCache();
    const s = performance.now();
    const r = await lineageImpact(ctx, { table: t, ...(column ? { column: COLUMNS[rand(COLUMNS.length)] } : {}) });
    times.push(performance.now() - s);
    reached += r.tables.length;
  }
  const st = stats(times);
  const line = `${label.padEnd(26)} median ${fmt(st.median)} ms  p95 ${fmt(st.p95)} ms  max ${fmt(st.max)} ms  (${runs} runs, ${Math.round(reached / runs)} tables reached on average)`;
  process.stdout.write(`${line}\n`);
}

await lineageImpact(ctx, { table: table(0) }); // warm up the code paths once
{
  // Where a cold load goes: reading and parsing every current version's lineage, then building the maps.
  const read: number[] = [], build: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    let s = performance.now();
    const deployed = await deployedLineage(db, project.id);
    read.push(performance.now() - s);
    s = performance.now();
    buildLineageGraph(deployed);
    build.push(performance.now() - s);
  }
  process.stdout.write(`${"cold load split".padEnd(26)} read median ${fmt(stats(read).median)} ms, build median ${fmt(stats(build).median)} ms (${COLD_RUNS} runs)\n`);
}
await measure("impact, cold graph load", true, false);
await measure("impact, kept graph", false, false);
await measure("column impact, kept graph", false, true);
{
  // (d) The first query after a deploy (a new version of one job) with the graph kept: the changed job's
  // lineage is read again and the graph rebuilt.
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const j = rand(JOBS);
    const [current] = await db.select().from(jobDeployments).where(and(eq(jobDeployments.projectId, project.id), eq(jobDeployments.jobName, `job_${j}`))).orderBy(desc(jobDeployments.version)).limit(1);
    if (!current) throw new Error(`job_${j} has no version`);
    await db.insert(jobDeployments).values({ ...current, id: undefined, version: current.version + 1, deployedAt: new Date() });
    const s = performance.now();
    await lineageImpact(ctx, { table: table(rand(JOBS * PER_JOB)) });
    times.push(performance.now() - s);
  }
  const st = stats(times);
  process.stdout.write(`${"impact, after a deploy".padEnd(26)} median ${fmt(st.median)} ms  p95 ${fmt(st.p95)} ms  max ${fmt(st.max)} ms  (${COLD_RUNS} runs)\n`);
}

await handle.close();
fs.rmSync(dir, { recursive: true, force: true });
