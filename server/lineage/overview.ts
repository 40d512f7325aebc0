import type { LineageGraph, Side } from "./graph";

// The whole graph (or one node's neighbourhood) in a compact form for drawing: tables and jobs as nodes,
// an edge per (table, job) pair carrying the sides it runs on. Columns come per table for drill-down.
// One pass over the adjacency maps; the neighbourhood is a breadth-first walk over tables and jobs.

export interface OverviewNode {
  /** `t:<table>` or `j:<job>` */
  id: string;
  kind: "table" | "job";
  name: string;
  /** The sides its edges run on (a meta-table and a job running both: both). */
  sides: Side[];
  /** Jobs: the deployed version. */
  version?: number;
  /** Tables: a meta-table (else a physical table); set by the store, which reads the catalog. */
  meta?: boolean;
  /** Tables: the columns the graph knows, sorted. */
  columns?: string[];
  /** Hops from the focus (0: the focus); absent without a focus. */
  depth?: number;
}

export interface OverviewEdge {
  /** A table read by a job (`t:… → j:…`) or written by it (`j:… → t:…`). */
  from: string;
  to: string;
  sides: Side[];
}

export interface LineageOverview {
  nodes: OverviewNode[];
  edges: OverviewEdge[];
  /** Nodes in the whole graph (the neighbourhood may show fewer). */
  total: number;
}

export const tableId = (t: string) => `t:${t}`;
export const jobId = (j: string) => `j:${j}`;

export function lineageOverview(g: LineageGraph, opts: { focus?: string; depth?: number } = {}): LineageOverview {
  const sides = new Map<string, Set<Side>>();
  const edgeSides = new Map<string, Set<Side>>();
  const adjacent = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const s = adjacent.get(x);
      if (s) s.add(y);
      else adjacent.set(x, new Set([y]));
    }
  };
  const mark = (key: string, map: Map<string, Set<Side>>, side: Side) => {
    const s = map.get(key);
    if (s) s.add(side);
    else map.set(key, new Set([side]));
  };
  for (const list of g.tablesOut.values()) {
    for (const e of list) {
      const from = tableId(e.from), job = jobId(e.job), to = tableId(e.to);
      for (const n of [from, job, to]) mark(n, sides, e.side);
      mark(`${from}\u0000${job}`, edgeSides, e.side);
      mark(`${job}\u0000${to}`, edgeSides, e.side);
      link(from, job);
      link(job, to);
    }
  }
  const columns = new Map<string, Set<string>>();
  for (const m of [g.columnsOut, g.columnsIn]) {
    for (const list of m.values()) {
      for (const e of list) {
        for (const c of [e.from, e.to]) {
          const s = columns.get(c.table);
          if (s) s.add(c.column);
          else columns.set(c.table, new Set([c.column]));
        }
      }
    }
  }
  let keep: Map<string, number> | undefined;
  if (opts.focus !== undefined && sides.has(opts.focus)) {
    keep = new Map([[opts.focus, 0]]);
    let frontier = [opts.focus];
    const max = opts.depth ?? Number.MAX_SAFE_INTEGER;
    for (let d = 1; d <= max && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of adjacent.get(n) ?? []) {
          if (!keep.has(m)) { keep.set(m, d); next.push(m); }
        }
      }
      frontier = next;
    }
  }
  const nodes: OverviewNode[] = [];
  for (const [id, s] of sides) {
    const depth = keep?.get(id);
    if (keep && depth === undefined) continue;
    const name = id.slice(2);
    const node: OverviewNode = { id, kind: id.startsWith("t:") ? "table" : "job", name, sides: [...s].sort() };
    if (node.kind === "job") node.version = g.jobs.get(name)?.version;
    else node.columns = [...(columns.get(name) ?? [])].sort();
    if (depth !== undefined) node.depth = depth;
    nodes.push(node);
  }
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  const edges: OverviewEdge[] = [];
  for (const [key, s] of edgeSides) {
    const [from = "", to = ""] = key.split("\u0000");
    if (keep && !(keep.has(from) && keep.has(to))) continue;
    edges.push({ from, to, sides: [...s].sort() });
  }
  return { nodes, edges, total: sides.size };
}
