import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { planLocalJob } from "./from-script";
import { previewBatchJob } from "./preview";
import { writeHistoryPartition } from "../../demo/generator";
import { JobSpec, type CatalogSnapshot } from "../../catalog/schemas";
import { demoCatalog, tempDir } from "../testing/helpers";
import type { LocalBatchJob } from "./plan";

// The studio's step-by-step preview of a batch job: each source, view, CTE and output with its first rows
// and its row count, computed on the real partition without writing anything.

const DAY = "2024-11-12";

describe("batch preview", () => {
  const dir = tempDir();
  const warehouse = path.join(dir, ".tandem/demo/warehouse");
  const table = path.join(warehouse, "ods_coupon_events_di");
  let catalog: CatalogSnapshot;

  beforeAll(async () => {
    catalog = demoCatalog();
    await writeHistoryPartition(table, { day: DAY, count: 5000, users: 700 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const plan = (sql: string, day = DAY): LocalBatchJob => {
    const p = planLocalJob({ catalog, job: JobSpec.parse({ name: "preview_job", sql }) }, "batch", day);
    if (p.kind !== "batch") throw new Error("expected a batch plan");
    return p;
  };
  const env = { baseDir: dir, dataDir: path.join(dir, ".tandem") };

  it("shows each step with its rows and counts, the CTEs included, and writes nothing", async () => {
    const job = plan(`INSERT INTO ads_coupon_daily
WITH redeems AS (SELECT dt, coupon_id, user_id, amount_cents FROM mix_coupon_events WHERE action = 'redeem' AND dt = '\${bizdate}'),
     per_coupon AS (SELECT dt, coupon_id, COUNT(*) AS n, SUM(amount_cents) AS gmv FROM redeems GROUP BY dt, coupon_id)
SELECT dt, coupon_id, n AS pv, n AS uv, n AS redeemed, gmv AS gmv_cents FROM per_coupon`);
    const preview = await previewBatchJob(job, env, { limit: 5 });
    const kinds = preview.steps.map((s) => `${s.kind}:${s.name}`);
    expect(kinds[0]).toBe("source:ods_coupon_events_di");
    expect(kinds).toContain("view:mix_coupon_events");
    expect(kinds).toContain("cte:redeems");
    expect(kinds).toContain("cte:per_coupon");
    expect(kinds[kinds.length - 1]).toBe("output:ads_coupon_daily_di");
    for (const s of preview.steps) expect(s.error).toBeUndefined();

    // Counts computed independently from the partition file.
    const d = await DuckSession.open();
    const files = lit(path.join(table, `dt=${DAY}`, "*.parquet"));
    const all = Number(await d.scalar(`SELECT count(*) FROM read_parquet(${files})`));
    const redeems = Number(await d.scalar(`SELECT count(*) FROM read_parquet(${files}) WHERE action_type = 'R'`));
    const coupons = Number(await d.scalar(`SELECT count(DISTINCT coupon_id) FROM read_parquet(${files}) WHERE action_type = 'R'`));
    d.close();
    const byName = new Map(preview.steps.map((s) => [s.name, s]));
    expect(byName.get("ods_coupon_events_di")?.total).toBe(all);
    expect(byName.get("redeems")?.total).toBe(redeems);
    expect(byName.get("per_coupon")?.total).toBe(coupons);
    expect(byName.get("ads_coupon_daily_di")?.total).toBe(coupons);
    expect(byName.get("redeems")?.rows.length).toBe(5);
    expect(byName.get("ads_coupon_daily_di")?.columns).toEqual(["coupon_id", "pv", "uv", "redeemed", "gmv_cents"]);
    // Nothing was written: the sink's partition folder does not exist.
    expect(fs.existsSync(path.join(warehouse, "ads_coupon_daily_di"))).toBe(false);
  });

  it("names a missing input partition at its step, and an error at the step it happens", async () => {
    const missing = await previewBatchJob(plan("INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*), COUNT(*), 0, 0 FROM mix_coupon_events WHERE dt = '${bizdate}' GROUP BY dt, coupon_id", "2024-11-13"), env, { limit: 5 });
    expect(missing.steps[0]?.error).toMatch(/dt=2024-11-13 of ods_coupon_events_di does not exist/);
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(previewBatchJob(plan("INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*), COUNT(*), 0, 0 FROM mix_coupon_events WHERE dt = '${bizdate}' GROUP BY dt, coupon_id"), env, { limit: 5, signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});
