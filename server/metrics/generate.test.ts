import { describe, expect, it } from "vitest";
import { demoCatalog } from "../engines/testing/helpers";
import { translateJob } from "../sql";
import { validateMetricTask } from "./generate";
import { copyResultToPeriod, MetricTask, type MetricTaskParsed } from "./spec";
import { demoMetricTask } from "../testing/demo-metric-task";

// Generation on the demo catalog: the demo's daily coupon task, and each invalid configuration's error
// naming the component and field it comes from.

const catalog = demoCatalog();

export const DEMO_TASK = demoMetricTask("coupon_daily_builder");

function issuesOf(patch: Partial<MetricTask>): { path: string; message: string }[] {
  const g = validateMetricTask(catalog, { ...DEMO_TASK, ...patch });
  expect(g.ok).toBe(false);
  return g.issues;
}

describe("metric task generation", () => {
  it("generates the demo's daily coupon task as one job the SQL core translates for both sides", () => {
    const g = validateMetricTask(catalog, DEMO_TASK);
    expect(g.issues).toEqual([]);
    expect(g.jobs.map((j) => [j.name, j.role, j.tables])).toEqual([["coupon_daily_builder", "main", ["ads_coupon_daily"]]]);
    const sql = g.jobs[0]?.spec.sql ?? "";
    expect(sql).toContain("WHERE dt = '${bizdate}' OR __mode = 'stream'");
    expect(sql).toContain("COUNT(DISTINCT user_id) AS uv");
    expect(sql).toContain("GROUP BY dt, coupon_id;");
    const spec = g.jobs[0]?.spec;
    if (!spec) throw new Error("no job");
    const t = translateJob(catalog, spec, { bizdate: "2024-11-11" });
    expect(t.errors).toEqual([]);
    expect(t.stream).toContain("INSERT INTO ads_coupon_daily_rt");
    expect(t.batch).toContain("ads_coupon_daily_di");
    // Each metric's lineage reaches its source column.
    const uv = t.lineage.columns.find((c) => c.sink.column === "uv");
    expect(uv?.sources).toEqual([{ table: "mix_coupon_events", column: "user_id" }]);
  });

  it("adds a campaign-to-date job with the hybrid script, and splits its distinct counts off on request", () => {
    const merged = validateMetricTask(catalog, {
      ...DEMO_TASK, campaignStart: "2024-11-01",
      results: [...DEMO_TASK.results, { period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }],
    });
    expect(merged.issues).toEqual([]);
    expect(merged.jobs.map((j) => [j.name, j.role, j.spec.hybrid?.startDate ?? null])).toEqual([
      ["coupon_daily_builder", "main", null],
      ["coupon_daily_builder_ctd", "campaign", "2024-11-01"],
    ]);
    const split = validateMetricTask(catalog, {
      ...DEMO_TASK, campaignStart: "2024-11-01", uv: "split",
      results: [{ period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative", metrics: ["pv"], uvTable: "ads_coupon_cumulative" }],
    });
    // ads_coupon_cumulative has pv and uv: the pv part misses uv, the uv part misses pv.
    expect(split.issues.map((i) => i.path)).toContain("results.0.table.ads_coupon_cumulative.uv");
  });

  it("batch copy writes the same metrics for another period", () => {
    const t: MetricTaskParsed = MetricTask.parse(DEMO_TASK);
    const copied = copyResultToPeriod(t, 0, "hour", "ads_coupon_minutely");
    expect(copied.results).toHaveLength(2);
    expect(copied.results[1]).toMatchObject({ period: "hour", dimensionSet: "by_coupon", table: "ads_coupon_minutely" });
    // ads_coupon_minutely holds window_start, coupon_id, pv, redeemed: the same metrics, hourly, in the same job.
    const g = validateMetricTask(catalog, copied);
    expect(g.issues).toEqual([]);
    expect(g.jobs).toHaveLength(1);
    expect(g.jobs[0]?.spec.sql).toContain("FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '60' MINUTE))");
  });

  it("an unknown source names the field and the choices", () => {
    expect(issuesOf({ source: "nope" })).toEqual([{ path: "source", message: expect.stringContaining("mix_coupon_events") as string }]);
  });

  it("a result column no component produces is named with the result table", () => {
    const issues = issuesOf({ metrics: DEMO_TASK.metrics.slice(0, 3) });
    expect(issues).toEqual([{ path: "results.0.table.ads_coupon_daily.gmv_cents", message: expect.stringContaining("produced by no component") as string }]);
  });

  it("a dimension that is not a column names the dimension set", () => {
    const issues = issuesOf({ dimensionSets: [{ name: "by_coupon", dimensions: ["coupon"] }] });
    expect(issues[0]).toMatchObject({ path: "dimensionSets.by_coupon.dimensions", message: expect.stringContaining("'coupon' is not a column") as string });
  });

  it("a metric expression with an unknown column is reported at the metric by the SQL core", () => {
    const metrics = DEMO_TASK.metrics.map((m) => (m.name === "uv" ? { ...m, expr: "usr_id" } : m));
    expect(issuesOf({ metrics })).toContainEqual({ path: "metrics.uv.expr", message: expect.stringContaining("unknown column 'usr_id'") as string });
  });

  it("SUM without an expression, a filter that is not an element, SUM of a string", () => {
    const issues = issuesOf({
      metrics: [
        { name: "pv", agg: "count", filter: "nope" },
        { name: "uv", agg: "countDistinct", expr: "user_id" },
        { name: "redeemed", agg: "sum" },
        { name: "gmv_cents", agg: "sum", expr: "action" },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual(["metrics.pv.filter", "metrics.redeemed.expr", "metrics.gmv_cents.expr"]);
  });

  it("a metric written to a STRING column", () => {
    expect(issuesOf({ results: [{ period: "day", dimensionSet: "by_coupon", table: "dim_coupon" }], metrics: [{ name: "coupon_name", agg: "count" }] })
      .map((i) => i.path)).toEqual(expect.arrayContaining(["metrics.coupon_name.column"]));
  });

  it("process components: a join to a missing table or column, dedup not last, explode of a number or onto a taken name", () => {
    expect(issuesOf({ process: [{ type: "dimensionJoin", table: "dim_coupon", on: [{ source: "coupon_id", dimension: "coupon_id" }], columns: ["nope"] }] }))
      .toEqual([{ path: "process.0.columns", message: expect.stringContaining("'nope' is not a column of dim_coupon") as string }]);
    expect(issuesOf({ process: [{ type: "dedup", keys: ["event_id"] }, { type: "filter", condition: "amount_cents > 0" }] }).map((i) => i.path)).toContain("process.0");
    expect(issuesOf({ process: [{ type: "explode", column: "amount_cents", as: "part", maxItems: 2 }] }))
      .toEqual([{ path: "process.0.column", message: expect.stringContaining("explode splits a STRING list") as string }]);
    expect(issuesOf({ process: [{ type: "explode", column: "action", as: "coupon_id", maxItems: 2 }] }))
      .toEqual([{ path: "process.0.as", message: expect.stringContaining("'coupon_id' is already a column") as string }]);
    const fine = validateMetricTask(catalog, { ...DEMO_TASK, process: [{ type: "explode", column: "action", delimiter: ",", as: "act", maxItems: 2 }] });
    expect(fine.issues).toEqual([]);
    expect(fine.jobs[0]?.spec.sql).toMatch(/SPLIT_INDEX\(action, ',', 1\) AS act FROM src WHERE SPLIT_INDEX\(action, ',', 1\) IS NOT NULL/);
  });

  it("campaign to date without a start day, split UV without a table of its own", () => {
    expect(issuesOf({ results: [{ period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }] }).map((i) => i.path)).toContain("campaignStart");
    expect(issuesOf({ campaignStart: "2024-11-01", uv: "split", results: [{ period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }] })
      .map((i) => i.path)).toContain("results.0.uvTable");
  });

  it("zod errors of the spec come back with their field", () => {
    const g = validateMetricTask(catalog, { ...DEMO_TASK, metrics: [] });
    expect(g.issues).toEqual([{ path: "metrics", message: "add at least one metric" }]);
  });
});
