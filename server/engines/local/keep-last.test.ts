import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lit } from "./duck";
import { planLocalJob, LocalPlanError } from "./from-script";
import { JobSpec, type CatalogSnapshot } from "../../catalog/schemas";
import { canon, demoCatalog, tempDir, testPostgres } from "../testing/helpers";
import { runBothSides, writeDay } from "../testing/both-sides";

// Flink's keep-last-row deduplication (ROW_NUMBER() OVER (... ORDER BY t DESC) ... WHERE rn = 1) on the
// local stream engine: the latest row per key replaces the key's earlier one, in an upsert sink or in
// the GROUP BY it feeds. Events arrive shuffled (out of event-time order), the stream stops and
// restarts mid-way, and the day's result must equal the batch side and a recompute.

const DAY = "2024-11-12";
const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];

describe("keep-last-row deduplication on the local stream engine", () => {
  const dir = tempDir();
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  let catalog: CatalogSnapshot;
  let events: string;

  beforeAll(async () => {
    pg = await testPostgres();
    catalog = demoCatalog();
    events = await writeDay(dir, { day: DAY, count: 12_000, users: 400 });
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("into a sink keyed by the deduplication key: each coupon's latest event wins, though events arrive out of order", async () => {
    const r = await runBothSides({
      dir, catalog, pg, day: DAY, events, name: "last_upsert",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY dt, coupon_id ORDER BY event_time DESC) AS rn
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
)
WHERE rn = 1;`,
      recompute: `SELECT ${lit(DAY)} AS dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, 0 AS gmv_cents
FROM (SELECT *, row_number() OVER (PARTITION BY coupon_id ORDER BY ts_ms DESC) AS rn FROM $EVENTS) WHERE rn = 1`,
    });
    expect(r.batches).toBeGreaterThan(10);
    expect(r.stream.length).toBe(50);
    expect(canon(r.stream, cols)).toEqual(canon(r.expected, cols));
    expect(canon(r.batch, cols)).toEqual(canon(r.expected, cols));
  }, 180_000);

  it("feeding a GROUP BY: each user's latest event counted once, its earlier one retracted, groups that empty deleted", async () => {
    // Only users whose latest event is not a view count: a coupon's group empties when its last such
    // user moves on, so the sink must lose that row, as the batch side never has it.
    const r = await runBothSides({
      dir, catalog, pg, day: DAY, events, name: "last_grouped",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  COUNT(*) FILTER (WHERE action = 'redeem') AS redeemed, SUM(amount_cents) AS gmv_cents
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time DESC) AS rn
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
)
WHERE rn = 1 AND action <> 'view'
GROUP BY dt, coupon_id;`,
      recompute: `SELECT ${lit(DAY)} AS dt, coupon_id, count(*) AS pv, count(DISTINCT user_id) AS uv,
  count(*) FILTER (action = 'redeem') AS redeemed, sum(amount_cents) AS gmv_cents
FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts_ms DESC) AS rn FROM $EVENTS)
WHERE rn = 1 AND action <> 'view' GROUP BY coupon_id`,
    });
    expect(r.batches).toBeGreaterThan(10);
    // Some coupons end with no such user (the deletes above matter), and every user counts once.
    expect(r.expected.length).toBeGreaterThan(5);
    expect(r.expected.length).toBeLessThan(50);
    expect(canon(r.stream, cols)).toEqual(canon(r.expected, cols));
    expect(canon(r.batch, cols)).toEqual(canon(r.expected, cols));
    expect(r.stream.every((row) => Number(row.pv) === Number(row.uv))).toBe(true);
  }, 180_000);

  it("feeding an aggregate without GROUP BY: one row over every key's latest event, recomputed whenever a key changes", async () => {
    const r = await runBothSides({
      dir, catalog, pg, day: DAY, events, name: "last_global",
      sql: `INSERT INTO ads_coupon_daily
SELECT MAX(dt) AS dt, CAST(0 AS BIGINT) AS coupon_id, COUNT(*) AS pv, COUNT(DISTINCT coupon_id) AS uv,
  SUM(amount_cents) AS redeemed, MIN(user_id) AS gmv_cents
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time DESC) AS rn
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
)
WHERE rn = 1 AND action = 'claim';`,
      recompute: `SELECT ${lit(DAY)} AS dt, 0 AS coupon_id, count(*) AS pv, count(DISTINCT coupon_id) AS uv, sum(amount_cents) AS redeemed, min(user_id) AS gmv_cents
FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts_ms DESC) AS rn FROM $EVENTS) WHERE rn = 1 AND action = 'claim'`,
    });
    expect(r.stream.length).toBe(1);
    expect(canon(r.stream, cols)).toEqual(canon(r.expected, cols));
    expect(canon(r.batch, cols)).toEqual(canon(r.expected, cols));
  }, 180_000);

  it("into a sink without a primary key it is refused (its rows are replaced, which an append cannot do)", () => {
    // The demo catalog with the serving table's primary key removed: the stream side appends into it.
    const rt = catalog.physicalTables.get("ads_coupon_daily_rt");
    if (!rt) throw new Error("the demo catalog has no ads_coupon_daily_rt");
    const appendOnly: CatalogSnapshot = { ...catalog, physicalTables: new Map([...catalog.physicalTables, [rt.name, { ...rt, primaryKey: undefined }]]) };
    const spec = JobSpec.parse({
      name: "last_append",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, user_id AS pv, amount_cents AS uv, 0 AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY dt, coupon_id ORDER BY event_time DESC) AS rn FROM mix_coupon_events)
WHERE rn = 1;`,
    });
    expect(() => planLocalJob({ catalog: appendOnly, job: spec }, "stream", DAY)).toThrow(LocalPlanError);
    expect(() => planLocalJob({ catalog: appendOnly, job: spec }, "stream", DAY)).toThrow(/keep-last-row.*primary key.*line 3, column \d+/s);
  });
});
