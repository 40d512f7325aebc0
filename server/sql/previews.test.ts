import { describe, expect, it } from "vitest";
import { demoCatalog } from "../engines/testing/helpers";
import { ddlOf, metaTableViewPreviews } from "./previews";

// The previews the workbench shows while a table or meta-table is edited come from the functions the
// translated scripts use: same DDL, same views, secrets masked, and a draft that is not complete yet says why.

describe("catalog previews", () => {
  const catalog = demoCatalog();

  it("gives a meta-table's per-side views as the scripts declare them", () => {
    const meta = catalog.metaTables.get("mix_coupon_events");
    const { views, issues } = metaTableViewPreviews(meta);
    expect(issues).toEqual([]);
    expect(views.map((v) => v.side)).toEqual(["stream", "batch"]);
    expect(views.find((v) => v.side === "batch")?.sql).toMatch(/^CREATE TEMPORARY VIEW mix_coupon_events AS\nSELECT\n/);
    expect(views.find((v) => v.side === "batch")?.sql).toContain("CAST(user_id AS BIGINT) AS user_id");
    expect(views.find((v) => v.side === "batch")?.sql).toContain("'batch' AS __mode");
    expect(views.find((v) => v.side === "stream")?.sql).toContain("'stream' AS __mode");
  });

  it("says what an incomplete meta-table lacks instead of a view", () => {
    const { views, issues } = metaTableViewPreviews({ name: "", columns: [] });
    expect(views).toEqual([]);
    expect(issues[0]?.path).toBe("name");
  });

  it("gives a table's DDL with the connection's options first and its secrets masked", () => {
    const table = catalog.physicalTables.get("ads_coupon_daily_rt");
    if (!table) throw new Error("demo table missing");
    const preview = ddlOf(table, catalog.connections.get(table.connection));
    expect(preview.ddl).toMatch(/^CREATE TABLE ads_coupon_daily_rt \(/);
    expect(preview.ddl).toContain("'password' = '******'");
    expect(preview.options[0]).toEqual({ key: "connector", value: "jdbc", from: "connection" });
    expect(preview.options.find((o) => o.key === "table-name")).toEqual({ key: "table-name", value: "ads_coupon_daily_rt", from: "table" });
  });
});
