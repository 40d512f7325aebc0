import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { applyDemoProject, type DemoProject } from "../testing/demo-project";
import { parseFlinkSql } from "./parser";
import { span, textOf } from "./tree";

// Offsets, lines and columns are in UTF-16 units (what the editor counts), also after characters outside
// the BMP; text sliced by those offsets is the user's own text.

let handle: DatabaseHandle;
let demo: DemoProject;
let project: string;
const caller = () => demo.api();

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "pos");
  project = demo.project;
}, 60_000);
afterAll(async () => { await handle?.close(); });

const JOB = (literal: string, comment: string) => `-- ${comment}
INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  SUM(CASE WHEN action = '${literal}' THEN 1 ELSE 0 END) AS redeemed, SUM(amount_cents) AS gmv_cents
FROM mix_coupon_events
WHERE dt = '\${bizdate}' OR __mode = 'stream'
GROUP BY dt, coupon_id`;

const SAMPLES = ["🎉", "中文", "e\u0301", "👩‍👩‍👧 🎉 中 e\u0301"];

describe("SQL positions with non-ASCII text", () => {
  for (const sample of SAMPLES) {
    it(`validates and translates valid SQL with ${JSON.stringify(sample)} in a literal and a comment`, async () => {
      const sql = JOB(`redeem ${sample}`, `comment ${sample}`);
      const v = await caller().sql.validate({ project, sql });
      expect(v.issues).toEqual([]);
      expect(v.ok).toBe(true);
      const t = await caller().sql.translate({ project, source: { sql }, bizdate: "2024-11-11" });
      expect(t.errors).toEqual([]);
      expect(t.batch).toContain(`'redeem ${sample}'`);
      expect(t.stream).toContain(`'redeem ${sample}'`);
    }, 60_000);
  }

  it("reports an error after an emoji on an earlier line at the editor's line and column", async () => {
    const sql = "-- 🎉🎉 中文 e\u0301\nINSERT INTO ads_coupon_daily\nSELECT dt, coupon_id, 1, 1, 1, 1 FROM mix_coupon_event";
    const v = await caller().sql.validate({ project, sql });
    expect(v.issues[0]).toMatchObject({ line: 3, column: 39, message: expect.stringContaining("mix_coupon_event") });
  });

  it("reports an error after an emoji on the same line at the editor's column", async () => {
    const sql = "INSERT INTO ads_coupon_daily\n/*🎉*/SELECT dt, coupon_id, 1, 1, 1, 1 FROM mix_coupon_event";
    const v = await caller().sql.validate({ project, sql });
    // "/*🎉*/" is 6 UTF-16 units, so the table name moves from column 39 to 45.
    expect(v.issues[0]).toMatchObject({ line: 2, column: 45, message: expect.stringContaining("mix_coupon_event") });
  });

  it("slices nodes after an emoji (also in a quoted identifier) to the user's text", () => {
    const sql = "SELECT '🎉' AS `名🎉`, d FROM t";
    const parsed = parseFlinkSql(sql);
    expect(parsed.errors).toEqual([]);
    const found: string[] = [];
    const visit = (n: { children?: unknown[] | null }): void => {
      const node = n as Parameters<typeof textOf>[1];
      const text = textOf(sql, node);
      if (text === "d" || text === "t" || text === "`名🎉`") found.push(`${text}@${span(node).start}`);
      for (const c of n.children ?? []) visit(c as { children?: unknown[] | null });
    };
    visit(parsed.tree);
    expect(found).toContain(`d@${sql.indexOf(", d") + 2}`);
    expect(found).toContain(`t@${sql.length - 1}`);
    expect(found).toContain(`\`名🎉\`@${sql.indexOf("`")}`);
  });

  it("reports a syntax error after an emoji at the editor's column", async () => {
    const sql = "INSERT INTO ads_coupon_daily\nSELECT '🎉' FROM FROM mix_coupon_events";
    const v = await caller().sql.validate({ project, sql });
    expect(v.ok).toBe(false);
    expect(v.issues[0]).toMatchObject({ line: 2, column: sql.split("\n")[1]!.lastIndexOf("FROM") + 1 });
  });
});
