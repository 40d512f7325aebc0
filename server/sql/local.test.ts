import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flinkSelectToDuckdb } from "./duckdb/convert";
import { LOCAL_SETUP } from "./translate/local";
import { translateJob } from "./translate/index";
import { sourceRelationSql, type LocalScript, type LocalStatement } from "./translate/local";
import type { IncrementalPlan } from "./translate/incremental";
import { demo, goldenCatalog, job } from "./__golden__/helpers";

// Runs the local (DuckDB) scripts over small generated data: the results are checked against values
// computed here in plain TypeScript, and the stream script over one day's events must give the same
// rows as the batch script over that day's partition.

type Row = Record<string, string | number | bigint | boolean | null>;
const DAY = "2024-11-11";

let db: DuckDBInstance;
beforeAll(async () => { db = await DuckDBInstance.create(":memory:"); });
afterAll(() => { db.closeSync(); });

function lit(v: Row[string]): string {
  if (v === null) return "NULL";
  if (typeof v === "string") return `'${v.replace(/'/g, "''")}'`;
  return String(v);
}

/** Creates the script's sources from in-memory rows (by physical table name) and its views. */
async function load(script: LocalScript, data: Record<string, Row[]>): Promise<DuckDBConnection> {
  const c = await db.connect();
  for (const s of script.setup) await c.run(s);
  for (const src of script.sources) {
    const raw = `"${src.name}__raw"`;
    await c.run(`CREATE OR REPLACE TABLE ${raw} (${src.columns.map((col) => `"${col.name}" ${col.type}`).join(", ")})`);
    const rows = data[src.physical] ?? [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => `(${src.columns.map((col) => lit(r[col.name] ?? null)).join(", ")})`);
      await c.run(`INSERT INTO ${raw} VALUES ${chunk.join(", ")}`);
    }
    await c.run(`CREATE OR REPLACE VIEW "${src.name}" AS ${sourceRelationSql(src, raw)}`);
  }
  for (const v of script.views) await c.run(v.sql);
  return c;
}

async function rows(c: DuckDBConnection, sql: string): Promise<Row[]> {
  const r = await c.runAndReadAll(sql);
  return r.getRowObjectsJson() as Row[];
}

const sortRows = (rs: Row[]) => [...rs].map((r) => JSON.stringify(r)).sort();

