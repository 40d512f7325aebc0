import { describe, expect, it } from "vitest";
import type { ColumnLineage, Lineage } from "../sql/lineage";
import { buildLineageGraph, impactOf, walkColumns, walkTables, type DeployedLineage } from "./graph";

// The lineage graph's queries on hand-made deployed versions: a chain of jobs across tables, physical
// sides, column-level impact across jobs, depth limits, and a cycle that must end the walk.

const col = (table: string, column: string) => ({ table, column });

/** One statement `sink(cols) <- sources`, each sink column computed from the same-named column of the first source. */
function job(name: string, sources: string[], sink: string, cols: string[], opts: { version?: number; stream?: boolean; physical?: { batch: [string, string] } } = {}): DeployedLineage {
  const first = sources[0] as string;
  const columns: ColumnLineage[] = cols.map((c) => ({
    statement: 0, sink: col(sink, c), transform: "identity", sources: [col(first, c)],
    physical: {
      stream: null,
      batch: opts.physical ? { sink: col(opts.physical.batch[1], c), sources: [col(opts.physical.batch[0], c)] } : null,
    },
  }));
  const lineage: Lineage = { tables: [{ statement: 0, sink, sources }], columns };
  return { job: name, version: opts.version ?? 1, sides: opts.stream ? ["stream", "batch"] : ["batch"], lineage };
}

const g = buildLineageGraph([
  job("load_orders", ["ods_orders"], "dwd_orders", ["id", "amount"], { stream: true, physical: { batch: ["ods_orders_di", "dwd_orders_di"] } }),
  job("daily_gmv", ["dwd_orders", "dim_shop"], "dws_gmv", ["amount"], { version: 3 }),
  job("report", ["dws_gmv"], "ads_report", ["amount"]),
]);

describe("lineage graph", () => {
  it("walks downstream across jobs, nearest first, with the jobs, versions and sides on the way", () => {
    const w = walkTables(g, "ods_orders", "downstream");
    expect(w.tables).toEqual([{ table: "dwd_orders", depth: 1 }, { table: "dws_gmv", depth: 2 }, { table: "ads_report", depth: 3 }]);
    expect(w.jobs).toEqual([
      { job: "load_orders", version: 1, sides: ["batch", "stream"], depth: 1 },
      { job: "daily_gmv", version: 3, sides: ["batch"], depth: 2 },
      { job: "report", version: 1, sides: ["batch"], depth: 3 },
    ]);
    expect(w.edges.filter((e) => e.job === "load_orders").map((e) => e.side).sort()).toEqual(["batch", "stream"]);
  });

  it("walks upstream and stops at the depth asked", () => {
    expect(walkTables(g, "ads_report", "upstream").tables.map((t) => t.table)).toEqual(["dws_gmv", "dwd_orders", "dim_shop", "ods_orders"]);
    expect(walkTables(g, "ads_report", "upstream", 1).tables).toEqual([{ table: "dws_gmv", depth: 1 }]);
  });

  it("connects physical tables of a side through the physical column lineage", () => {
    const w = walkTables(g, "ods_orders_di", "downstream");
    expect(w.tables).toEqual([{ table: "dwd_orders_di", depth: 1 }]);
    expect(w.edges.map((e) => e.side)).toEqual(["batch"]);
  });

  it("gives a column's impact: the downstream columns derived from it, across jobs", () => {
    const i = impactOf(g, "ods_orders", { column: "amount" });
    expect(i.columns?.map((c) => `${c.column.table}.${c.column.column}@${c.depth}`)).toEqual(["dwd_orders.amount@1", "dws_gmv.amount@2", "ads_report.amount@3"]);
    expect(i.jobs.map((j) => j.job)).toEqual(["load_orders", "daily_gmv", "report"]);
    // `id` feeds nothing past dwd_orders.
    expect(impactOf(g, "ods_orders", { column: "id" }).columns?.map((c) => c.column.table)).toEqual(["dwd_orders"]);
    expect(impactOf(g, "ods_orders").tables.map((t) => t.table)).toEqual(["dwd_orders", "dws_gmv", "ads_report"]);
  });

  it("walks all columns of a table when no column is named", () => {
    const w = walkColumns(g, "dws_gmv", "upstream");
    expect(w.columns).toEqual(["dws_gmv.amount"]);
    expect(w.reached.map((r) => `${r.column.table}.${r.column.column}`)).toEqual(["dwd_orders.amount", "ods_orders.amount"]);
  });

  it("ends a walk around a cycle, each table once", () => {
    const loop = buildLineageGraph([job("a", ["t1"], "t2", ["x"]), job("b", ["t2"], "t3", ["x"]), job("c", ["t3"], "t1", ["x"])]);
    expect(walkTables(loop, "t1", "downstream").tables).toEqual([{ table: "t2", depth: 1 }, { table: "t3", depth: 2 }]);
    expect(walkTables(loop, "t1", "upstream").tables.map((t) => t.table)).toEqual(["t3", "t2"]);
    expect(impactOf(loop, "t1", { column: "x" }).columns?.map((c) => c.column.table)).toEqual(["t2", "t3"]);
  });

  it("returns nothing for a table no job touches", () => {
    expect(walkTables(g, "nowhere", "downstream")).toMatchObject({ tables: [], edges: [], jobs: [] });
  });
});
