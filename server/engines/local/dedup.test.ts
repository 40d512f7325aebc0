import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { StreamRunner } from "./stream";
import { planLocalJob } from "./from-script";
import { writeHistoryPartition, writeTopicDay } from "../../demo/generator";
import { JobSpec, type CatalogSnapshot } from "../../catalog/schemas";
import { canon, demoCatalog, sinkEnv, tempDir, testPostgres } from "../testing/helpers";
import type { LocalStreamJob } from "./plan";

// Flink's deduplication (ROW_NUMBER() ... WHERE rn = 1) on the local stream engine: the stream side's
// micro-batches keep the first row per key across batches, so the day's result equals the batch side.

const DAY = "2024-11-12";

function inSchema(plan: LocalStreamJob, schema: string): LocalStreamJob {
  for (const st of plan.statements) {
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${schema}.${st.sink.table.options["table-name"] ?? st.sink.table.table.name}` } } };
  }
  return plan;
}

describe("deduplication on the local stream engine", () => {
  const dir = tempDir();
  const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  let catalog: CatalogSnapshot;

  beforeAll(async () => {
    pg = await testPostgres();
    catalog = demoCatalog();
    await writeTopicDay(topic, { day: DAY, count: 20_000, users: 3000 });
    await writeHistoryPartition(path.join(warehouse, "ods_coupon_events_di"), { day: DAY, count: 20_000, users: 3000 });
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `sql` into ads_coupon_daily on both sides; returns the stream's rows, the batch's rows and a recompute. */
  async function bothSides(name: string, sql: string, recompute: string): Promise<{ stream: Record<string, unknown>[]; batch: Record<string, unknown>[]; expected: Record<string, unknown>[] }> {
    const spec = JobSpec.parse({ name, sql, stream: { startFrom: "earliest" } });
    const schema = `${pg.schema}_${name}`;
    await pg.db.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = sinkEnv(dir, pg.db);
      const plan = inSchema(planLocalJob({ catalog, job: spec }, "stream", DAY) as LocalStreamJob, schema);
      // Small micro-batches: a key's rows spread over many of them. The job stops after five and starts
      // again from its state: the seen keys must survive the restart.
      for (const limit of [5, Infinity]) {
        const runner = await StreamRunner.open(plan, { jobId: `${name}-${schema}`, stateDir: path.join(dir, `state-${name}`), env, maxBatchRows: 1000 });
        try {
          for (let n = 0; n < limit && (await runner.step()); n++) { /* run */ }
        } finally {
          await runner.close();
        }
      }
      const batchPlan = planLocalJob({ catalog, job: spec }, "batch", DAY);
      if (batchPlan.kind !== "batch") throw new Error("expected a batch plan");
      await runBatchJob(batchPlan, env);
      const stream = (await pg.db.query(`SELECT * FROM ${schema}.ads_coupon_daily_rt`)).rows;
      const s = await DuckSession.open();
      const batch = await s.rows(`SELECT ${lit(DAY)} AS dt, * FROM read_parquet(${lit(path.join(warehouse, "ads_coupon_daily_di", `dt=${DAY}`, "*.parquet"))})`);
      const expected = await s.rows(recompute.replace("$EVENTS", `read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited')`));
      s.close();
      return { stream, batch, expected };
    } finally {
      await pg.db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }

  const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];

  it("keep-first-row feeding an aggregation: each user's first event across micro-batches, equal to the batch side", async () => {
    const { stream, batch, expected } = await bothSides("dedup_agg", `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  COUNT(*) FILTER (WHERE action = 'redeem') AS redeemed, SUM(amount_cents) AS gmv_cents
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time ASC) AS rn
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
)
WHERE rn = 1
GROUP BY dt, coupon_id;`, `SELECT ${lit(DAY)} AS dt, coupon_id, count(*) AS pv, count(DISTINCT user_id) AS uv,
  count(*) FILTER (action = 'redeem') AS redeemed, sum(amount_cents) AS gmv_cents
FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts_ms) AS rn FROM $EVENTS) WHERE rn = 1 GROUP BY coupon_id`);
    expect(stream.length).toBe(50);
    expect(canon(stream, cols)).toEqual(canon(batch, cols));
    expect(canon(stream, cols)).toEqual(canon(expected, cols));
    // Deduplicated: one row per user (each user has several events, spread over the micro-batches).
    expect(stream.every((r) => Number(r.pv) === Number(r.uv))).toBe(true);
    const firsts = stream.reduce((n, r) => n + Number(r.pv), 0);
    expect(firsts).toBeGreaterThan(2500);
    expect(firsts).toBeLessThanOrEqual(3000);
  }, 180_000);

  it("keep-first-row as an append into the sink: each coupon's first event, once, equal to the batch side", async () => {
    const { stream, batch, expected } = await bothSides("dedup_append", `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY dt, coupon_id ORDER BY event_time) AS rn
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
)
WHERE rn = 1;`, `SELECT ${lit(DAY)} AS dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, 0 AS gmv_cents
FROM (SELECT *, row_number() OVER (PARTITION BY coupon_id ORDER BY ts_ms) AS rn FROM $EVENTS) WHERE rn = 1`);
    expect(stream.length).toBe(50);
    expect(canon(stream, cols)).toEqual(canon(batch, cols));
    expect(canon(stream, cols)).toEqual(canon(expected, cols));
  }, 180_000);

  it("ROW_NUMBER other than a deduplication (top-N: rn <= 3) is refused, not run per micro-batch", () => {
    const spec = JobSpec.parse({
      name: "top_n",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY dt, coupon_id ORDER BY event_time) AS rn FROM mix_coupon_events)
WHERE rn <= 3;`,
    });
    expect(() => planLocalJob({ catalog, job: spec }, "stream", DAY)).toThrow(/ROW_NUMBER.*WHERE rn = 1.*line 4, column \d+/s);
  });
});
