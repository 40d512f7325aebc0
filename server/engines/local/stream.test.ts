import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { StreamRunner } from "./stream";
import { writeTopicDay, addDaysIso } from "../../demo/generator";
import { demoStreamPlan } from "../testing/demo-plans";
import { canon, demoCatalog, inSchema, sinkEnv, tempDir, testPostgres } from "../testing/helpers";
import type { LocalStreamJob } from "./plan";

const DAY = "2024-11-11";
const COLS = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];

async function recompute(topicDir: string): Promise<string[]> {
  const s = await DuckSession.open();
  try {
    const rows = await s.rows(`SELECT strftime(epoch_ms(ts_ms), '%Y-%m-%d') AS dt, coupon_id, count(*) AS pv, count(DISTINCT user_id) AS uv,
      sum(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed, sum(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
      FROM read_json(${lit(path.join(topicDir, "*.jsonl"))}, format = 'newline_delimited') GROUP BY ALL`);
    return canon(rows, COLS);
  } finally {
    s.close();
  }
}

describe("stream micro-batches", () => {
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  beforeAll(async () => { pg = await testPostgres(); });
  afterAll(async () => { await pg.close(); });

  function plan(): LocalStreamJob {
    const p = demoStreamPlan(demoCatalog(), DAY);
    const st = p.statements[0];
    if (!st) throw new Error("no statement");
    st.sink = { ...st.sink, table: inSchema(st.sink.table, pg.schema) };
    return p;
  }

  it("matches a full recompute, with COUNT DISTINCT exact across batches", async () => {
    const dir = tempDir();
    const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
    await writeTopicDay(topic, { day: DAY, count: 25_000, users: 3000 });
    const runner = await StreamRunner.open(plan(), { jobId: `t1-${pg.schema}`, stateDir: path.join(dir, "state"), env: sinkEnv(dir, pg.db), maxBatchRows: 4000 });
    try {
      let batches = 0;
      while (await runner.step()) batches++;
      expect(batches).toBe(7);
      // A second day arrives later: earlier keys stay, new keys appear.
      await writeTopicDay(topic, { day: addDaysIso(DAY, 1), count: 5000, users: 3000 });
      while (await runner.step()) batches++;
      expect(batches).toBe(9);
    } finally {
      await runner.close();
    }
    const got = await pg.db.query(`SELECT * FROM ${pg.schema}.ads_coupon_daily_rt`);
    expect(canon(got.rows, COLS)).toEqual(await recompute(topic));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("raises a failed sink write at the next step and delivers its batch after a restart", async () => {
    const dir = tempDir();
    const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
    await writeTopicDay(topic, { day: DAY, count: 12_000, users: 2000 });
    const p = plan();
    const st = p.statements[0];
    if (!st) throw new Error("no statement");
    const table = `${pg.schema}.failing_sink`;
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": table } } };
    const open = () => StreamRunner.open(p, { jobId: `t3-${pg.schema}`, stateDir: path.join(dir, "state"), env: sinkEnv(dir, pg.db), maxBatchRows: 3000 });
    let runner = await open();
    try {
      expect(await runner.step()).toBeDefined();
      await runner.flushWrites();
      // The sink table goes away: the next write fails, and a later step says why.
      await pg.db.query(`ALTER TABLE ${table} RENAME TO failing_sink_away`);
      const failure = (async () => {
        while (await runner.step()) { /* until the failed write is raised */ }
      })();
      await expect(failure).rejects.toThrow(/failing_sink/);
    } finally {
      await runner.close().catch(() => undefined);
    }
    await pg.db.query(`ALTER TABLE ${pg.schema}.failing_sink_away RENAME TO failing_sink`);
    runner = await open(); // delivers the committed batches the sink did not take
    try {
      while (await runner.step()) { /* drain */ }
    } finally {
      await runner.close();
    }
    const got = await pg.db.query(`SELECT * FROM ${table}`);
    expect(canon(got.rows, COLS)).toEqual(await recompute(topic));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("does not re-emit unchanged aggregates", async () => {
    const dir = tempDir();
    const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
    fs.mkdirSync(topic, { recursive: true });
    const p = plan();
    const st = p.statements[0];
    if (!st?.aggregation) throw new Error("no aggregation");
    // uv only: repeated users change nothing, so nothing is emitted.
    st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${pg.schema}.uv_only` } } };
    st.aggregation = { ...st.aggregation, aggregates: st.aggregation.aggregates.filter((a) => a.name === "uv"), output: ["dt", "coupon_id", "0", "uv", "0", "0"] };
    const line = (id: number, user: number, coupon: number) => JSON.stringify({ event_id: `x${id}`, user_id: user, coupon_id: coupon, action: "view", amount_cents: 0, ts_ms: Date.parse(`${DAY}T10:00:00Z`) + id }) + "\n";
    const f = path.join(topic, "a.jsonl");
    fs.writeFileSync(f, line(1, 1, 1) + line(2, 2, 1) + line(3, 1, 2));
    const runner = await StreamRunner.open(p, { jobId: `t2-${pg.schema}`, stateDir: path.join(dir, "state"), env: sinkEnv(dir, pg.db) });
    try {
      expect((await runner.step())?.rowsOut).toBe(2); // (dt, 1) uv 2 and (dt, 2) uv 1
      fs.appendFileSync(f, line(4, 2, 1) + line(5, 1, 2));
      expect((await runner.step())?.rowsOut).toBe(0); // same users again: unchanged
      fs.appendFileSync(f, line(6, 3, 2) + line(7, 1, 1));
      expect((await runner.step())?.rowsOut).toBe(1); // only coupon 2 changed
      fs.appendFileSync(f, `{"event_id":"partial"`); // half a line waits for its newline
      expect(await runner.step()).toBeUndefined();
    } finally {
      await runner.close();
    }
    const got = await pg.db.query(`SELECT coupon_id, uv FROM ${pg.schema}.uv_only ORDER BY coupon_id`);
    expect(got.rows.map((r) => [Number(r.coupon_id), Number(r.uv)])).toEqual([[1, 2], [2, 2]]);
  });
});
