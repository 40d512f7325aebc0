import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { MissingPartitionError } from "../engine";
import { StreamRunner } from "./stream";
import { addDaysIso, writeHistoryPartition, writeTopicDay } from "../../demo/generator";
import { demoBatchPlan, demoStreamPlan } from "../testing/demo-plans";
import { canon, demoCatalog, inSchema, sinkEnv, tempDir, testPostgres } from "../testing/helpers";

const DAY = "2024-11-11";
const COLS = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];

async function readPartition(root: string, day: string): Promise<Record<string, unknown>[]> {
  const s = await DuckSession.open();
  try {
    return await s.rows(`SELECT ${lit(day)} AS dt, * FROM read_parquet(${lit(path.join(root, `dt=${day}`, "*.parquet"))})`);
  } finally {
    s.close();
  }
}

describe("batch jobs over partitions", () => {
  const dir = tempDir();
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  const events = path.join(warehouse, "ods_coupon_events_di");
  const sinkRoot = path.join(warehouse, "ads_coupon_daily_di");
  let pg: Awaited<ReturnType<typeof testPostgres>>;

  beforeAll(async () => {
    pg = await testPostgres();
    for (const d of [-1, 0, 1]) await writeHistoryPartition(events, { day: addDaysIso(DAY, d), count: 20_000, users: 5000 });
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads only the bizdate partition and overwrites the target partition atomically", async () => {
    const plan = demoBatchPlan(demoCatalog(), DAY);
    const first = await runBatchJob(plan, sinkEnv(dir));
    expect(first.scans[0]?.partitionsRead).toEqual([DAY]);
    expect(first.scans[0]?.files).toEqual([path.join(events, `dt=${DAY}`, "part-0.parquet")]);
    expect(first.rowsIn).toBe(20_000);
    const rows1 = await readPartition(sinkRoot, DAY);
    expect(rows1.reduce((a, r) => a + Number(r.pv), 0)).toBe(20_000);

    // A stale file in the partition and a rerun: still one copy of every row.
    fs.copyFileSync(path.join(sinkRoot, `dt=${DAY}`, "part-0.parquet"), path.join(sinkRoot, `dt=${DAY}`, "part-old.parquet"));
    const second = await runBatchJob(plan, sinkEnv(dir));
    expect(second.rowsOut).toBe(first.rowsOut);
    const rows2 = await readPartition(sinkRoot, DAY);
    expect(canon(rows2, COLS)).toEqual(canon(rows1, COLS));
    expect(fs.readdirSync(path.join(sinkRoot, `dt=${DAY}`))).toEqual(["part-0.parquet"]);
    // Other partitions of the sink are untouched.
    await runBatchJob(demoBatchPlan(demoCatalog(), addDaysIso(DAY, 1)), sinkEnv(dir));
    expect(fs.readdirSync(sinkRoot).sort()).toEqual([`dt=${DAY}`, `dt=${addDaysIso(DAY, 1)}`]);
    expect(canon(await readPartition(sinkRoot, DAY), COLS)).toEqual(canon(rows1, COLS));
  });

  it("a missing input partition fails the run, naming table and partition, and writes nothing", async () => {
    const err = await runBatchJob(demoBatchPlan(demoCatalog(), "2024-01-01"), sinkEnv(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPartitionError);
    const missing = (err as MissingPartitionError).missing;
    expect(missing).toEqual([{ table: "ods_coupon_events_di", column: "dt", values: ["2024-01-01"] }]);
    expect((err as Error).message).toMatch(/partition dt=2024-01-01 of table 'ods_coupon_events_di' does not exist/);
    expect(fs.existsSync(path.join(sinkRoot, "dt=2024-01-01"))).toBe(false);
  });

  it("consistency: the stream job over a day and the batch job over its partition produce identical rows", async () => {
    const day = addDaysIso(DAY, 1);
    const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
    await writeTopicDay(topic, { day, count: 20_000, users: 5000 });
    const stream = demoStreamPlan(demoCatalog(), day);
    const st = stream.statements[0];
    if (!st) throw new Error("no statement");
    st.sink = { ...st.sink, table: inSchema(st.sink.table, pg.schema) };
    const runner = await StreamRunner.open(stream, { jobId: `consistency-${pg.schema}`, stateDir: path.join(dir, "state"), env: sinkEnv(dir, pg.db), maxBatchRows: 3000 });
    try {
      while (await runner.step()) { /* drain the day */ }
    } finally {
      await runner.close();
    }
    await runBatchJob(demoBatchPlan(demoCatalog(), day), sinkEnv(dir));
    const streamRows = (await pg.db.query(`SELECT * FROM ${pg.schema}.ads_coupon_daily_rt WHERE dt = $1`, [day])).rows;
    const batchRows = await readPartition(sinkRoot, day);
    expect(streamRows.length).toBe(50);
    expect(canon(streamRows, COLS)).toEqual(canon(batchRows, COLS));
  });
});
