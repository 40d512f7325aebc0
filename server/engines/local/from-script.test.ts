import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { StreamRunner } from "./stream";
import { planLocalJob, LocalPlanError } from "./from-script";
import { writeDimCoupon, writeHistoryPartition, writeTopicDay } from "../../demo/generator";
import { JobSpec, MetaTableSpec, PhysicalTableSpec, type CatalogSnapshot, type JobSpecParsed } from "../../catalog/schemas";
import { readProjectFile } from "../../project-file/load";
import { canon, DEMO_FILE, demoCatalog, sinkEnv, tempDir, testPostgres } from "../testing/helpers";
import type { LocalStreamJob } from "./plan";

// The engine running what server/sql translates: the demo jobs end to end on the local engine.

const DAY = "2024-11-12";

function job(name: string): JobSpecParsed {
  const j = readProjectFile(DEMO_FILE).file.jobs.find((x) => x.name === name);
  if (!j) throw new Error(`no job ${name}`);
  return j;
}

function inSchemaAll(plan: LocalStreamJob, schema: string): LocalStreamJob {
  for (const st of plan.statements) {
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${schema}.${st.sink.table.options["table-name"] ?? st.sink.table.table.name}` } } };
  }
  return plan;
}

/**
 * The demo catalog plus ads_coupon_expr, a sink for expressions over aggregates: upserted into the
 * serving database by the stream side, a dt partition of Parquet on the batch side, as ads_coupon_daily.
 */
function withExprSink(base: CatalogSnapshot): CatalogSnapshot {
  const columns = [
    { name: "dt", type: "STRING" }, { name: "coupon_id", type: "BIGINT" }, { name: "first_at", type: "TIMESTAMP(3)" },
    { name: "v1", type: "BIGINT" }, { name: "v2", type: "BIGINT" }, { name: "v3", type: "BIGINT" },
  ];
  const mappings = Object.fromEntries(columns.map((c) => [c.name, c.name]));
  const rt = PhysicalTableSpec.parse({ name: "ads_coupon_expr_rt", connection: "demo_serving", kind: "stream", columns, primaryKey: ["dt", "coupon_id"], options: { "table-name": "ads_coupon_expr_rt" } });
  const di = PhysicalTableSpec.parse({ name: "ads_coupon_expr_di", connection: "demo_warehouse", kind: "batch", columns, partition: { column: "dt", format: "yyyy-MM-dd" }, options: { path: ".tandem/demo/warehouse/ads_coupon_expr_di", format: "parquet" } });
  const meta = MetaTableSpec.parse({ name: "ads_coupon_expr", columns, stream: { table: rt.name, mappings }, batch: { table: di.name, mappings } });
  return {
    ...base,
    physicalTables: new Map([...base.physicalTables, [rt.name, rt], [di.name, di]]),
    metaTables: new Map([...base.metaTables, [meta.name, meta]]),
  };
}

async function drain(plan: LocalStreamJob, dir: string, env: ReturnType<typeof sinkEnv>, jobId: string): Promise<void> {
  const runner = await StreamRunner.open(plan, { jobId, stateDir: path.join(dir, `state-${jobId}`), env, maxBatchRows: 5000 });
  try {
    while (await runner.step()) { /* drain */ }
  } finally {
    await runner.close();
  }
}

describe("translated demo jobs on the local engine", () => {
  const dir = tempDir();
  const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  let catalog: CatalogSnapshot;

  beforeAll(async () => {
    pg = await testPostgres();
    catalog = demoCatalog();
    await writeTopicDay(topic, { day: DAY, count: 30_000, users: 4000 });
    await writeHistoryPartition(path.join(warehouse, "ods_coupon_events_di"), { day: DAY, count: 30_000, users: 4000 });
    await writeDimCoupon(path.join(warehouse, "dim_coupon"));
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("consistency: coupon_daily_stats stream over the day == batch over the day's partition", async () => {
    const env = sinkEnv(dir, pg.db);
    const stream = inSchemaAll(planLocalJob({ catalog, job: job("coupon_daily_stats") }, "stream", DAY) as LocalStreamJob, pg.schema);
    await drain(stream, dir, env, `daily-${pg.schema}`);
    const batch = planLocalJob({ catalog, job: job("coupon_daily_stats") }, "batch", DAY);
    if (batch.kind !== "batch") throw new Error("expected a batch plan");
    const r = await runBatchJob(batch, env);
    expect(r.scans[0]?.partitionsRead).toEqual([DAY]);
    const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];
    const streamRows = (await pg.db.query(`SELECT * FROM ${pg.schema}.ads_coupon_daily_rt`)).rows;
    const s = await DuckSession.open();
    const batchRows = await s.rows(`SELECT ${lit(DAY)} AS dt, * FROM read_parquet(${lit(path.join(warehouse, "ads_coupon_daily_di", `dt=${DAY}`, "*.parquet"))})`);
    s.close();
    expect(streamRows.length).toBe(50);
    expect(canon(streamRows, cols)).toEqual(canon(batchRows, cols));
  }, 120_000);

  it("FILTER (WHERE ...) on aggregates: the stream job's micro-batches equal the batch job and a recompute from the topic", async () => {
    const filterJob = JobSpec.parse({
      name: "coupon_daily_filtered",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv,
  COUNT(DISTINCT user_id) FILTER (WHERE action = 'view') AS uv,
  COUNT(*) FILTER (WHERE action = 'redeem') AS redeemed,
  SUM(amount_cents) FILTER (WHERE action = 'redeem' AND amount_cents > 2000) AS gmv_cents
FROM mix_coupon_events
WHERE dt = '\${bizdate}' OR __mode = 'stream'
GROUP BY dt, coupon_id;`,
      stream: { startFrom: "earliest" },
    });
    const schema = `${pg.schema}_f`;
    await pg.db.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = sinkEnv(dir, pg.db);
      await drain(inSchemaAll(planLocalJob({ catalog, job: filterJob }, "stream", DAY) as LocalStreamJob, schema), dir, env, `filtered-${schema}`);
      const batch = planLocalJob({ catalog, job: filterJob }, "batch", DAY);
      if (batch.kind !== "batch") throw new Error("expected a batch plan");
      await runBatchJob(batch, env);
      const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];
      const streamRows = (await pg.db.query(`SELECT * FROM ${schema}.ads_coupon_daily_rt`)).rows;
      const s = await DuckSession.open();
      const batchRows = await s.rows(`SELECT ${lit(DAY)} AS dt, * FROM read_parquet(${lit(path.join(warehouse, "ads_coupon_daily_di", `dt=${DAY}`, "*.parquet"))})`);
      const expected = await s.rows(`SELECT ${lit(DAY)} AS dt, coupon_id, count(*) AS pv,
          count(DISTINCT CASE WHEN action = 'view' THEN user_id END) AS uv, count(*) FILTER (action = 'redeem') AS redeemed,
          sum(amount_cents) FILTER (action = 'redeem' AND amount_cents > 2000) AS gmv_cents
        FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited') GROUP BY coupon_id`);
      s.close();
      expect(streamRows.length).toBe(50);
      expect(canon(streamRows, cols)).toEqual(canon(batchRows, cols));
      expect(canon(streamRows, cols)).toEqual(canon(expected, cols));
      // The filters did filter: fewer viewers than events, some but not all redemptions counted in GMV.
      expect(streamRows.every((r) => Number(r.uv) < Number(r.pv) && Number(r.redeemed) < Number(r.pv))).toBe(true);
    } finally {
      await pg.db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }, 180_000);

  it("a scalar call with several arguments over a grouping key (DATE_FORMAT) runs incrementally and equals a recompute", async () => {
    const formatted = JobSpec.parse({
      name: "coupon_daily_formatted",
      sql: `INSERT INTO ads_coupon_daily
SELECT DATE_FORMAT(event_time, 'yyyy-MM-dd') AS dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  COUNT(*) AS redeemed, SUM(amount_cents) AS gmv_cents
FROM mix_coupon_events
WHERE __mode = 'stream'
GROUP BY DATE_FORMAT(event_time, 'yyyy-MM-dd'), coupon_id;`,
      stream: { startFrom: "earliest" },
    });
    const schema = `${pg.schema}_d`;
    await pg.db.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = sinkEnv(dir, pg.db);
      await drain(inSchemaAll(planLocalJob({ catalog, job: formatted }, "stream", DAY) as LocalStreamJob, schema), dir, env, `formatted-${schema}`);
      const cols = ["dt", "coupon_id", "pv", "uv", "gmv_cents"];
      const streamRows = (await pg.db.query(`SELECT * FROM ${schema}.ads_coupon_daily_rt`)).rows;
      const s = await DuckSession.open();
      // Independent of Tandem's translation: the day of each event's epoch milliseconds, in UTC.
      const expected = await s.rows(`SELECT strftime(make_timestamp(ts_ms * 1000), '%Y-%m-%d') AS dt, coupon_id, count(*) AS pv,
          count(DISTINCT user_id) AS uv, sum(amount_cents) AS gmv_cents
        FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited') GROUP BY ALL`);
      s.close();
      expect(streamRows.length).toBeGreaterThanOrEqual(50);
      expect(canon(streamRows, cols)).toEqual(canon(expected, cols));
    } finally {
      await pg.db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }, 180_000);

  /**
   * Runs `sql` (an INSERT INTO ads_coupon_expr over the day's events) on the stream side from the topic and
   * on the batch side over the day's partition; returns both sides' rows and the stream plan.
   */
  async function exprBothSides(name: string, sql: string): Promise<{ stream: Record<string, unknown>[]; batch: Record<string, unknown>[]; plan: LocalStreamJob }> {
    const cat = withExprSink(catalog);
    const spec = JobSpec.parse({ name, sql, stream: { startFrom: "earliest" } });
    const schema = `${pg.schema}_${name}`;
    await pg.db.query(`CREATE SCHEMA ${schema}`);
    try {
      const env = sinkEnv(dir, pg.db);
      const plan = inSchemaAll(planLocalJob({ catalog: cat, job: spec }, "stream", DAY) as LocalStreamJob, schema);
      await drain(plan, dir, env, `${name}-${schema}`);
      const batch = planLocalJob({ catalog: cat, job: spec }, "batch", DAY);
      if (batch.kind !== "batch") throw new Error("expected a batch plan");
      await runBatchJob(batch, env);
      const stream = (await pg.db.query(`SELECT * FROM ${schema}.ads_coupon_expr_rt`)).rows;
      const s = await DuckSession.open();
      const rows = await s.rows(`SELECT ${lit(DAY)} AS dt, * FROM read_parquet(${lit(path.join(warehouse, "ads_coupon_expr_di", `dt=${DAY}`, "*.parquet"))})`);
      s.close();
      expect(stream.length).toBe(50);
      return { stream, batch: rows, plan };
    } finally {
      await pg.db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  }
  const EXPR_COLS = ["dt", "coupon_id", "first_at", "v1", "v2", "v3"];
  const DAY_GROUPS = `FROM mix_coupon_events
WHERE dt = '\${bizdate}' OR __mode = 'stream'
GROUP BY dt, coupon_id;`;

  it("expression over an aggregate: CAST(MIN(event_time) AS TIMESTAMP(3)) on the stream equals the batch side", async () => {
    const { stream, batch } = await exprBothSides("expr_cast", `INSERT INTO ads_coupon_expr
SELECT dt, coupon_id, CAST(MIN(event_time) AS TIMESTAMP(3)) AS first_at, COUNT(*) AS v1, CAST(NULL AS BIGINT) AS v2, CAST(NULL AS BIGINT) AS v3
${DAY_GROUPS}`);
    expect(canon(stream, EXPR_COLS)).toEqual(canon(batch, EXPR_COLS));
    expect(stream.every((r) => r.first_at instanceof Date)).toBe(true);
  }, 180_000);

  it("expression over two aggregates: SUM(a) / COUNT(*) (integer division, as Flink) on the stream equals the batch side", async () => {
    const { stream, batch } = await exprBothSides("expr_div", `INSERT INTO ads_coupon_expr
SELECT dt, coupon_id, CAST(NULL AS TIMESTAMP(3)) AS first_at, SUM(amount_cents) / COUNT(*) AS v1, SUM(amount_cents) AS v2, COUNT(*) AS v3
${DAY_GROUPS}`);
    expect(canon(stream, EXPR_COLS)).toEqual(canon(batch, EXPR_COLS));
    expect(stream.every((r) => BigInt(String(r.v1)) === BigInt(String(r.v2)) / BigInt(String(r.v3)))).toBe(true);
  }, 180_000);

  it("COALESCE(MAX(x), 0) on the stream equals the batch side, with groups on both sides of the NULL", async () => {
    const { stream, batch } = await exprBothSides("expr_coalesce", `INSERT INTO ads_coupon_expr
SELECT dt, coupon_id, CAST(NULL AS TIMESTAMP(3)) AS first_at,
  COALESCE(MAX(CASE WHEN amount_cents > 5300 THEN amount_cents END), 0) AS v1, COUNT(*) AS v2, CAST(NULL AS BIGINT) AS v3
${DAY_GROUPS}`);
    expect(canon(stream, EXPR_COLS)).toEqual(canon(batch, EXPR_COLS));
    // Some coupons have no such event (COALESCE gives 0), others do.
    expect(stream.some((r) => Number(r.v1) === 0) && stream.some((r) => Number(r.v1) > 0)).toBe(true);
  }, 180_000);

  it("the same aggregate twice in one expression (and as a whole output) keeps one state and equals the batch side", async () => {
    const { stream, batch, plan } = await exprBothSides("expr_twice", `INSERT INTO ads_coupon_expr
SELECT dt, coupon_id, CAST(NULL AS TIMESTAMP(3)) AS first_at,
  MAX(amount_cents) - MIN(amount_cents) + MAX(amount_cents) AS v1,
  CASE WHEN COUNT(*) > 600 THEN COUNT(*) ELSE -COUNT(*) END AS v2, MAX(amount_cents) AS v3
${DAY_GROUPS}`);
    expect(canon(stream, EXPR_COLS)).toEqual(canon(batch, EXPR_COLS));
    // MAX, MIN and COUNT(*) inside expressions: three states; the whole-output MAX reuses the first.
    expect(plan.statements[0]?.aggregation?.aggregates.map((a) => a.fn)).toEqual(["max", "min", "count"]);
  }, 180_000);

  it("outputs in any order, no HAVING: expressions before, between and after the keys, into a column list (the last one without an alias)", async () => {
    const { stream, batch } = await exprBothSides("expr_order", `INSERT INTO ads_coupon_expr (v2, dt, v1, coupon_id, first_at, v3)
SELECT COUNT(*) * 2 AS v2, dt, SUM(amount_cents) / COUNT(*) AS v1, coupon_id, CAST(MAX(event_time) AS TIMESTAMP(3)) AS first_at, coupon_id + COUNT(*)
${DAY_GROUPS}`);
    expect(canon(stream, EXPR_COLS)).toEqual(canon(batch, EXPR_COLS));
    expect(stream.every((r) => BigInt(String(r.v3)) === BigInt(String(r.coupon_id)) + BigInt(String(r.v2)) / 2n)).toBe(true);
  }, 180_000);

  it("tumbling window results: each closed minute once, equal to a recompute", async () => {
    const env = sinkEnv(dir, pg.db);
    const plan = inSchemaAll(planLocalJob({ catalog, job: job("coupon_minutely") }, "stream", DAY) as LocalStreamJob, pg.schema);
    expect(plan.startFrom).toBe("latest"); // the job's default: a fresh job reads only new events
    plan.startFrom = "earliest";
    const emitted: number[] = [];
    const runner = await StreamRunner.open(plan, { jobId: `minutely-${pg.schema}`, stateDir: path.join(dir, "state-minutely"), env, maxBatchRows: 5000, onBatch: (m) => emitted.push(m.rowsOut) });
    let wm = 0;
    try {
      while (await runner.step()) wm = runner.position.watermarkMs ?? 0;
    } finally {
      await runner.close();
    }
    const got = (await pg.db.query(`SELECT window_start, coupon_id, pv, redeemed FROM ${pg.schema}.ads_coupon_minutely_rt`)).rows;
    const s = await DuckSession.open();
    const expected = await s.rows(`SELECT epoch_ms((ts_ms // 60000) * 60000) AS window_start, coupon_id, count(*) AS pv, sum(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed
      FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited') WHERE (ts_ms // 60000) * 60000 + 60000 - 1 <= ${wm} GROUP BY ALL`);
    s.close();
    expect(got.length).toBeGreaterThan(1000);
    expect(emitted.reduce((a, b) => a + b, 0)).toBe(got.length); // each window emitted exactly once
    const norm = (rows: Record<string, unknown>[]) => canon(rows.map((r) => ({ ...r, window_start: new Date(r.window_start instanceof Date ? r.window_start.toISOString() : `${String(r.window_start).replace(" ", "T")}Z`) })), ["window_start", "coupon_id", "pv", "redeemed"]);
    expect(norm(got)).toEqual(norm(expected));
  }, 180_000);

  /** A HOP job (10-min slide, 30-min size) per coupon with COUNT(*) and `measure AS redeemed`, run to the end of the topic. */
  async function runHop(name: string, measure: string, expectedMeasure: string): Promise<{ stateDir: string; wm: number }> {
    const env = sinkEnv(dir, pg.db);
    const spec = JobSpec.parse({
      name,
      sql: `INSERT INTO ads_coupon_minutely
SELECT window_start, coupon_id, COUNT(*) AS pv, ${measure} AS redeemed
FROM TABLE(HOP(TABLE mix_coupon_events, DESCRIPTOR(event_time), INTERVAL '10' MINUTE, INTERVAL '30' MINUTE))
GROUP BY window_start, window_end, coupon_id;`,
      stream: { startFrom: "earliest" },
    });
    const plan = inSchemaAll(planLocalJob({ catalog, job: spec }, "stream", DAY) as LocalStreamJob, pg.schema);
    const st = plan.statements[0];
    if (!st) throw new Error("no statement");
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${pg.schema}.${name}` } } };
    const stateDir = path.join(dir, `state-${name}`);
    const runner = await StreamRunner.open(plan, { jobId: `${name}-${pg.schema}`, stateDir, env, maxBatchRows: 5000 });
    let wm = 0;
    try {
      while (await runner.step()) wm = runner.position.watermarkMs ?? 0;
    } finally {
      await runner.close();
    }
    const got = (await pg.db.query(`SELECT window_start, coupon_id, pv, redeemed FROM ${pg.schema}.${name}`)).rows;
    const s = await DuckSession.open();
    const expected = await s.rows(`SELECT epoch_ms(ws) AS window_start, coupon_id, count(*) AS pv, ${expectedMeasure} AS redeemed
      FROM (SELECT *, unnest(range((ts_ms // 600000) * 600000 - 1200000, (ts_ms // 600000) * 600000 + 1, 600000)) AS ws
            FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited'))
      WHERE ws + 1800000 > ts_ms AND ws + 1800000 - 1 <= ${wm} GROUP BY ALL`);
    s.close();
    const norm = (rows: Record<string, unknown>[]) => canon(rows.map((r) => ({ ...r, window_start: new Date(r.window_start instanceof Date ? r.window_start.toISOString() : `${String(r.window_start).replace(" ", "T")}Z`) })), ["window_start", "coupon_id", "pv", "redeemed"]);
    expect(got.length).toBeGreaterThan(1000);
    expect(norm(got)).toEqual(norm(expected));
    return { stateDir, wm };
  }

  it("hopping window results equal a recompute (each event in size/slide windows)", async () => {
    await runHop("coupon_hop", "SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END)", "sum(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END)");
  }, 180_000);

  it("hopping windows with COUNT DISTINCT: exact per window, and fired windows leave the distinct state", async () => {
    const { stateDir, wm } = await runHop("coupon_hop_uv", "COUNT(DISTINCT user_id)", "count(DISTINCT user_id)");
    // Only windows still open keep state: their keys, and the distinct values of those keys alone.
    const state = await DuckSession.open(StreamRunner.statePath(stateDir));
    try {
      expect(Number(await state.scalar("SELECT count(*) FROM tandem_agg_0"))).toBeGreaterThan(0);
      expect(Number(await state.scalar(`SELECT count(*) FROM tandem_agg_0 WHERE we - 1 <= ${wm}`))).toBe(0);
      expect(Number(await state.scalar("SELECT count(*) FROM tandem_distinct_0_1 WHERE kid NOT IN (SELECT __kid FROM tandem_agg_0)"))).toBe(0);
      expect(Number(await state.scalar("SELECT count(*) FROM tandem_distinct_0_1"))).toBeGreaterThan(0);
    } finally {
      state.close();
    }
  }, 180_000);

  it("lookup join to a dimension table", async () => {
    const env = sinkEnv(dir, pg.db);
    const spec = JobSpec.parse({
      name: "campaign_pv",
      sql: `INSERT INTO ads_coupon_daily
SELECT e.dt, e.coupon_id, COUNT(*) AS pv, COUNT(DISTINCT e.user_id) AS uv, SUM(d.face_value_cents) AS redeemed, 0 AS gmv_cents
FROM mix_coupon_events AS e
JOIN dim_coupon FOR SYSTEM_TIME AS OF e.event_time AS d ON e.coupon_id = d.coupon_id
WHERE d.campaign = 'double11-main'
GROUP BY e.dt, e.coupon_id;`,
      stream: { startFrom: "earliest" },
    });
    let plan: LocalStreamJob;
    try {
      plan = inSchemaAll(planLocalJob({ catalog, job: spec }, "stream", DAY) as LocalStreamJob, pg.schema);
    } catch (e) {
      if (e instanceof LocalPlanError) throw new Error(`translation of a lookup join failed: ${e.message}`);
      throw e;
    }
    expect(plan.sources.map((x) => `${x.name}:${x.role}`).sort()).toEqual(["dim_coupon__phys:lookup", "ods_coupon_events_rt:scan"]);
    const st = plan.statements[0];
    if (!st) throw new Error("no statement");
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${pg.schema}.campaign_pv` } } };
    await drain(plan, dir, env, `lookup-${pg.schema}`);
    const got = (await pg.db.query(`SELECT * FROM ${pg.schema}.campaign_pv`)).rows;
    const s = await DuckSession.open();
    const expected = await s.rows(`SELECT strftime(epoch_ms(e.ts_ms), '%Y-%m-%d') AS dt, e.coupon_id, count(*) AS pv, count(DISTINCT e.user_id) AS uv, sum(d.face_value_cents) AS redeemed, 0 AS gmv_cents
      FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited') e JOIN read_parquet(${lit(path.join(warehouse, "dim_coupon", "*.parquet"))}) d ON e.coupon_id = d.coupon_id
      WHERE d.campaign = 'double11-main' GROUP BY ALL`);
    s.close();
    const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];
    expect(got.length).toBe(25);
    expect(canon(got, cols)).toEqual(canon(expected, cols));
  }, 120_000);
});
