import type { RouterOutputs } from "../../../../_lib/api-types";

// Pure helpers over the graph the server sends (lineage.graph): adjacency, what a node reaches up- and
// downstream, search, and node sizes for the layout.

export type Overview = RouterOutputs["lineage"]["graph"];
export type OverviewNode = Overview["nodes"][number];
export type OverviewEdge = Overview["edges"][number];

export const TABLE_WIDTH = 240;
export const JOB_WIDTH = 220;
export const HEADER_HEIGHT = 44;
export const COLUMN_ROW = 24;
/** Columns listed in an expanded table node (more scroll inside it). */
export const MAX_COLUMN_ROWS = 12;

export function nodeSize(n: OverviewNode, expanded: boolean): { width: number; height: number } {
  if (n.kind === "job") return { width: JOB_WIDTH, height: HEADER_HEIGHT };
  const rows = expanded ? Math.min(n.columns?.length ?? 0, MAX_COLUMN_ROWS) : 0;
  return { width: TABLE_WIDTH, height: HEADER_HEIGHT + (rows > 0 ? rows * COLUMN_ROW + 8 : 0) };
}

export interface Adjacency {
  out: Map<string, string[]>;
  in: Map<string, string[]>;
}

export function adjacency(edges: readonly OverviewEdge[]): Adjacency {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const e of edges) {
    (out.get(e.from) ?? out.set(e.from, []).get(e.from))?.push(e.to);
    (inn.get(e.to) ?? inn.set(e.to, []).get(e.to))?.push(e.from);
  }
  return { out, in: inn };
}

/** Every node reached from `start` following `step` (transitive), without the start. */
export function reach(start: string, step: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    for (const m of step.get(n) ?? []) if (!seen.has(m)) { seen.add(m); stack.push(m); }
  }
  seen.delete(start);
  return seen;
}

/** Nodes within `depth` hops of `focus`, either direction. */
export function neighbourhood(focus: string, adj: Adjacency, depth: number): Set<string> {
  const keep = new Set([focus]);
  let frontier = [focus];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const n of frontier) for (const m of [...(adj.out.get(n) ?? []), ...(adj.in.get(n) ?? [])]) if (!keep.has(m)) { keep.add(m); next.push(m); }
    frontier = next;
  }
  return keep;
}

/** Best matches first: exact name, prefix, then substring; at most `limit`. */
export function search(nodes: readonly OverviewNode[], text: string, limit = 8): OverviewNode[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  const scored: [number, OverviewNode][] = [];
  for (const n of nodes) {
    const name = n.name.toLowerCase();
    const score = name === q ? 0 : name.startsWith(q) ? 1 : name.includes(q) ? 2 : (n.columns ?? []).some((c) => c.toLowerCase().includes(q)) ? 3 : -1;
    if (score >= 0) scored.push([score, n]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name)).slice(0, limit).map(([, n]) => n);
}
