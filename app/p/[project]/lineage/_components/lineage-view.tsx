"use client";

import "@xyflow/react/dist/style.css";
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Edge } from "@xyflow/react";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { Badge, Button, EmptyState, ErrorState, inputClass, Skeleton } from "../../../../_components/ui";
import type { RouterOutputs } from "../../../../_lib/api-types";
import { plural } from "../../../../_lib/format";
import { useTRPC } from "../../../../_lib/trpc/client";
import { useUrlParams } from "../../../../_lib/url-params";
import { adjacency, neighbourhood, nodeSize, reach, search, type Overview, type OverviewNode } from "./graph-model";
import { layout } from "./layout";
import type { Positions } from "./layout-model";
import { NODE_TYPES, sideLabel, type LineageFlowNode, type Mark } from "./nodes";
import { useTheme } from "../../../../_components/theme-toggle";

// The project's lineage: every deployed job and the tables it reads and writes, laid out left to right by
// ELK in a worker and drawn by React Flow. State in the URL: the selected node (`sel`), focus on its
// neighbourhood (`focus`, `depth`), the column whose impact is highlighted (`col`).

const DEPTHS = [1, 2, 3, 5, 10];

export function LineageView({ project }: { project: string }) {
  const trpc = useTRPC();
  const graph = useQuery(trpc.lineage.graph.queryOptions({ project }, { staleTime: 30_000 }));
  if (graph.isPending) return <GraphFrame><Skeleton className="h-full w-full" /></GraphFrame>;
  if (graph.isError) return <ErrorState error={graph.error} onRetry={() => void graph.refetch()} />;
  if (graph.data.nodes.length === 0) {
    return (
      <EmptyState title="No lineage yet">
        The graph is built from deployed jobs: deploy a job (its page, or <code className="font-mono text-xs">tandem deploy --job</code>) and the tables it reads and writes appear here.
      </EmptyState>
    );
  }
  return (
    <ReactFlowProvider>
      <LineageGraph project={project} data={graph.data} receivedAt={graph.dataUpdatedAt} />
    </ReactFlowProvider>
  );
}

function GraphFrame({ children }: { children: React.ReactNode }) {
  return <div className="h-[calc(100vh-13rem)] min-h-[28rem] overflow-hidden rounded-lg border border-slate-200 bg-white">{children}</div>;
}

