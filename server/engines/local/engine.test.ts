import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEngine } from "./engine";
import { UnsupportedJobError } from "../engine";
import { writeTopicDay, addDaysIso } from "../../demo/generator";
import { demoBatchPlan, demoStreamPlan } from "../testing/demo-plans";
import { demoCatalog, inSchema, sinkEnv, tempDir, testPostgres } from "../testing/helpers";
import type { LocalStreamJob } from "./plan";

const DAY = "2024-11-11";

describe("local engine", () => {
  const dir = tempDir();
  const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  beforeAll(async () => { pg = await testPostgres(); });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function plan(): LocalStreamJob {
    const p = demoStreamPlan(demoCatalog(), DAY);
    const st = p.statements[0];
    if (!st) throw new Error("no statement");
    st.sink = { ...st.sink, table: inSchema(st.sink.table, pg.schema) };
    return p;
  }

  it("runs a stream job, stops it with a savepoint and resumes without loss or double counting", async () => {
    await writeTopicDay(topic, { day: DAY, count: 12_000, users: 2000 });
    const engine = new LocalEngine({ dataDir: path.join(dir, "data"), env: sinkEnv(dir, pg.db), maxBatchRows: 2000 });
    const { id } = await engine.submit({ job: "coupon_daily_stats", side: "stream", local: plan() });
    for (let i = 0; i < 200 && (await engine.status(id)).metrics.rowsIn < 12_000; i++) await new Promise((r) => setTimeout(r, 50));
    const st = await engine.status(id);
    expect(st.state).toBe("running");
    expect(st.metrics.rowsIn).toBe(12_000);
    expect(st.metrics.lastCheckpoint?.id).toBe("6");
    expect(st.metrics.lag).toBe(0);
    const { savepoint } = await engine.stopWithSavepoint(id);
    expect((await engine.status(id)).state).toBe("stopped");
    expect(fs.existsSync(savepoint)).toBe(true);

    // More events arrive while the job is stopped; the job resumes from the savepoint.
    await writeTopicDay(topic, { day: addDaysIso(DAY, 1), count: 3000, users: 2000 });
    const again = await engine.resume({ job: "coupon_daily_stats", side: "stream", local: plan() }, savepoint);
    for (let i = 0; i < 200 && (await engine.status(again.id)).metrics.rowsIn < 3000; i++) await new Promise((r) => setTimeout(r, 50));
    // The outbox reaches the sink after each micro-batch commits: wait for delivery (bounded), then cancel.
    const sinkPv = async () => Number((await pg.db.query(`SELECT coalesce(sum(pv), 0) AS pv FROM ${pg.schema}.ads_coupon_daily_rt`)).rows[0]?.pv);
    for (let i = 0; i < 200 && (await sinkPv()) < 15_000; i++) await new Promise((r) => setTimeout(r, 100));
    await engine.cancel(again.id);
    expect((await engine.status(again.id)).state).toBe("cancelled");
    expect(await sinkPv()).toBe(15_000);
    await engine.close();
  }, 120_000);

  it("rejects unsupported constructs at submit with a message", async () => {
    const engine = new LocalEngine({ dataDir: path.join(dir, "data2"), env: sinkEnv(dir, pg.db) });
    const p = plan();
    const st = p.statements[0];
    if (!st?.aggregation) throw new Error("no aggregation");
    st.sink = { ...st.sink, mode: "append" };
    st.aggregation.aggregates.push({ name: "avg", fn: "avg" as never, arg: "amount_cents" });
    const err = await engine.submit({ job: "bad", side: "stream", local: p }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedJobError);
    expect((err as Error).message).toMatch(/aggregate avg is not supported/);
    expect((err as Error).message).toMatch(/needs a primary key \(upsert\)/);
    const bad = plan();
    const s2 = bad.statements[0];
    if (!s2) throw new Error("no statement");
    s2.input = "SELECT * FROM no_such_view";
    await expect(engine.submit({ job: "bad2", side: "stream", local: bad })).rejects.toThrow(/no_such_view/);
    await engine.close();
  });

  it("refuses at submit a stream source it cannot tail (a jdbc table): a restart would not change that", async () => {
    const engine = new LocalEngine({ dataDir: path.join(dir, "data3"), env: sinkEnv(dir, pg.db) });
    const p = plan();
    p.sources = p.sources.map((s) => s.role === "scan" ? { ...s, table: { ...s.table, connection: { ...s.table.connection, type: "jdbc" } } } : s);
    const err = await engine.submit({ job: "jdbc_source", side: "stream", local: p }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedJobError);
    expect((err as Error).message).toMatch(/cannot read 'ods_coupon_events_rt' as a stream \(connector 'jdbc'\)/);
    await engine.close();
  });

  it("fails a batch job whose input partition is missing, with the partition in its status", async () => {
    const engine = new LocalEngine({ dataDir: path.join(dir, "data3"), env: sinkEnv(dir) });
    const { id } = await engine.submit({ job: "coupon_daily_stats", side: "batch", bizdate: DAY, local: demoBatchPlan(demoCatalog(), DAY) });
    const st = await engine.wait(id);
    expect(st.state).toBe("failed");
    expect(st.error).toMatch(new RegExp(`partition dt=${DAY} of table 'ods_coupon_events_di' does not exist`));
    expect(st.missingPartitions).toEqual([{ table: "ods_coupon_events_di", column: "dt", values: [DAY] }]);
    await engine.close();
  });
});
