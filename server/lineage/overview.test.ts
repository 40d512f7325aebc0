import { describe, expect, it } from "vitest";
import type { Lineage } from "../sql/lineage";
import { buildLineageGraph, type DeployedLineage } from "./graph";
import { lineageOverview } from "./overview";

// The drawing form of the graph: one node per table and job, one edge per (table, job) pair with its
// sides, the columns each table is known by, and a focus that keeps only the nodes within `depth` hops.

function job(name: string, sources: string[], sink: string, stream = false): DeployedLineage {
  const lineage: Lineage = {
    tables: [{ statement: 0, sink, sources }],
    columns: [{ statement: 0, sink: { table: sink, column: "id" }, transform: "identity", sources: sources.map((s) => ({ table: s, column: "id" })), physical: { stream: null, batch: null } }],
  };
  return { job: name, version: 2, sides: stream ? ["stream", "batch"] : ["batch"], lineage };
}

const g = buildLineageGraph([job("a", ["src"], "mid", true), job("b", ["mid"], "out"), job("c", ["out"], "end")]);

describe("lineage overview", () => {
  it("draws tables and jobs with the sides of their edges", () => {
    const o = lineageOverview(g);
    expect(o.total).toBe(7);
    expect(o.nodes.map((n) => n.id)).toEqual(["j:a", "j:b", "j:c", "t:end", "t:mid", "t:out", "t:src"]);
    expect(o.nodes.find((n) => n.id === "j:a")).toMatchObject({ kind: "job", sides: ["batch", "stream"], version: 2 });
    expect(o.nodes.find((n) => n.id === "t:out")).toMatchObject({ kind: "table", sides: ["batch"], columns: ["id"] });
    expect(o.edges).toContainEqual({ from: "t:src", to: "j:a", sides: ["batch", "stream"] });
    expect(o.edges).toContainEqual({ from: "j:b", to: "t:out", sides: ["batch"] });
    expect(o.edges).toHaveLength(6);
  });

  it("keeps a node's neighbourhood within depth hops, both ways", () => {
    const o = lineageOverview(g, { focus: "t:mid", depth: 2 });
    expect(o.nodes.map((n) => `${n.id}@${String(n.depth)}`).sort()).toEqual(["j:a@1", "j:b@1", "t:mid@0", "t:out@2", "t:src@2"]);
    expect(o.edges).toHaveLength(4);
    expect(o.total).toBe(7);
  });
});
