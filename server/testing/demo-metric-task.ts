import type { MetricTask } from "../metrics/spec";

/**
 * The demo's per-coupon daily PV / UV / redeemed / GMV as a metric task (what the hand-written job
 * coupon_daily_stats computes), under `name`: the tests of the builder, its API and the project file share it.
 */
export function demoMetricTask(name: string) {
  return {
    name,
    source: "mix_coupon_events",
    elements: [{ name: "is_redeem", kind: "filter", expr: "action = 'redeem'" }],
    dimensionSets: [{ name: "by_coupon", dimensions: ["coupon_id"] }],
    metrics: [
      { name: "pv", agg: "count" },
      { name: "uv", agg: "countDistinct", expr: "user_id" },
      { name: "redeemed", agg: "count", filter: "is_redeem" },
      { name: "gmv_cents", agg: "sum", expr: "amount_cents", filter: "is_redeem" },
    ],
    results: [{ period: "day", dimensionSet: "by_coupon", table: "ads_coupon_daily" }],
  } satisfies MetricTask;
}
