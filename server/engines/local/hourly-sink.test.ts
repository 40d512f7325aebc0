import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { planLocalJob, LocalPlanError } from "./from-script";
import { writeHistoryPartition } from "../../demo/generator";
import { JobSpec, type CatalogSnapshot, type JobSpecParsed } from "../../catalog/schemas";
import { parseProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import { translateJob } from "../../sql/translate/index";
import { DEMO_FILE, sinkEnv, tempDir, testPostgres } from "../testing/helpers";

// Hour-partitioned batch sinks: a daily run writes the bizdate's 24 hours and a rerun replaces exactly
// those hours (Parquet folders and jdbc rows), emptying hours that have no rows any more and leaving
// other days alone.

const DAY = "2024-11-12";

/** Hour-partitioned batch tables, and single-source meta-tables over them, in project-file YAML. */
const hourlyTable = (name: string, connection: string, option: string) => `
  - name: ${name}
    connection: ${connection}
    kind: batch
    columns:
      - { name: hr, type: STRING }
      - { name: coupon_id, type: BIGINT }
      - { name: pv, type: BIGINT }
    partition: { column: hr, format: yyyy-MM-dd HH }
    options:
      ${option}`;
const hourlyMeta = (name: string, table: string) => `
  - name: ${name}
    columns:
      - { name: event_hour, type: STRING }
      - { name: coupon_id, type: BIGINT }
      - { name: pv, type: BIGINT }
    source:
      table: ${table}
      mappings: { event_hour: hr, coupon_id: coupon_id, pv: pv }`;

function catalogWithHourlySinks(schema: string): CatalogSnapshot {
  const tables = hourlyTable("ads_coupon_hourly_di", "demo_warehouse", "path: .tandem/demo/warehouse/ads_coupon_hourly_di\n      format: parquet")
    + hourlyTable("ads_coupon_hourly_pg", "demo_serving", `table-name: ${schema}.ads_coupon_hourly_pg`);
  const metas = hourlyMeta("ads_coupon_hourly", "ads_coupon_hourly_di") + hourlyMeta("ads_coupon_hourly_serving", "ads_coupon_hourly_pg");
  const text = fs.readFileSync(DEMO_FILE, "utf8").replace("\nmetaTables:\n", `${tables}\n\nmetaTables:\n${metas}\n\n`);
  return snapshotFromProjectFile(parseProjectFile(text).file);
}

function hourlyJob(sink: string, where = ""): JobSpecParsed {
  return JobSpec.parse({
    name: "coupon_hourly",
    sql: `INSERT INTO ${sink}
SELECT DATE_FORMAT(event_time, 'yyyy-MM-dd HH') AS event_hour, coupon_id, COUNT(*) AS pv
FROM mix_coupon_events
WHERE dt = '\${bizdate}'${where}
GROUP BY DATE_FORMAT(event_time, 'yyyy-MM-dd HH'), coupon_id;`,
  });
}

describe("hour-partitioned batch sinks", () => {
  const dir = tempDir();
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  const sinkRoot = path.join(warehouse, "ads_coupon_hourly_di");
  let pg: Awaited<ReturnType<typeof testPostgres>>;
  let catalog: CatalogSnapshot;
  let expected: Map<string, number>;

  beforeAll(async () => {
    pg = await testPostgres();
    catalog = catalogWithHourlySinks(pg.schema);
    await writeHistoryPartition(path.join(warehouse, "ods_coupon_events_di"), { day: DAY, count: 20_000, users: 3000 });
    const s = await DuckSession.open();
    const rows = await s.rows(`SELECT strftime(event_time, '%Y-%m-%d %H') AS hr, count(*) AS n
      FROM read_parquet(${lit(path.join(warehouse, "ods_coupon_events_di", `dt=${DAY}`, "*.parquet"))}) GROUP BY ALL`);
    s.close();
    expected = new Map(rows.map((r) => [String(r.hr), Number(r.n)]));
  });
  afterAll(async () => {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function parquetHours(): Promise<Map<string, number>> {
    const s = await DuckSession.open();
    try {
      const rows = await s.rows(`SELECT hr, sum(pv) AS pv FROM read_parquet(${lit(path.join(sinkRoot, "*", "*.parquet"))}, hive_partitioning = true, hive_types = {'hr': 'VARCHAR'}) GROUP BY hr`);
      return new Map(rows.map((r) => [String(r.hr), Number(r.pv)]));
    } finally {
      s.close();
    }
  }

  async function pgHours(): Promise<Map<string, number>> {
    const rows = (await pg.db.query(`SELECT hr, sum(pv) AS pv FROM ${pg.schema}.ads_coupon_hourly_pg GROUP BY hr`)).rows;
    return new Map(rows.map((r) => [String(r.hr), Number(r.pv)]));
  }

  it("the Flink batch script overwrites the hours it writes and keeps only the bizdate's rows", () => {
    const t = translateJob(catalog, hourlyJob("ads_coupon_hourly"), { bizdate: DAY });
    expect(t.errors).toEqual([]);
    expect(t.batch).toContain("INSERT OVERWRITE ads_coupon_hourly_di (hr, coupon_id, pv)\nWITH __tandem_out (event_hour, coupon_id, pv) AS (");
    expect(t.batch).toContain(`SELECT event_hour, coupon_id, pv FROM __tandem_out WHERE event_hour BETWEEN '${DAY} 00' AND '${DAY} 23';`);
    expect(t.batch).not.toContain("PARTITION (");
    const st = t.local?.batch?.statements[0];
    expect(st?.sink.mode).toBe("overwrite-partition");
    expect(st?.sink.partition).toEqual({ column: "hr", values: Array.from({ length: 24 }, (_, h) => `${DAY} ${String(h).padStart(2, "0")}`) });
  });

  it("Parquet: one folder per hour; a rerun replaces the day's hours, empties the hours without rows, and leaves other days", async () => {
    const job = hourlyJob("ads_coupon_hourly");
    const plan = planLocalJob({ catalog, job }, "batch", DAY);
    if (plan.kind !== "batch") throw new Error("expected a batch plan");
    const first = await runBatchJob(plan, sinkEnv(dir));
    expect(first.rowsIn).toBe(20_000);
    expect(await parquetHours()).toEqual(expected);
    expect(fs.readdirSync(sinkRoot).sort()).toEqual([...expected.keys()].sort().map((h) => `hr=${h}`));

    // A stale file in one hour, another day's hour: a rerun leaves one copy of each of the day's rows.
    const h5 = path.join(sinkRoot, `hr=${DAY} 05`);
    fs.copyFileSync(path.join(h5, "part-0.parquet"), path.join(h5, "part-old.parquet"));
    fs.mkdirSync(path.join(sinkRoot, "hr=2024-11-11 05"));
    fs.copyFileSync(path.join(h5, "part-0.parquet"), path.join(sinkRoot, "hr=2024-11-11 05", "part-0.parquet"));
    await runBatchJob(plan, sinkEnv(dir));
    const again = await parquetHours();
    expect(again.get("2024-11-11 05")).toBe(expected.get(`${DAY} 05`));
    again.delete("2024-11-11 05");
    expect(again).toEqual(expected);
    expect(fs.readdirSync(h5)).toEqual(["part-0.parquet"]);

    // The same day without hour 03: that hour's folder goes, the others stay.
    const without3 = planLocalJob({ catalog, job: hourlyJob("ads_coupon_hourly", " AND HOUR(event_time) <> 3") }, "batch", DAY);
    if (without3.kind !== "batch") throw new Error("expected a batch plan");
    await runBatchJob(without3, sinkEnv(dir));
    const after = await parquetHours();
    expect(after.has(`${DAY} 03`)).toBe(false);
    expect(fs.existsSync(path.join(sinkRoot, `hr=${DAY} 03`))).toBe(false);
    expect(after.get(`${DAY} 04`)).toBe(expected.get(`${DAY} 04`));
    expect(after.get("2024-11-11 05")).toBe(expected.get(`${DAY} 05`));
  }, 120_000);

  it("jdbc: a rerun deletes exactly the day's hours in one transaction", async () => {
    const plan = planLocalJob({ catalog, job: hourlyJob("ads_coupon_hourly_serving") }, "batch", DAY);
    if (plan.kind !== "batch") throw new Error("expected a batch plan");
    await runBatchJob(plan, sinkEnv(dir, pg.db));
    expect(await pgHours()).toEqual(expected);
    await pg.db.query(`INSERT INTO ${pg.schema}.ads_coupon_hourly_pg (hr, coupon_id, pv) VALUES ('${DAY} 07', 999, 5), ('2024-11-11 07', 999, 5)`);
    await runBatchJob(plan, sinkEnv(dir, pg.db));
    const got = await pgHours();
    expect(got.get("2024-11-11 07")).toBe(5);
    got.delete("2024-11-11 07");
    expect(got).toEqual(expected);
  }, 120_000);

  it("a query that does not write the hour column is refused with its line and column", () => {
    const job = JobSpec.parse({
      name: "coupon_hourly",
      sql: `-- no hour
INSERT INTO ads_coupon_hourly (coupon_id, pv)
SELECT coupon_id, COUNT(*) AS pv FROM mix_coupon_events WHERE dt = '\${bizdate}' GROUP BY coupon_id;`,
    });
    const t = translateJob(catalog, job, { bizdate: DAY });
    expect(t.errors).toEqual([expect.objectContaining({
      line: 2, column: 13,
      message: expect.stringContaining("'ads_coupon_hourly' is written to 'ads_coupon_hourly_di', partitioned by hour ('yyyy-MM-dd HH'): the query must write the partition column"),
    })]);
    expect(() => planLocalJob({ catalog, job }, "batch", DAY)).toThrow(LocalPlanError);
  });
});