function LineageGraph({ project, data, receivedAt }: { project: string; data: Overview; receivedAt: number }) {
  const trpc = useTRPC();
  const url = useUrlParams();
  const base = `/p/${encodeURIComponent(project)}`;
  const byId = useMemo(() => new Map(data.nodes.map((n) => [n.id, n])), [data]);
  const adj = useMemo(() => adjacency(data.edges), [data]);
  const rawSel = url.get("sel");
  const sel = rawSel && byId.has(rawSel) ? rawSel : null;
  const selNode = sel ? byId.get(sel) : undefined;
  const rawFocus = url.get("focus");
  const focus = rawFocus && byId.has(rawFocus) ? rawFocus : null;
  const depth = Math.max(1, Math.min(10, Number(url.get("depth") ?? 2) || 2));
  const col = selNode?.kind === "table" ? url.get("col") : null;

  const impact = useQuery({
    ...trpc.lineage.impact.queryOptions({ project, table: selNode?.name ?? "-", column: col ?? undefined }),
    enabled: Boolean(selNode && col),
  });

  const visible = useMemo(() => (focus ? neighbourhood(focus, adj, depth) : null), [focus, adj, depth]);
  const shown = useMemo(() => (visible ? data.nodes.filter((n) => visible.has(n.id)) : data.nodes), [data, visible]);
  const shownEdges = useMemo(() => (visible ? data.edges.filter((e) => visible.has(e.from) && visible.has(e.to)) : data.edges), [data, visible]);

  // Highlight: a column's impact (tables, jobs, columns), else the selected node's up- and downstream.
  const marks = useMemo(() => {
    const m = new Map<string, Mark>();
    if (!sel) return m;
    if (col && impact.data) {
      for (const t of impact.data.tables) m.set(`t:${t.table}`, "impact");
      for (const j of impact.data.jobs) m.set(`j:${j.job}`, "impact");
    } else {
      for (const n of reach(sel, adj.in)) m.set(n, "upstream");
      for (const n of reach(sel, adj.out)) m.set(n, "downstream");
    }
    m.set(sel, "selected");
    return m;
  }, [sel, col, impact.data, adj]);
  const impactedColumns = useMemo(() => {
    const by = new Map<string, Set<string>>();
    for (const c of impact.data?.columns ?? []) (by.get(c.column.table) ?? by.set(c.column.table, new Set()).get(c.column.table))?.add(c.column.column);
    return by;
  }, [impact.data]);
  // Expanded to their columns: the selected table, and the tables a column's impact reaches.
  const expanded = useMemo(() => {
    const s = new Set<string>();
    if (selNode?.kind === "table") s.add(selNode.id);
    for (const t of impactedColumns.keys()) s.add(`t:${t}`);
    return s;
  }, [selNode, impactedColumns]);

  // Layout whenever the visible nodes or their sizes change; positions arrive from the worker.
  const layoutKey = `${shown.length}|${shownEdges.length}|${focus ?? ""}|${depth}|${[...expanded].sort().join(",")}`;
  const [laid, setLaid] = useState<{ key: string; positions: Positions; ms: number } | null>(null);
  useEffect(() => {
    let live = true;
    const nodes = shown.map((n) => ({ id: n.id, ...nodeSize(n, expanded.has(n.id)) }));
    const edges = shownEdges.map((e) => ({ id: `${e.from}>${e.to}`, from: e.from, to: e.to }));
    void layout(nodes, edges).then((r) => { if (live) setLaid({ key: layoutKey, ...r }); });
    return () => { live = false; };
    // layoutKey stands for shown, shownEdges and expanded
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layoutKey]);

  const onColumn = useMemo(() => (table: string, column: string) => {
    url.set({ sel: `t:${table}`, col: column });
  }, [url]);

  const flowNodes: LineageFlowNode[] = useMemo(() => {
    if (!laid) return [];
    const anyMark = marks.size > 0;
    return shown.flatMap((n) => {
      const p = laid.positions[n.id];
      if (!p) return [];
      const size = nodeSize(n, expanded.has(n.id));
      const mark: Mark = marks.get(n.id) ?? (anyMark ? "dim" : "none");
      return [{
        id: n.id, type: n.kind, position: p, width: size.width, height: size.height, initialWidth: size.width, initialHeight: size.height,
        data: { node: n, mark, expanded: expanded.has(n.id), column: n.id === sel ? col ?? undefined : undefined, impacted: impactedColumns.get(n.name), onColumn },
        selected: n.id === sel,
      }];
    });
  }, [laid, shown, marks, expanded, sel, col, impactedColumns, onColumn]);

  const flowEdges: Edge[] = useMemo(() => shownEdges.map((e) => {
    const a = marks.get(e.from), b = marks.get(e.to);
    const lit = a !== undefined && b !== undefined;
    const side = sideLabel(e.sides);
    return {
      id: `${e.from}>${e.to}`, source: e.from, target: e.to,
      style: {
        stroke: lit ? (a === "impact" || b === "impact" ? "var(--color-rose-500)" : "var(--color-indigo-500)") : "var(--color-slate-400)",
        strokeWidth: lit ? 2 : 1.2,
        strokeDasharray: side === "stream" ? "5 4" : undefined,
        opacity: marks.size > 0 && !lit ? 0.25 : 1,
      },
    };
  }), [shownEdges, marks]);

  const [draw, setDraw] = useState<{ key: string; ms: number } | null>(null);
  const flow = useReactFlow();
  const theme = useTheme();
  const fittedKey = useRef<string | null>(null);

  return (
    <div className="flex flex-col gap-3 lg:flex-row">
      <div className="min-w-0 flex-1">
        <Toolbar
          data={data} shownCount={shown.length} focus={focus} depth={depth}
          onPick={(n) => {
            url.set({ sel: n.id, col: null });
            const p = laid?.positions[n.id];
            if (p && (!visible || visible.has(n.id))) void flow.setCenter(p.x + 100, p.y + 20, { zoom: 1.1, duration: 250 });
            else if (visible && !visible.has(n.id)) url.set({ sel: n.id, col: null, focus: n.id });
          }}
          onDepth={(d) => url.set({ depth: d === 2 ? null : d })}
          onShowAll={() => url.set({ focus: null })}
        />
        <div
          className="relative h-[calc(100vh-15rem)] min-h-[28rem] overflow-hidden rounded-lg border border-slate-200 bg-slate-50"
          data-testid="lineage-graph"
          data-state={!laid ? "laying-out" : draw?.key === laid.key ? "drawn" : "drawing"}
          data-nodes={flowNodes.length}
          data-layout-ms={laid ? Math.round(laid.ms) : undefined}
          data-draw-ms={draw ? Math.round(draw.ms) : undefined}
        >
          {!laid ? <div className="absolute inset-0 grid place-items-center text-sm text-slate-500" role="status">Laying out {plural(shown.length, "node")}…</div> : null}
          <ReactFlow
            nodes={flowNodes}
            edges={flowEdges}
            nodeTypes={NODE_TYPES}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable
            onlyRenderVisibleElements={flowNodes.length > 200}
            minZoom={0.05}
            maxZoom={2}
            onNodeClick={(_, n) => url.set({ sel: n.id === sel ? null : n.id, col: null })}
            onPaneClick={() => { if (sel) url.set({ sel: null, col: null }); }}
            aria-label="Lineage graph"
            colorMode={theme}
          >
            <Background gap={24} size={1} color="var(--color-slate-300)" />
            <Controls showInteractive={false} />
            {laid ? (
              <DrawProbe
                layoutKey={laid.key}
                count={flowNodes.length}
                onDrawn={() => {
                  if (fittedKey.current !== laid.key) {
                    fittedKey.current = laid.key;
                    void flow.fitView({ padding: 0.08, maxZoom: 1.2 });
                  }
                  setDraw({ key: laid.key, ms: Date.now() - receivedAt });
                }}
              />
            ) : null}
          </ReactFlow>
          <Legend />
        </div>
      </div>
      <aside className="w-full shrink-0 lg:w-80" aria-label="Selection">
        <Details
          base={base} node={selNode} col={col} impact={impact} upstream={sel ? reach(sel, adj.in).size : 0} downstream={sel ? reach(sel, adj.out).size : 0}
          focused={focus === sel && sel !== null}
          onFocus={() => url.set({ focus: sel })}
          onColumn={(c) => url.set({ col: c === col ? null : c })}
          total={data.total}
        />
      </aside>
    </div>
  );
}

