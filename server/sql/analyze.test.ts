import { describe, expect, it } from "vitest";
import { demoCatalog } from "../engines/testing/helpers";
import { analyze } from "./analyze";
import { parseFlinkSql } from "./parser";
import { textOf } from "./tree";

// Output column names, as Flink gives them: a bare column reference keeps the referenced column's name, also
// when an inner query computed that column or merged it in a UNION ALL (the metric builder's explode).

describe("analyze: output column names", () => {
  const catalog = demoCatalog();
  const outputsOf = (sql: string, blockStart: string): string[] => {
    const parsed = parseFlinkSql(sql);
    const a = analyze(parsed, catalog);
    const block = a.blocks.find((b) => textOf(parsed.text, b.node).startsWith(blockStart));
    if (!block) throw new Error(`no block starting with ${blockStart}`);
    return block.outputs.map((o) => o.name);
  };

  it("a qualified or bare reference to a computed or unioned column keeps its name; an expression does not", () => {
    const sql = `INSERT INTO ads_coupon_daily
WITH p1 AS (
  SELECT dt, coupon_id, UPPER(action) AS act FROM mix_coupon_events
  UNION ALL
  SELECT dt, coupon_id, LOWER(action) AS act FROM mix_coupon_events
),
p2 AS (SELECT s.dt, s.act, coupon_id, s.act || 'x', 7 FROM p1 AS s)
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(*) AS uv, COUNT(*) AS redeemed, COUNT(*) AS gmv_cents FROM p2 GROUP BY dt, coupon_id`;
    expect(outputsOf(sql, "SELECT s.dt")).toEqual(["dt", "act", "coupon_id", "EXPR$3", "EXPR$4"]);
  });
});
