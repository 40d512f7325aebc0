// npm run bench:engine — the local engine's three figures (BENCHMARKS.md, "## Engines"):
//  1. batch: the demo job over one 1.4M-row Parquet partition (pruned to it, partition overwritten);
//  2. stream: the demo job (COUNT, COUNT DISTINCT, SUMs per key) as exactly-once micro-batches of 10k
//     events from the JSON topic into a jdbc upsert sink (in-process PGlite, or DATABASE_URL);
//  3. a jdbc sink capped at 5,000 rows/s: worst 1-s window and overall rate.
// Options: BENCH_RUNS (default 5), BENCH_STREAM_EVENTS (default 600000), BENCH_BATCH_ROWS (1400000),
// BENCH_PROFILE=1 (per-statement times of the stream runs).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { addDaysIso, writeHistoryPartition, writeTopicDay } from "../server/demo/generator";
import { runBatchJob } from "../server/engines/local/batch";
import { DuckSession } from "../server/engines/local/duck";
import { pgDatabase, pgliteDatabase, type SqlDatabase } from "../server/engines/local/jdbc";
import { worstWindow } from "../server/engines/local/rate-limiter";
import { writeBatch, type SinkEnv } from "../server/engines/local/sinks";
import { StreamRunner } from "../server/engines/local/stream";
import { demoBatchPlan, demoStreamPlan } from "../server/engines/testing/demo-plans";
import { demoCatalog, inSchema } from "../server/engines/testing/helpers";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STREAM_EVENTS = Number(process.env.BENCH_STREAM_EVENTS ?? 600_000);
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 1_400_000);
const DAY = "2024-11-11";
/** BENCH_PROFILE=1: time per SQL statement of the stream runs (where a micro-batch goes). */
const PROFILE = process.env.BENCH_PROFILE === "1";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");

async function database(): Promise<{ db: SqlDatabase; schema: string; close(): Promise<void> }> {
  const schema = `bench_${process.pid}`;
  if (process.env.DATABASE_URL) {
    const db = pgDatabase(process.env.DATABASE_URL);
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.query(`CREATE SCHEMA ${schema}`);
    return { db, schema, close: async () => { await db.query(`DROP SCHEMA ${schema} CASCADE`); await db.close(); } };
  }
  const pglite = await PGlite.create();
  const db = pgliteDatabase(pglite);
  await db.query(`CREATE SCHEMA ${schema}`);
  return { db, schema, close: () => pglite.close() };
}

async function benchBatch(dir: string, env: SinkEnv): Promise<{ medianMs: number; runs: number[]; rows: number }> {
  const events = path.join(dir, ".tandem/demo/warehouse/ods_coupon_events_di");
  const t = performance.now();
  for (const d of [-1, 0, 1]) await writeHistoryPartition(events, { day: addDaysIso(DAY, d), count: d === 0 ? BATCH_ROWS : 100_000 });
  process.stderr.write(`  generated partitions in ${Math.round(performance.now() - t)} ms\n`);
  const plan = demoBatchPlan(demoCatalog(), DAY);
  const session = await DuckSession.open();
  const runs: number[] = [];
  let rows = 0;
  try {
    await runBatchJob(plan, env, { session }); // warm-up: first-use costs of the process
    for (let i = 0; i < RUNS; i++) {
      const r = await runBatchJob(plan, env, { session });
      if (r.scans[0]?.partitionsRead.join() !== DAY) throw new Error("partition pruning failed");
      rows = r.rowsIn;
      runs.push(r.durationMs);
    }
  } finally {
    session.close();
  }
  return { medianMs: median(runs), runs, rows };
}

/** DESIGN.md §8's reference query on the same partition (170 ms on a quiet machine): the load factor. */
async function calibrate(dir: string): Promise<number> {
  const file = path.join(dir, `.tandem/demo/warehouse/ods_coupon_events_di/dt=${DAY}/part-0.parquet`);
  const s = await DuckSession.open();
  const runs: number[] = [];
  try {
    for (let i = 0; i <= RUNS; i++) {
      const t = performance.now();
      await s.run(`CREATE OR REPLACE TEMP TABLE ref AS SELECT coupon_id, count(*) AS pv, count(DISTINCT user_id) AS uv, sum(CASE WHEN action_type = 'R' THEN amount ELSE 0 END) AS gmv FROM read_parquet('${file}') GROUP BY coupon_id`);
      if (i > 0) runs.push(performance.now() - t);
    }
  } finally {
    s.close();
  }
  return median(runs);
}