/**
 * Calls onDrawn once the laid-out nodes are on screen: React Flow keeps a node hidden until it has measured
 * it, so this waits (frame by frame) until no node in the pane is hidden, then one more frame for the paint.
 */
function DrawProbe({ layoutKey, count, onDrawn }: { layoutKey: string; count: number; onDrawn: () => void }) {
  const done = useRef<string | null>(null);
  const cb = useRef(onDrawn);
  useEffect(() => { cb.current = onDrawn; });
  useEffect(() => {
    if (done.current === layoutKey) return;
    let frame = 0;
    const check = () => {
      const pane = document.querySelector('[data-testid="lineage-graph"]');
      const nodes = pane?.querySelectorAll<HTMLElement>(".react-flow__node") ?? [];
      const hidden = [...nodes].some((n) => n.style.visibility === "hidden");
      if ((nodes.length > 0 || count === 0) && !hidden) {
        done.current = layoutKey;
        frame = requestAnimationFrame(() => cb.current());
      } else frame = requestAnimationFrame(check);
    };
    frame = requestAnimationFrame(check);
    return () => cancelAnimationFrame(frame);
  }, [layoutKey, count]);
  return null;
}

function Legend() {
  return (
    <div className="pointer-events-none absolute top-2 right-2 flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-slate-200 bg-white/90 px-2.5 py-1.5 text-[11px] text-slate-600">
      <span className="flex items-center gap-1"><span className="h-2.5 w-2.5 rounded-sm bg-sky-400" />upstream</span>
      <span className="flex items-center gap-1"><span className="h-2.5 w-2.5 rounded-sm bg-emerald-500" />downstream</span>
      <span className="flex items-center gap-1"><span className="h-2.5 w-2.5 rounded-sm bg-rose-500" />column impact</span>
      <span className="flex items-center gap-1"><svg width="18" height="6" aria-hidden><line x1="0" y1="3" x2="18" y2="3" stroke="currentColor" strokeDasharray="5 4" /></svg>stream only</span>
    </div>
  );
}