// Deterministic events: the same day in the topic's shape and in the warehouse's shape.
function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff; };
}
interface Event { id: string; user: number; coupon: number; action: "view" | "claim" | "redeem"; cents: number; ms: number }
function events(day: string, n: number, seed: number): Event[] {
  const r = rng(seed);
  const start = Date.parse(`${day}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const x = r();
    return {
      id: `${day}-${i}`, user: 1 + Math.floor(r() * 40), coupon: 100 + Math.floor(r() * 5),
      action: x < 0.6 ? "view" : x < 0.85 ? "claim" : "redeem", cents: 100 * (1 + Math.floor(r() * 50)),
      ms: start + Math.floor(r() * 86_400_000),
    };
  });
}
const topicRow = (e: Event): Row => ({ event_id: e.id, user_id: e.user, coupon_id: e.coupon, action: e.action, amount_cents: e.cents, ts_ms: e.ms });
const warehouseRow = (e: Event): Row => ({
  event_id: e.id, user_id: String(e.user), coupon_id: e.coupon, action_type: { view: "V", claim: "C", redeem: "R" }[e.action],
  amount: (e.cents / 100).toFixed(2), event_time: new Date(e.ms).toISOString().replace("T", " ").replace("Z", ""), dt: new Date(e.ms).toISOString().slice(0, 10),
});

const today = events(DAY, 1500, 7);
const yesterday = events("2024-11-10", 700, 8);
const tomorrow = events("2024-11-12", 300, 9);

function demoScripts(jobName: string) {
  const { catalog, jobs } = demo();
  const j = jobs.find((x) => x.name === jobName);
  if (!j) throw new Error(`demo job ${jobName} missing`);
  const t = translateJob(catalog, j, { bizdate: DAY });
  expect(t.errors).toEqual([]);
  expect(t.local?.errors).toEqual([]);
  const stream = t.local?.stream, batch = t.local?.batch;
  if (!stream || !batch) throw new Error("no local scripts");
  return { stream, batch };
}

const streamData = { ods_coupon_events_rt: today.map(topicRow) };
const batchData = { ods_coupon_events_di: [...yesterday, ...today, ...tomorrow].map(warehouseRow) };

describe("local scripts in DuckDB", { timeout: 120_000 }, () => {
  it("demo job: batch over the day's partition gives the exact metrics", async () => {
    const { batch } = demoScripts("coupon_daily_stats");
    expect(batch.sources[0]?.partition).toMatchObject({ column: "dt", values: [DAY] });
    const st = batch.statements[0] as LocalStatement;
    expect(st.sink).toMatchObject({ table: "ads_coupon_daily_di", mode: "overwrite-partition", partition: { column: "dt", value: DAY } });
    const c = await load(batch, batchData);
    const got = await rows(c, st.select);
    const expected = new Map<number, { pv: number; users: Set<number>; redeemed: number; gmv: number }>();
    for (const e of today) {
      const m = expected.get(e.coupon) ?? { pv: 0, users: new Set<number>(), redeemed: 0, gmv: 0 };
      m.pv++; m.users.add(e.user);
      if (e.action === "redeem") { m.redeemed++; m.gmv += e.cents; }
      expected.set(e.coupon, m);
    }
    expect(got).toHaveLength(expected.size);
    for (const r of got) {
      const m = expected.get(Number(r.coupon_id));
      expect(r.dt).toBe(DAY);
      expect(Number(r.pv)).toBe(m?.pv);
      expect(Number(r.uv)).toBe(m?.users.size);
      expect(Number(r.redeemed)).toBe(m?.redeemed);
      expect(Number(r.gmv_cents)).toBe(m?.gmv);
    }
    c.closeSync();
  });

  it("demo job: stream over one day's events == batch over that day's partition", async () => {
    const { stream, batch } = demoScripts("coupon_daily_stats");
    const s = await load(stream, streamData);
    const b = await load(batch, batchData);
    const sRows = await rows(s, stream.statements[0]?.select ?? "");
    const bRows = await rows(b, batch.statements[0]?.select ?? "");
    expect(sRows.length).toBeGreaterThan(0);
    expect(sortRows(sRows)).toEqual(sortRows(bRows));
    s.closeSync(); b.closeSync();
  });

  it("demo job: the stream plan run in micro-batches gives the same rows as the whole day at once", async () => {
    const { stream } = demoScripts("coupon_daily_stats");
    const st = stream.statements[0] as LocalStatement;
    const plan = st.incremental as Extract<IncrementalPlan, { kind: "aggregate" }>;
    expect(plan.kind).toBe("aggregate");
    expect(plan.keys.map((k) => k.expr)).toEqual(["dt", "coupon_id"]);
    expect(plan.aggregates.map((a) => a.fn)).toEqual(["COUNT", "COUNT_DISTINCT", "SUM", "SUM"]);
    expect(plan.streamSources).toEqual(["mix_coupon_events"]);
    const state = new Map<string, { keys: Row[string][]; acc: (number | Set<string>)[] }>();
    for (let i = 0; i < today.length; i += 400) {
      const c = await load(stream, { ods_coupon_events_rt: today.slice(i, i + 400).map(topicRow) });
      for (const r of await rows(c, plan.input)) {
        const keys = plan.keys.map((k) => r[k.column] ?? null);
        const id = JSON.stringify(keys);
        const s = state.get(id) ?? { keys, acc: plan.aggregates.map((a) => (a.fn === "COUNT_DISTINCT" ? new Set<string>() : a.fn === "MIN" || a.fn === "MAX" ? NaN : 0)) };
        plan.aggregates.forEach((a, j) => {
          const v = a.column ? r[a.column] ?? null : 1;
          if (v === null) return;
          const cur = s.acc[j];
          if (cur instanceof Set) cur.add(String(v));
          else if (a.fn === "COUNT") s.acc[j] = (cur as number) + 1;
          else if (a.fn === "SUM") s.acc[j] = (cur as number) + Number(v);
          else s.acc[j] = Number.isNaN(cur) ? Number(v) : Math[a.fn === "MIN" ? "min" : "max"](cur as number, Number(v));
        });
        state.set(id, s);
      }
      c.closeSync();
    }
    const merged = [...state.values()].map((s) => Object.fromEntries(st.queryColumns.map((name, i) => {
      const o = plan.outputs[i];
      const v = o && "key" in o ? s.keys[o.key] : o && "aggregate" in o ? s.acc[o.aggregate] : null;
      return [name, String(v instanceof Set ? v.size : v)];
    })));
    const c = await load(stream, streamData);
    const whole = (await rows(c, st.select)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));
    expect(sortRows(merged)).toEqual(sortRows(whole));
    c.closeSync();
  });

  it("window TVF job: stream == batch for the day, and the windows are the minutes of the events", async () => {
    const { stream, batch } = demoScripts("coupon_minutely");
    const plan = stream.statements[0]?.incremental;
    expect(plan?.kind === "aggregate" ? plan.window : null).toEqual({ kind: "TUMBLE", table: '"mix_coupon_events"', timeColumn: '"event_time"', size: 60_000 });
    const s = await load(stream, streamData);
    const b = await load(batch, batchData);
    const sRows = await rows(s, stream.statements[0]?.select ?? "");
    const bRows = await rows(b, batch.statements[0]?.select ?? "");
    expect(sortRows(sRows)).toEqual(sortRows(bRows));
    const minutes = new Map<string, number>();
    for (const e of today) {
      const key = `${new Date(Math.floor(e.ms / 60_000) * 60_000).toISOString().replace("T", " ").slice(0, 19)}|${e.coupon}`;
      minutes.set(key, (minutes.get(key) ?? 0) + 1);
    }
    expect(sRows).toHaveLength(minutes.size);
    for (const r of sRows) expect(Number(r.pv)).toBe(minutes.get(`${String(r.window_start).slice(0, 19)}|${String(r.coupon_id)}`));
    s.closeSync(); b.closeSync();
  });

  it("Y/N on the stream side and 1/0 on the batch side count the same new users", async () => {
    const t = translateJob(goldenCatalog(), job(`INSERT INTO ads_user_daily
SELECT ds, channel, COUNT(DISTINCT uid) AS users, SUM(is_new) AS new_users
FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY ds, channel;`), { bizdate: DAY });
    expect(t.errors).toEqual([]);
    const { stream, batch } = t.local ?? {};
    if (!stream || !batch) throw new Error("no local scripts");
    const r = rng(3);
    const users = Array.from({ length: 200 }, (_, i) => ({ uid: i % 60, isNew: r() < 0.3, ms: Date.parse(`${DAY}T00:00:00Z`) + Math.floor(r() * 86_400_000) }));
    const ts = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    const s = await load(stream, { ods_user_rt: users.map((u) => ({ uid: u.uid, is_new_flag: u.isNew ? "Y" : "N", ts: ts(u.ms) })) });
    const b = await load(batch, { ods_user_di: users.map((u) => ({ uid: u.uid, is_new: u.isNew ? 1 : 0, channel: "app", event_time: ts(u.ms), ds: "20241111" })) });
    // the stream sink has no new_users column (virtual on that side); compare what both sides store
    const sRows = await rows(s, stream.statements[0]?.select ?? "");
    const bRows = await rows(b, batch.statements[0]?.select ?? "");
    expect(stream.statements[0]?.sink.columns).toEqual(["ds", "channel", "users"]);
    expect(sRows).toEqual([{ ds: "20241111", channel: "app", users: new Set(users.map((u) => u.uid)).size.toString() }]);
    expect(bRows.map(({ ds, channel, users: n }) => ({ ds, channel, users: n }))).toEqual(sRows);
    // and the batch side's new_users is the number of Y rows, computed from 1/0
    expect(Number(bRows[0]?.new_users)).toBe(users.filter((u) => u.isNew).length);
    s.closeSync(); b.closeSync();
  });

  it("dimension lookup: the local engine joins the dimension's current rows", async () => {
    const t = translateJob(goldenCatalog(), job(`INSERT INTO ads_channel_total
SELECT d.campaign, COUNT(*) FROM mix_coupon_events AS e
JOIN dim_coupon FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.coupon_id = d.coupon_id
WHERE e.dt = '\${bizdate}' GROUP BY d.campaign;`), { bizdate: DAY });
    expect(t.errors).toEqual([]);
    const stream = t.local?.stream;
    if (!stream) throw new Error(JSON.stringify(t.local?.errors));
    expect(stream.statements[0]?.incremental).toMatchObject({ kind: "aggregate", lookupJoins: [{ table: "dim_coupon", alias: "d" }], streamSources: ["mix_coupon_events"] });
    const dim = [100, 101, 102, 103, 104].map((id) => ({ coupon_id: id, coupon_name: `c${id}`, campaign: id < 102 ? "early" : "late" }));
    const c = await load(stream, { ods_coupon_events_rt: today.map(topicRow), dim_coupon: dim });
    const got = await rows(c, stream.statements[0]?.select ?? "");
    const early = today.filter((e) => e.coupon < 102).length;
    expect(sortRows(got)).toEqual(sortRows([{ channel: "early", users: String(early) }, { channel: "late", users: String(today.length - early) }]));
    c.closeSync();
  });

  it("HOP windows: each event counts in size/slide windows", async () => {
    const t = translateJob(goldenCatalog(), job(`INSERT INTO ads_channel_total
SELECT CAST(window_start AS STRING), COUNT(*) FROM TABLE(HOP(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE))
GROUP BY window_start, window_end;`), { bizdate: DAY });
    const stream = t.local?.stream;
    if (!stream) throw new Error(JSON.stringify(t.local?.errors ?? t.errors));
    const c = await load(stream, { ods_user_rt: [{ uid: 1, is_new_flag: "Y", ts: `${DAY} 10:07:00` }, { uid: 2, is_new_flag: "N", ts: `${DAY} 10:12:00` }] });
    const got = await rows(c, stream.statements[0]?.select ?? "");
    // 10:07 is in [10:00,10:10) and [10:05,10:15); 10:12 in [10:05,10:15) and [10:10,10:20)
    expect(sortRows(got)).toEqual(sortRows([
      { channel: `${DAY} 10:00:00`, users: "1" }, { channel: `${DAY} 10:05:00`, users: "2" }, { channel: `${DAY} 10:10:00`, users: "1" },
    ]));
    c.closeSync();
  });
  it("integer division truncates toward zero as in Flink, on both sides; DOUBLE division stays exact", async () => {
    const { catalog } = demo();
    const t = translateJob(catalog, job(`INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, SUM(amount_cents / 700) AS uv, SUM((0 - amount_cents) / 700) AS redeemed, SUM(amount_cents / 300) AS gmv_cents
FROM mix_coupon_events WHERE dt = '\${bizdate}' OR __mode = 'stream' GROUP BY dt, coupon_id`), { bizdate: DAY });
    expect(t.errors).toEqual([]);
    expect(t.local?.errors).toEqual([]);
    const stream = t.local?.stream, batch = t.local?.batch;
    if (!stream || !batch) throw new Error("no local scripts");
    // Per-row integer division: 250 cents / 700 is 0, not 0.357, and -250 / 700 is 0 too (toward zero).
    const expected = new Map<number, { pv: number; by700: number; neg700: number; by300: number }>();
    for (const e of today) {
      const m = expected.get(e.coupon) ?? { pv: 0, by700: 0, neg700: 0, by300: 0 };
      m.pv++; m.by700 += Math.trunc(e.cents / 700); m.neg700 += Math.trunc(-e.cents / 700); m.by300 += Math.trunc(e.cents / 300);
      expected.set(e.coupon, m);
    }
    for (const [script, data] of [[stream, streamData], [batch, batchData]] as const) {
      const c = await load(script, data);
      const got = await rows(c, script.statements[0]?.select ?? "");
      expect(got).toHaveLength(expected.size);
      for (const r of got) {
        const m = expected.get(Number(r.coupon_id));
        if (!m) throw new Error(`unexpected coupon ${String(r.coupon_id)}`);
        expect([Number(r.pv), Number(r.uv), Number(r.redeemed), Number(r.gmv_cents)]).toEqual([m.pv, m.by700, m.neg700, m.by300]);
      }
      expect(Number((await rows(c, "SELECT CAST(5 AS DOUBLE) / 2 AS d"))[0]?.d)).toBe(2.5);
      c.closeSync();
    }
  });

  it("DATE_FORMAT formats TIMESTAMP_LTZ, TIMESTAMP, DATE and string values in the session zone (UTC)", async () => {
    const c = await db.connect();
    for (const setting of LOCAL_SETUP) await c.run(setting);
    await c.run(`CREATE OR REPLACE TABLE date_formats AS SELECT * FROM (VALUES
      (TIMESTAMPTZ '2024-11-11 23:59:58.123+00', TIMESTAMP '2024-11-11 23:59:58.123', DATE '2024-11-11', '2024-11-11 23:59:58'),
      (TIMESTAMPTZ '2024-11-12 01:00:00+08', TIMESTAMP '1969-12-31 23:00:00', DATE '1969-12-31', '1969-12-31 23:00:00')
    ) AS t(ltz, ts, d, s)`);
    const sql = flinkSelectToDuckdb(`SELECT DATE_FORMAT(ltz, 'yyyy-MM-dd HH:mm:ss') AS a, DATE_FORMAT(ts, 'yyyy-MM-dd HH') AS b,
      DATE_FORMAT(d, 'yyyyMMdd') AS c, DATE_FORMAT(s, 'yyyy-MM-dd HH:mm') AS e FROM date_formats`);
    const got = await rows(c, sql);
    expect(got).toEqual([
      { a: "2024-11-11 23:59:58", b: "2024-11-11 23", c: "20241111", e: "2024-11-11 23:59" },
      { a: "2024-11-11 17:00:00", b: "1969-12-31 23", c: "19691231", e: "1969-12-31 23:00" },
    ]);
    c.closeSync();
  });
});