async function benchStream(dir: string, env: SinkEnv, schema: string, run: number): Promise<{ eventsPerSec: number; p50: number; p99: number; max: number; batches: number }> {
  const topic = path.join(dir, `.tandem/demo/topic-${run}/coupon_events`);
  await writeTopicDay(topic, { day: DAY, count: STREAM_EVENTS });
  const plan = demoStreamPlan(demoCatalog(), DAY);
  const scan = plan.sources[0];
  const st = plan.statements[0];
  if (!scan || !st) throw new Error("demo plan");
  scan.table = { ...scan.table, options: { ...scan.table.options, path: topic } };
  st.sink = { ...st.sink, table: inSchema({ ...st.sink.table, options: { ...st.sink.table.options, "table-name": `ads_coupon_daily_rt_${run}` } }, schema) };
  const durations: number[] = [];
  const runner = await StreamRunner.open(plan, { jobId: `bench-${run}`, stateDir: path.join(dir, `state-${run}`), env, maxBatchRows: 10_000,
    // A batch's latency runs until its sink write has committed (that write overlaps the next batch).
    onDelivered: (m) => durations.push(m.latencyMs ?? m.durationMs),
  });
  const profile = new Map<string, { ms: number; n: number }>();
  if (PROFILE) {
    runner.onStatement = (sql, ms) => {
      const key = sql.replace(/\s+/g, " ").replace(/\d+/g, "N").slice(0, 90);
      const e = profile.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n += 1;
      profile.set(key, e);
    };
  }
  const t = performance.now();
  let events = 0;
  try {
    for (let m = await runner.step(); m; m = await runner.step()) events += m.rowsIn;
  } finally {
    await runner.close();
  }
  const elapsed = performance.now() - t;
  if (PROFILE) {
    const batches = Math.max(1, durations.length);
    const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((a, [, e]) => a + e.ms, 0);
    process.stderr.write(`  profile (ms per batch; SQL ${(total / batches).toFixed(1)} of ${(elapsed / batches).toFixed(1)}):\n`);
    for (const [k, e] of rows.slice(0, 14)) process.stderr.write(`    ${(e.ms / batches).toFixed(1).padStart(6)}  ${k}\n`);
  }
  return { eventsPerSec: Math.round(events / (elapsed / 1000)), p50: pct(durations, 50), p99: pct(durations, 99), max: Math.max(...durations), batches: durations.length };
}

async function benchRateLimit(env: SinkEnv, schema: string): Promise<{ worst: number; overall: number; rows: number }> {
  const chunks: { at: number; rows: number }[] = [];
  const envTimed: SinkEnv = { ...env, onSinkChunk: (_s, rows, at) => chunks.push({ at, rows }) };
  const rows = 30_000;
  const sink = {
    table: inSchema({ ...bindJdbc(demoStreamPlan(demoCatalog(), DAY)) }, schema),
    mode: "append" as const,
    columns: ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"],
    rateLimit: 5000,
  };
  sink.table = { ...sink.table, table: { ...sink.table.table, primaryKey: undefined }, options: { ...sink.table.options, "table-name": `${schema}.rate_limited` } };
  const s = await DuckSession.open();
  try {
    await writeBatch(s, sink, `SELECT '${DAY}', i, i, i, 0, 0 FROM range(${rows}) t(i)`, envTimed);
  } finally {
    s.close();
  }
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  if (!first || !last || chunks.length < 2) throw new Error("no chunks were written");
  // Overall rate between the first and the last chunk's completion (the rows after the first one).
  return { worst: worstWindow(chunks), overall: Math.round((rows - first.rows) / ((last.at - first.at) / 1000)), rows };
}

function bindJdbc(plan: ReturnType<typeof demoStreamPlan>) {
  const t = plan.statements[0]?.sink.table;
  if (!t) throw new Error("demo plan");
  return t;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-engine-"));
  const pg = await database();
  const env: SinkEnv = { baseDir: dir, jdbc: () => pg.db };
  try {
    process.stderr.write(`load ${load()}\nbatch (${BATCH_ROWS} rows, ${RUNS} runs)\n`);
    const batch = await benchBatch(dir, env);
    const reference = await calibrate(dir);
    process.stderr.write(`  reference query (DESIGN §8: 170 ms quiet) ${Math.round(reference)} ms -> load factor ${(reference / 170).toFixed(1)}\n`);
    process.stderr.write(`  runs ${batch.runs.map((x) => Math.round(x)).join(", ")} ms\nstream (${STREAM_EVENTS} events, 10k per batch, ${Math.min(RUNS, 3)} runs) load ${load()}\n`);
    const streams = [];
    const factors: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const r = await benchStream(dir, env, pg.schema, i);
      streams.push(r);
      const f = (await calibrate(dir)) / 170;
      factors.push(f);
      process.stderr.write(`  run ${i}: ${r.eventsPerSec} events/s, p50 ${Math.round(r.p50)} ms, p99 ${Math.round(r.p99)} ms, max ${Math.round(r.max)} ms over ${r.batches} batches; load factor after it ${f.toFixed(1)}\n`);
    }
    process.stderr.write(`rate-limited sink (5,000 rows/s) load ${load()}\n`);
    const rate = await benchRateLimit(env, pg.schema);
    const out = {
      load: load(),
      referenceQueryMs: Math.round(reference),
      loadFactor: Math.round((reference / 170) * 10) / 10,
      batch: { rows: batch.rows, medianMs: Math.round(batch.medianMs), vsReference: Math.round((batch.medianMs / reference) * 100) / 100, target: "< 500 ms" },
      stream: {
        eventsPerSec: median(streams.map((x) => x.eventsPerSec)), p99Ms: Math.round(median(streams.map((x) => x.p99))),
        p50Ms: Math.round(median(streams.map((x) => x.p50))), loadFactor: Math.round(median(factors) * 10) / 10, target: ">= 150,000 events/s, p99 < 250 ms",
      },
      rateLimit: { ...rate, cap: 5000, overallPctOfCap: Math.round((rate.overall / 5000) * 1000) / 10, target: "worst <= 5,000, overall >= 95%" },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
