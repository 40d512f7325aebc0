import fs from "node:fs";
import path from "node:path";
import { DuckSession, lit } from "../local/duck";
import { runBatchJob } from "../local/batch";
import { StreamRunner } from "../local/stream";
import { planLocalJob } from "../local/from-script";
import type { LocalStreamJob } from "../local/plan";
import { demoEventsSql, dayStartMs, writeHistoryPartition } from "../../demo/generator";
import { JobSpec, type CatalogSnapshot } from "../../catalog/schemas";
import { sinkEnv, type testPostgres } from "./helpers";

// Runs one job of the demo catalog into ads_coupon_daily through both local sides for one day, so a
// test can compare the stream side's sink with the batch side's partition and a hand-written recompute.

export type Rows = Record<string, unknown>[];

/**
 * Writes a day of demo events to the topic in a fixed shuffled order (a hash of the event index, so
 * event times arrive out of order and every run sees the same order) and the same events as the
 * warehouse partition. Returns the DuckDB relation of the topic's events for recomputes.
 */
export async function writeDay(dir: string, o: { day: string; count: number; users: number; seed?: number }): Promise<string> {
  const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  fs.mkdirSync(topic, { recursive: true });
  const from = Math.floor(dayStartMs(o.day) / 86_400_000) * 10_000_000;
  const range = { from, count: o.count, startMs: dayStartMs(o.day), spanMs: 86_400_000, users: o.users, seed: o.seed, prefix: `e${o.day.replace(/-/g, "")}` };
  const s = await DuckSession.open();
  try {
    const file = path.join(topic, `events-${o.day}.jsonl`);
    await s.run(`COPY (SELECT * FROM (${demoEventsSql(range)}) ORDER BY hash(event_id, 'arrival')) TO ${lit(file)} (FORMAT json)`);
    await writeHistoryPartition(path.join(warehouse, "ods_coupon_events_di"), { day: o.day, count: o.count, users: o.users, seed: o.seed }, s);
  } finally {
    s.close();
  }
  return `read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited')`;
}

export interface BothSides {
  stream: Rows;
  batch: Rows;
  expected: Rows;
  /** Micro-batches the stream side ran (over both runs). */
  batches: number;
}

/**
 * Runs `sql` into ads_coupon_daily on both sides. The stream side runs in small micro-batches, stops
 * after `restartAfter` of them and starts again from its state file (a restart mid-stream). `recompute`
 * is DuckDB SQL over `$EVENTS` (the topic's events).
 */
export async function runBothSides(o: {
  dir: string; catalog: CatalogSnapshot; pg: Awaited<ReturnType<typeof testPostgres>>; day: string;
  name: string; sql: string; recompute: string; events: string; maxBatchRows?: number; restartAfter?: number;
}): Promise<BothSides> {
  const spec = JobSpec.parse({ name: o.name, sql: o.sql, stream: { startFrom: "earliest" } });
  const schema = `${o.pg.schema}_${o.name}`;
  await o.pg.db.query(`CREATE SCHEMA ${schema}`);
  try {
    const env = sinkEnv(o.dir, o.pg.db);
    const plan = planLocalJob({ catalog: o.catalog, job: spec }, "stream", o.day) as LocalStreamJob;
    for (const st of plan.statements) {
      const t = st.sink.table;
      st.sink = { ...st.sink, table: { ...t, options: { ...t.options, "table-name": `${schema}.${t.options["table-name"] ?? t.table.name}` } } };
    }
    let batches = 0;
    for (const limit of [o.restartAfter ?? 5, Infinity]) {
      const runner = await StreamRunner.open(plan, { jobId: `${o.name}-${schema}`, stateDir: path.join(o.dir, `state-${o.name}`), env, maxBatchRows: o.maxBatchRows ?? 700 });
      try {
        for (let n = 0; n < limit && (await runner.step()); n++) batches++;
      } finally {
        await runner.close();
      }
    }
    const batchPlan = planLocalJob({ catalog: o.catalog, job: spec }, "batch", o.day);
    if (batchPlan.kind !== "batch") throw new Error("expected a batch plan");
    await runBatchJob(batchPlan, env);
    const stream = (await o.pg.db.query(`SELECT * FROM ${schema}.ads_coupon_daily_rt`)).rows;
    const s = await DuckSession.open();
    try {
      const warehouse = path.join(o.dir, ".tandem/demo/warehouse/ads_coupon_daily_di", `dt=${o.day}`, "*.parquet");
      const batch = await s.rows(`SELECT ${lit(o.day)} AS dt, * FROM read_parquet(${lit(warehouse)})`);
      const expected = await s.rows(o.recompute.replaceAll("$EVENTS", o.events));
      return { stream, batch, expected, batches };
    } finally {
      s.close();
    }
  } finally {
    await o.pg.db.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}