function Toolbar({ data, shownCount, focus, depth, onPick, onDepth, onShowAll }: {
  data: Overview; shownCount: number; focus: string | null; depth: number;
  onPick: (n: OverviewNode) => void; onDepth: (d: number) => void; onShowAll: () => void;
}) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const matches = useMemo(() => search(data.nodes, text), [data, text]);
  const pick = (n: OverviewNode | undefined) => {
    if (!n) return;
    onPick(n);
    setText(n.name);
    setOpen(false);
  };
  return (
    <div className="mb-2 flex flex-wrap items-center gap-2">
      <div className="relative w-72">
        <input
          type="search"
          role="combobox"
          aria-expanded={open && matches.length > 0}
          aria-controls="lineage-search-list"
          aria-label="Find a table or job"
          placeholder="Find a table, job or column…"
          className={inputClass}
          value={text}
          onChange={(e) => { setText(e.target.value); setOpen(true); setActive(0); }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") { e.preventDefault(); setActive((a) => Math.min(a + 1, matches.length - 1)); }
            if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
            if (e.key === "Enter") { e.preventDefault(); pick(matches[active]); }
            if (e.key === "Escape") setOpen(false);
          }}
        />
        {open && matches.length > 0 ? (
          <ul id="lineage-search-list" role="listbox" className="absolute z-20 mt-1 w-full overflow-hidden rounded-md border border-slate-200 bg-white py-1 shadow-lg">
            {matches.map((n, i) => (
              <li key={n.id} role="option" aria-selected={i === active}>
                <button type="button" onMouseDown={(e) => { e.preventDefault(); pick(n); }} className={`flex w-full items-center gap-2 px-2.5 py-1.5 text-left text-sm ${i === active ? "bg-indigo-50" : "hover:bg-slate-50"}`}>
                  <span className="min-w-0 flex-1 truncate font-mono text-[12.5px]">{n.name}</span>
                  <span className="shrink-0 text-xs text-slate-500">{n.kind === "job" ? "job" : n.meta ? "meta-table" : "table"}</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <label className="flex items-center gap-1.5 text-sm text-slate-600">
        Depth
        <select aria-label="Neighbourhood depth" className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm" value={depth} onChange={(e) => onDepth(Number(e.target.value))}>
          {DEPTHS.map((d) => <option key={d} value={d}>{d} hop{d === 1 ? "" : "s"}</option>)}
        </select>
      </label>
      {focus ? (
        <span className="flex items-center gap-2 text-sm text-slate-600">
          <Badge tone="indigo">focus: {focus.slice(2)}</Badge>
          <Button size="sm" onClick={onShowAll}>Show all</Button>
        </span>
      ) : null}
      <span className="ml-auto text-xs text-slate-500">{shownCount === data.total ? plural(data.total, "node") : `${shownCount} of ${plural(data.total, "node")}`}</span>
    </div>
  );
}

type ImpactQuery = Pick<UseQueryResult<RouterOutputs["lineage"]["impact"], unknown>, "isError" | "error" | "data">;

function Details({ base, node, col, impact, upstream, downstream, focused, onFocus, onColumn, total }: {
  base: string; node: OverviewNode | undefined; col: string | null; impact: ImpactQuery; upstream: number; downstream: number;
  focused: boolean; onFocus: () => void; onColumn: (c: string) => void; total: number;
}) {
  if (!node) {
    return (
      <div className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600">
        <p className="font-medium text-slate-800">{plural(total, "node")} in the graph</p>
        <p className="mt-1">Select a table or job to see what feeds it and what it feeds. Select a table, then one of its columns, to see every column derived from it downstream.</p>
      </div>
    );
  }
  const href = node.kind === "job" ? `${base}/jobs/${encodeURIComponent(node.name)}` : node.meta ? `${base}/meta-tables/${encodeURIComponent(node.name)}` : `${base}/tables/${encodeURIComponent(node.name)}`;
  const side = sideLabel(node.sides);
  return (
    <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <div>
        <p className="text-xs text-slate-500">{node.kind === "job" ? `job v${node.version ?? "?"}` : node.meta ? "meta-table" : "physical table"} · {side === "both" ? "stream and batch" : side}</p>
        <Link href={href} className="block truncate font-mono text-[13px] font-medium text-indigo-700 hover:underline" title={node.name}>{node.name}</Link>
      </div>
      <p className="text-slate-600"><span className="text-sky-700">{upstream} upstream</span> · <span className="text-emerald-700">{downstream} downstream</span></p>
      <Button size="sm" onClick={onFocus} disabled={focused}>{focused ? "Focused on its neighbourhood" : "Focus on its neighbourhood"}</Button>
      {node.kind === "table" && (node.columns?.length ?? 0) > 0 ? (
        <div>
          <p className="mb-1 text-xs font-medium text-slate-600">Columns: pick one for its impact</p>
          <ul className="flex flex-wrap gap-1" aria-label="Columns">
            {(node.columns ?? []).map((c) => (
              <li key={c}>
                <button type="button" aria-pressed={c === col} onClick={() => onColumn(c)} className={`rounded border px-1.5 py-0.5 font-mono text-[11.5px] ${c === col ? "border-indigo-600 bg-indigo-600 text-white" : "border-slate-200 text-slate-700 hover:bg-slate-100"}`}>{c}</button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {col ? (
        <section aria-label="Column impact" className="border-t border-slate-100 pt-3">
          <p className="text-xs font-medium text-slate-600">Impact of <span className="font-mono">{node.name}.{col}</span></p>
          {impact.isError ? <ErrorState error={impact.error} /> : !impact.data ? <Skeleton className="mt-2 h-16 w-full" /> : (
            impact.data.columns?.length ? (
              <>
                <ul className="mt-1.5 max-h-64 space-y-0.5 overflow-y-auto" aria-label="Impacted columns">
                  {impact.data.columns.map((c) => (
                    <li key={`${c.column.table}.${c.column.column}`} className="flex items-center gap-2">
                      <span className="min-w-0 flex-1 truncate font-mono text-[12px] text-rose-800" title={`${c.column.table}.${c.column.column}`}>{c.column.table}.{c.column.column}</span>
                      <span className="shrink-0 text-[11px] text-slate-500">{c.depth} hop{c.depth === 1 ? "" : "s"}</span>
                    </li>
                  ))}
                </ul>
                <p className="mt-2 text-xs text-slate-500">Jobs affected: {impact.data.jobs.map((j) => j.job).join(", ") || "none"}</p>
              </>
            ) : <p className="mt-1 text-slate-500">No column downstream is derived from it.</p>
          )}
        </section>
      ) : null}
    </div>
  );
}
