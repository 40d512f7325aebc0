import type { ElkNode } from "elkjs/lib/elk-api";

// What the layout needs (sizes and edges) and what it returns (top-left positions), shared by the worker
// and the main-thread fallback. Layered, left to right: sources on the left, sinks on the right.

export interface LayoutRequest {
  id: number;
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; from: string; to: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

const OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.spacing.nodeNode": "14",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.spacing.componentComponent": "28",
  "elk.layered.thoroughness": "2",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.separateConnectedComponents": "true",
};

export function elkGraph(r: LayoutRequest): ElkNode {
  return {
    id: "root",
    layoutOptions: OPTIONS,
    children: r.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: r.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
}

export function positionsOf(laid: ElkNode): Positions {
  const out: Positions = {};
  for (const c of laid.children ?? []) out[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return out;
}
