import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lit } from "./duck";
import { JobSpec, type CatalogSnapshot } from "../../catalog/schemas";
import { planLocalJob } from "./from-script";
import { canon, demoCatalog, tempDir, testPostgres } from "../testing/helpers";
import { runBothSides, writeDay } from "../testing/both-sides";

// A two-level aggregation (an inner GROUP BY feeding an outer one) on the local stream engine: the
// inner aggregate per (coupon, user) grows across micro-batches, and the outer COUNT / SUM / MAX /
// COUNT DISTINCT over it must follow exactly, through a restart, equal to the batch side.

const DAY = "2024-11-12";
const cols = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];

describe("two-level aggregation on the local stream engine", () => {
  const dir = tempDir();
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  let catalog: CatalogSnapshot;
  let events: string;

  beforeAll(async () => {
    pg = await testPostgres();
    catalog = demoCatalog();
    events = await writeDay(dir, { day: DAY, count: 12_000, users: 600 });
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("per coupon: users, events, the busiest user's events and the distinct per-user counts, over the inner per-user counts", async () => {
    const r = await runBothSides({
      dir, catalog, pg, day: DAY, events, name: "two_level",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, SUM(c) AS uv, MAX(c) AS redeemed, COUNT(DISTINCT c) AS gmv_cents
FROM (
  SELECT dt, coupon_id, user_id, COUNT(*) AS c
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
  GROUP BY dt, coupon_id, user_id
)
GROUP BY dt, coupon_id;`,
      recompute: `SELECT ${lit(DAY)} AS dt, coupon_id, count(*) AS pv, sum(c) AS uv, max(c) AS redeemed, count(DISTINCT c) AS gmv_cents
FROM (SELECT coupon_id, user_id, count(*) AS c FROM $EVENTS GROUP BY coupon_id, user_id) GROUP BY coupon_id`,
    });
    expect(r.batches).toBeGreaterThan(10);
    expect(r.stream.length).toBe(50);
    // Users come back within a coupon: the outer MAX and COUNT DISTINCT see inner counts above 1.
    expect(r.expected.some((row) => Number(row.redeemed) > 1)).toBe(true);
    expect(canon(r.stream, cols)).toEqual(canon(r.expected, cols));
    expect(canon(r.batch, cols)).toEqual(canon(r.expected, cols));
  }, 180_000);

  it("an outer key computed from an inner aggregate: users per coupon by how many events they had (groups change as counts grow)", async () => {
    // The outer group of an inner row moves as its count grows: the old group loses the user, the
    // new one gains it; a group every user has left must disappear from the sink.
    const r = await runBothSides({
      dir, catalog, pg, day: DAY, events, name: "two_level_moving",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, c AS coupon_id, COUNT(*) AS pv, COUNT(DISTINCT coupon_id) AS uv, MIN(user_id) AS redeemed, SUM(c) AS gmv_cents
FROM (
  SELECT dt, coupon_id, user_id, COUNT(*) AS c
  FROM mix_coupon_events
  WHERE dt = '\${bizdate}' OR __mode = 'stream'
  GROUP BY dt, coupon_id, user_id
)
GROUP BY dt, c;`,
      recompute: `SELECT ${lit(DAY)} AS dt, c AS coupon_id, count(*) AS pv, count(DISTINCT coupon_id) AS uv, min(user_id) AS redeemed, sum(c) AS gmv_cents
FROM (SELECT coupon_id, user_id, count(*) AS c FROM $EVENTS GROUP BY coupon_id, user_id) GROUP BY c`,
    });
    expect(r.expected.length).toBeGreaterThan(1);
    expect(canon(r.stream, cols)).toEqual(canon(r.expected, cols));
    expect(canon(r.batch, cols)).toEqual(canon(r.expected, cols));
  }, 180_000);

  it("refuses what it cannot recompute, at the construct's line and column: an outer HAVING, a sink without a primary key", () => {
    const inner = `(SELECT dt, coupon_id, user_id, COUNT(*) AS c FROM mix_coupon_events GROUP BY dt, coupon_id, user_id)`;
    const having = JobSpec.parse({
      name: "two_level_having",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, SUM(c) AS uv, MAX(c) AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM ${inner}
GROUP BY dt, coupon_id
HAVING COUNT(*) > 2;`,
    });
    expect(() => planLocalJob({ catalog, job: having }, "stream", DAY)).toThrow(/HAVING over a two-level aggregation.*line 5, column \d+/s);
    const rt = catalog.physicalTables.get("ads_coupon_daily_rt");
    if (!rt) throw new Error("the demo catalog has no ads_coupon_daily_rt");
    const appendOnly: CatalogSnapshot = { ...catalog, physicalTables: new Map([...catalog.physicalTables, [rt.name, { ...rt, primaryKey: undefined }]]) };
    const plain = JobSpec.parse({
      name: "two_level_append",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, SUM(c) AS uv, MAX(c) AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM ${inner}
GROUP BY dt, coupon_id;`,
    });
    expect(() => planLocalJob({ catalog: appendOnly, job: plain }, "stream", DAY)).toThrow(/two-level aggregation.*primary key.*line 2, column \d+/s);
    // A query between the two levels (its columns are not the inner rows the outer keys are read from).
    const between = JobSpec.parse({
      name: "two_level_between",
      sql: `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, SUM(c) AS uv, MAX(c) AS redeemed, CAST(0 AS BIGINT) AS gmv_cents
FROM (SELECT dt, coupon_id, c + 1 AS c FROM
  ${inner})
GROUP BY dt, coupon_id;`,
    });
    expect(() => planLocalJob({ catalog, job: between }, "stream", DAY)).toThrow(/nested or several aggregations.*line 2, column \d+/s);
    // The batch side is unaffected: it runs the query as written.
    expect(planLocalJob({ catalog: appendOnly, job: plain }, "batch", DAY).kind).toBe("batch");
  });
});
