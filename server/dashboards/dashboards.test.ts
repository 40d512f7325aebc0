import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../context";
import { DuckSession, lit } from "../engines/local/duck";
import { pgliteDatabase, type SqlDatabase } from "../engines/local/jdbc";
import { exportProjectFile } from "../project-file/export";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { applyDemoProject, type DemoProject } from "../testing/demo-project";
import { dashboardData, DashboardSpec, getDashboard, listDashboards, resolveParams, substitute, upsertDashboard, type WidgetData } from "./index";

// The demo's "Double 11 coupons" dashboard over a serving table (the stream sink) and a warehouse
// partition (the batch sink): values follow the sink, unchanged data is not re-sent, the comparison
// widget shows yesterday's live and exact values equal once the batch partition holds the same rows.

const TODAY = "2024-11-11";
const NOW = () => new Date(`${TODAY}T12:00:00Z`);
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let pglite: PGlite;
let serving: SqlDatabase;
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-dash-"));
const dataDir = path.join(base, ".tandem");
const deps = () => ({ dataDir, jdbc: () => serving });

async function writeBatch(day: string, rows: [number, number, number, number, number][]) {
  const dir = path.join(dataDir, "demo", "warehouse", "ads_coupon_daily_di", `dt=${day}`);
  fs.mkdirSync(dir, { recursive: true });
  const s = await DuckSession.open();
  try {
    const values = rows.map((r) => `(${r.map((v) => `${v}::BIGINT`).join(", ")})`).join(", ");
    await s.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(coupon_id, pv, uv, redeemed, gmv_cents)) TO ${lit(path.join(dir, "part-0.parquet"))} (FORMAT parquet)`);
  } finally {
    s.close();
  }
}

const byId = (ws: { id: string; data?: WidgetData }[]) => new Map(ws.map((w) => [w.id, w.data]));

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "dash");
  ctx = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
  pglite = await PGlite.create();
  serving = pgliteDatabase(pglite);
  await pglite.query("CREATE TABLE ads_coupon_daily_rt (dt text, coupon_id bigint, pv bigint, uv bigint, redeemed bigint, gmv_cents bigint, PRIMARY KEY (dt, coupon_id))");
  await pglite.query(`INSERT INTO ads_coupon_daily_rt VALUES ('2024-11-10', 1, 10, 5, 2, 1000), ('2024-11-10', 2, 20, 8, 1, 700), ('${TODAY}', 1, 3, 2, 1, 500)`);
}, 60_000);
afterAll(async () => {
  await pglite.close();
  await handle.close();
  fs.rmSync(base, { recursive: true, force: true });
});

describe("dashboards", () => {
  it("the demo project file seeds the Double 11 coupons dashboard, and export gives it back", async () => {
    const list = await listDashboards(ctx);
    expect(list.map((d) => d.name)).toEqual(["double11_coupons"]);
    expect(list[0]?.spec.widgets.map((w) => w.kind)).toEqual(["number", "number", "number", "number", "line", "bar", "table", "comparison"]);
    const exported = await exportProjectFile(handle.db, ctx.project);
    expect(exported.dashboards[0]).toEqual(list[0]?.spec);
  });

  it("parameters: today from the clock, overrides from the viewer, substituted as literals", () => {
    const spec = DashboardSpec.parse({ name: "d", params: { campaign: "d11" } });
    const p = resolveParams(spec, {}, NOW());
    expect(p.bizdate.format("yyyy-MM-dd")).toBe(TODAY);
    expect(resolveParams(spec, { bizdate: "yesterday" }, NOW()).bizdate.toString()).toBe("20241110");
    expect(substitute("dt = ${bizdate} AND c = ${campaign}", { ...p, campaign: "o'brien" })).toBe("dt = '2024-11-11' AND c = 'o''brien'");
  });

  it("today is the calendar day of the dashboard's time zone (the project file's by default), not UTC's", () => {
    // 16:30 UTC on the 11th is 00:30 on the 12th in Shanghai and still 11:30 on the 11th in New York.
    const late = new Date("2024-11-11T16:30:00Z");
    const at = (timeZone?: string) => resolveParams(DashboardSpec.parse({ name: "d", params: timeZone ? { timeZone } : {} }), {}, late).bizdate.toString();
    expect([at(), at("Asia/Shanghai"), at("America/New_York")]).toEqual(["20241111", "20241112", "20241111"]);
    expect(resolveParams(DashboardSpec.parse({ name: "d", params: { timeZone: "Asia/Shanghai" } }), { bizdate: "yesterday" }, late).bizdate.toString()).toBe("20241111");
    expect(DashboardSpec.safeParse({ name: "d", params: { timeZone: "Mars/Olympus" } }).error?.issues[0]?.message).toMatch(/IANA time zone/);
    const yaml = "version: 1\nproject: p\ntimeZone: Asia/Shanghai\ndashboards:\n  - { name: a }\n  - { name: b, params: { timeZone: UTC } }\n";
    const file = parseProjectFile(yaml, "p.yaml").file;
    expect(file.dashboards.map((d) => d.params.timeZone)).toEqual(["Asia/Shanghai", "UTC"]);
  });

  it("widgets follow the stream sink; the delta compares with yesterday; unchanged data is not re-sent", async () => {
    const first = await dashboardData(ctx, deps(), { dashboard: "double11_coupons" }, NOW);
    const data = byId(first.widgets);
    expect(data.get("gmv")).toEqual({ kind: "number", value: 500, previous: 1700 });
    expect(data.get("top_table")).toMatchObject({ kind: "table", columns: ["coupon_id", "pv", "uv", "redeemed", "gmv_cents"], rows: [[1, 3, 2, 1, 500]] });
    expect(data.get("by_coupon")).toEqual({ kind: "line", x: ["1"], series: [{ name: "pv", values: [3] }, { name: "redeemed", values: [1] }] });
    const known = Object.fromEntries(first.widgets.map((w) => [w.id, w.version]));

    await new Promise((r) => setTimeout(r, 600)); // past the shared-result window
    const same = await dashboardData(ctx, deps(), { dashboard: "double11_coupons", known }, NOW);
    expect(same.widgets.every((w) => w.data === undefined)).toBe(true);

    await pglite.query(`INSERT INTO ads_coupon_daily_rt VALUES ('${TODAY}', 2, 4, 4, 2, 900)`);
    await new Promise((r) => setTimeout(r, 600));
    const moved = await dashboardData(ctx, deps(), { dashboard: "double11_coupons", widget: "gmv", known }, NOW);
    expect(moved.widgets).toHaveLength(1);
    expect(moved.widgets[0]?.data).toEqual({ kind: "number", value: 1400, previous: 1700 });
    expect(moved.widgets[0]?.version).not.toBe(known.gmv);
  });

  it("the comparison shows yesterday's live and exact values, equal once the batch partition matches", async () => {
    const before = await dashboardData(ctx, deps(), { dashboard: "double11_coupons", widget: "gmv_live_vs_exact" }, NOW);
    expect(before.widgets[0]?.data).toEqual({ kind: "comparison", day: "2024-11-10", stream: 1700, batch: null, equal: false }); // no batch partition yet
    await writeBatch("2024-11-10", [[1, 10, 5, 2, 1000], [2, 20, 8, 1, 700]]);
    await new Promise((r) => setTimeout(r, 600));
    const after = await dashboardData(ctx, deps(), { dashboard: "double11_coupons", widget: "gmv_live_vs_exact" }, NOW);
    expect(after.widgets[0]?.data).toEqual({ kind: "comparison", day: "2024-11-10", stream: 1700, batch: 1700, equal: true });
  });

  it("a widget whose query writes, or reads a table outside the catalog, shows the reason; the others still work", async () => {
    const d = await getDashboard(ctx, "double11_coupons");
    await upsertDashboard(ctx, { ...d.spec, name: "broken", widgets: [
      { id: "w1", kind: "number", layout: { x: 0, y: 0, w: 3, h: 2 }, sql: "DELETE FROM ads_coupon_daily_rt" },
      { id: "w2", kind: "number", layout: { x: 3, y: 0, w: 3, h: 2 }, sql: "SELECT COUNT(*) FROM pg_catalog.pg_tables" },
      { id: "w3", kind: "number", layout: { x: 6, y: 0, w: 3, h: 2 }, sql: "SELECT 42", delta: false },
    ] });
    const r = byId((await dashboardData(ctx, deps(), { dashboard: "broken" }, NOW)).widgets);
    expect(r.get("w1")).toMatchObject({ kind: "error" });
    expect(r.get("w2")).toMatchObject({ kind: "error" });
    expect(r.get("w3")).toEqual({ kind: "number", value: 42, previous: null });
  });

  it("upsert validates, versions and refuses a stale edit", async () => {
    await expect(upsertDashboard(ctx, { name: "x", widgets: [{ id: "a", kind: "number", layout: { x: 10, y: 0, w: 4, h: 1 }, sql: "SELECT 1" }] })).rejects.toThrow(/12 columns/);
    await expect(upsertDashboard(ctx, { name: "x", widgets: [{ id: "a", kind: "pie", layout: { x: 0, y: 0, w: 4, h: 1 } }] })).rejects.toThrow();
    const a = await upsertDashboard(ctx, { name: "x", title: "X" }, 0);
    const b = await upsertDashboard(ctx, { name: "x", title: "X2" }, a.version);
    expect(b.version).toBe(a.version + 1);
    await expect(upsertDashboard(ctx, { name: "x", title: "X3" }, a.version)).rejects.toThrow(/changed by someone else/);
    const api = demo.api();
    expect((await api.dashboards.list({ project: demo.project })).map((d) => d.name)).toContain("x");
    await api.dashboards.delete({ project: demo.project, name: "x" });
    await expect(api.dashboards.get({ project: demo.project, name: "x" })).rejects.toThrow(/not found/);
  });
});
