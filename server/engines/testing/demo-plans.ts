import type { CatalogSnapshot } from "../../catalog/schemas";
import { asLocalTimestamp } from "../../sql/duckdb/convert";
import { bindTable } from "../local/bind";
import type { LocalBatchJob, LocalStreamJob, StreamAggregation } from "../local/plan";

// Hand-written local plans of the demo job coupon_daily_stats, in the shape server/sql's LocalScript
// produces (the per-side views in DuckDB SQL, the statement, its incremental structure). Tests use
// them to exercise the engine independently of the translator.

export function demoStreamPlan(catalog: CatalogSnapshot, bizdate: string): LocalStreamJob {
  const agg: StreamAggregation = {
    groupKeys: [{ name: "dt", expr: "dt" }, { name: "coupon_id", expr: "coupon_id" }],
    aggregates: [
      { name: "pv", fn: "count" },
      { name: "uv", fn: "count_distinct", arg: "user_id" },
      { name: "redeemed", fn: "sum", arg: "CASE WHEN action = 'redeem' THEN 1 ELSE 0 END" },
      { name: "gmv_cents", fn: "sum", arg: "CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END" },
    ],
    output: ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"],
  };
  return {
    kind: "stream",
    name: "coupon_daily_stats",
    startFrom: "earliest",
    watermark: { column: "event_time", delayMs: 5000 },
    sources: [{
      name: "ods_coupon_events_rt", role: "scan", table: bindTable(catalog, "ods_coupon_events_rt"),
      computed: [{ name: "event_time", sql: "CAST(epoch_ms(ts_ms) AS TIMESTAMPTZ)" }],
    }],
    views: [{
      name: "mix_coupon_events",
      sql: `SELECT event_id, user_id, coupon_id, action, amount_cents, event_time, strftime(${asLocalTimestamp("event_time")}, '%Y-%m-%d') AS dt, 'stream' AS __mode FROM ods_coupon_events_rt`,
    }],
    statements: [{
      sink: { table: bindTable(catalog, "ads_coupon_daily_rt"), mode: "upsert", columns: ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"] },
      input: `SELECT * FROM mix_coupon_events WHERE dt = '${bizdate}' OR __mode = 'stream'`,
      aggregation: agg,
    }],
  };
}

export function demoBatchPlan(catalog: CatalogSnapshot, bizdate: string): LocalBatchJob {
  return {
    kind: "batch",
    name: "coupon_daily_stats",
    sources: [{ name: "ods_coupon_events_di", role: "scan", table: bindTable(catalog, "ods_coupon_events_di"), partitions: { column: "dt", values: [bizdate] } }],
    views: [{
      name: "mix_coupon_events",
      sql: `SELECT event_id, CAST(user_id AS BIGINT) AS user_id, coupon_id,
        CASE action_type WHEN 'V' THEN 'view' WHEN 'C' THEN 'claim' WHEN 'R' THEN 'redeem' END AS action,
        CAST(amount * 100 AS BIGINT) AS amount_cents, CAST(event_time AS TIMESTAMPTZ) AS event_time, dt, 'batch' AS __mode
        FROM ods_coupon_events_di WHERE dt IN ('${bizdate}')`,
    }],
    statements: [{
      sink: { table: bindTable(catalog, "ads_coupon_daily_di"), mode: "overwrite-partition", partition: { column: "dt", value: bizdate }, columns: ["coupon_id", "pv", "uv", "redeemed", "gmv_cents"] },
      select: `WITH __tandem_out (dt, coupon_id, pv, uv, redeemed, gmv_cents) AS (
        SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
          SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed,
          SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
        FROM mix_coupon_events WHERE dt = '${bizdate}' OR __mode = 'stream' GROUP BY dt, coupon_id
      ) SELECT coupon_id, pv, uv, redeemed, gmv_cents FROM __tandem_out WHERE dt = '${bizdate}'`,
    }],
  };
}
