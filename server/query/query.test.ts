import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "../engines/local/duck";
import { parseProjectFile, snapshotFromProjectFile } from "../project-file/load";
import { DEMO_FILE_TEXT } from "../testing/demo-project";
import { localQueryBackend, QueryTimeoutError, runQuery, tablesRead } from "./index";

// The bounded read-only query service on the local engine, over the demo's daily sink table: a day's
// partition only, rows capped, a slow query cancelled, and anything but one SELECT over tables refused.

const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-query-"));
const dataDir = path.join(base, ".tandem");
const catalog = snapshotFromProjectFile(parseProjectFile(DEMO_FILE_TEXT).file);
const backend = localQueryBackend({ catalog, env: { baseDir: base, dataDir } });
const root = path.join(dataDir, "demo", "warehouse", "ads_coupon_daily_di");

beforeAll(async () => {
  const s = await DuckSession.open();
  try {
    for (const [day, n] of [["2024-11-11", 30], ["2024-11-12", 50]] as const) {
      fs.mkdirSync(path.join(root, `dt=${day}`), { recursive: true });
      await s.run(`COPY (SELECT range AS coupon_id, range * 10 AS pv, range AS uv, 0 AS redeemed, 0 AS gmv_cents FROM range(${n})) TO ${lit(path.join(root, `dt=${day}`, "part-0.parquet"))} (FORMAT parquet)`);
    }
  } finally {
    s.close();
  }
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe("the read-only query service", () => {
  it("reads a table's partitions by name, with its declared columns", async () => {
    const all = await runQuery(backend, { sql: "SELECT dt, count(*) AS n FROM ads_coupon_daily_di GROUP BY dt ORDER BY dt" });
    expect(all.rows).toEqual([{ dt: "2024-11-11", n: 30n }, { dt: "2024-11-12", n: 50n }]);
    expect(all.tables).toEqual(["ads_coupon_daily_di"]);
    const day = await runQuery(backend, { sql: "SELECT count(*) AS n FROM ads_coupon_daily_di -- one day", scopes: [{ table: "ads_coupon_daily_di", partitions: ["20241112"] }] });
    expect(day.rows).toEqual([{ n: 50n }]);
  });

  it("cuts the rows at the limit and says so", async () => {
    const r = await runQuery(backend, { sql: "SELECT coupon_id FROM ads_coupon_daily_di ORDER BY coupon_id;", limits: { maxRows: 7 } });
    expect(r.rows).toHaveLength(7);
    expect(r.truncated).toBe(true);
    expect(r.columns).toEqual([{ name: "coupon_id", type: "BIGINT" }]);
  });

  it("cancels a query that outlives its time limit", async () => {
    const scope = await backend.open([]);
    try {
      await expect(scope.run("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 2000000000) SELECT count(*) FROM r", { timeoutMs: 300 })).rejects.toBeInstanceOf(QueryTimeoutError);
      // The session is usable again after the interrupt.
      expect((await scope.run("SELECT 41 + 1 AS v")).rows).toEqual([{ v: 42 }]);
    } finally {
      await scope.close();
    }
  }, 60_000);

  it("refuses anything but one read-only SELECT over the catalog's tables", async () => {
    await expect(tablesRead("DELETE FROM ads_coupon_daily_di")).rejects.toThrow(/only a read-only SELECT query is allowed/);
    await expect(tablesRead("COPY ads_coupon_daily_di TO '/tmp/x.csv'")).rejects.toThrow(/only a read-only SELECT query is allowed/);
    await expect(tablesRead("SELECT 1; DROP TABLE ads_coupon_daily_di")).rejects.toThrow(/only a read-only SELECT|2 statements/);
    await expect(tablesRead("SELECT 1; SELECT 2")).rejects.toThrow(/this text holds 2 statements/);
    await expect(tablesRead("SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/table functions are not allowed \(read_csv\)/);
    await expect(tablesRead("SELEC 1")).rejects.toThrow(/does not parse/);
    await expect(tablesRead("SELECT * FROM other_db.main.t")).rejects.toThrow(/names a schema or catalog/);
    expect(await tablesRead("WITH x AS (SELECT * FROM ads_coupon_daily_di) SELECT * FROM x JOIN dim_coupon USING (coupon_id)")).toEqual(["ads_coupon_daily_di", "dim_coupon"]);
    await expect(runQuery(backend, { sql: "SELECT * FROM no_such_table" })).rejects.toThrow(/table 'no_such_table' is not in the catalog/);
    // Inside a scope, files outside the bound tables' folders stay closed even to scalar functions.
    const scope = await backend.open([{ table: "ads_coupon_daily_di" }]);
    try {
      await expect(scope.run("SELECT * FROM ads_coupon_daily_di WHERE ads_coupon_daily_di.dt = (SELECT content FROM read_text('/etc/hostname'))")).rejects.toThrow(/table functions are not allowed/);
      await expect(scope.run("SELECT * FROM dim_coupon")).rejects.toThrow(/reads 'dim_coupon', which is not among its tables/);
    } finally {
      await scope.close();
    }
  });
});
