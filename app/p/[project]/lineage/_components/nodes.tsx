"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { cx } from "../../../../_components/ui";
import { COLUMN_ROW, HEADER_HEIGHT, MAX_COLUMN_ROWS, type OverviewNode } from "./graph-model";

// The two kinds of node: a table (expandable to its columns; a column is a button that asks for its
// impact) and a job. Their look says the side (stream sky, batch amber, both violet) and the highlight.

export type Mark = "none" | "selected" | "upstream" | "downstream" | "impact" | "dim";

export interface LineageNodeData extends Record<string, unknown> {
  node: OverviewNode;
  mark: Mark;
  expanded: boolean;
  /** The column whose impact is shown (on its own table), and the impacted columns of this table. */
  column?: string;
  impacted?: ReadonlySet<string>;
  onColumn?: (table: string, column: string) => void;
}

export type LineageFlowNode = Node<LineageNodeData, "table" | "job">;

const SIDE_TONE: Record<string, string> = { stream: "bg-sky-100 text-sky-800", batch: "bg-amber-100 text-amber-900", both: "bg-violet-100 text-violet-800" };

export function sideLabel(sides: readonly string[]): "stream" | "batch" | "both" {
  return sides.length > 1 ? "both" : sides[0] === "stream" ? "stream" : "batch";
}

const MARK_RING: Record<Mark, string> = {
  none: "border-slate-300",
  selected: "border-indigo-600 ring-2 ring-indigo-500/40",
  upstream: "border-sky-500 ring-1 ring-sky-400/50",
  downstream: "border-emerald-500 ring-1 ring-emerald-400/50",
  impact: "border-rose-500 ring-2 ring-rose-400/40",
  dim: "border-slate-200 opacity-35",
};

function SideChip({ sides }: { sides: readonly string[] }) {
  const s = sideLabel(sides);
  return <span className={cx("shrink-0 rounded px-1 text-[10px] leading-4 font-medium", SIDE_TONE[s])}>{s === "both" ? "stream+batch" : s}</span>;
}

export const TableNode = memo(function TableNode({ data }: NodeProps<LineageFlowNode>) {
  const { node, mark, expanded, column, impacted, onColumn } = data;
  const cols = node.columns ?? [];
  return (
    <div data-node-id={node.id} data-mark={mark} className={cx("rounded-md border bg-white text-left shadow-xs", MARK_RING[mark])} style={{ width: "100%" }}>
      <Handle type="target" position={Position.Left} className="!h-2 !w-2 !border-0 !bg-slate-400" />
      <div className="flex items-center gap-1.5 px-2.5" style={{ height: HEADER_HEIGHT }}>
        <svg aria-hidden viewBox="0 0 24 24" className="h-4 w-4 shrink-0 text-slate-500" fill="none" stroke="currentColor" strokeWidth={1.8}><path d="M4 6h16M4 12h16M4 18h16M4 4v16M20 4v16" /></svg>
        <div className="min-w-0 flex-1">
          <p className="truncate font-mono text-[12px] font-medium text-slate-900" title={node.name}>{node.name}</p>
          <p className="flex items-center gap-1 text-[10px] text-slate-500"><span>{node.meta ? "meta-table" : "table"}</span><SideChip sides={node.sides} />{cols.length ? <span>· {cols.length} col</span> : null}</p>
        </div>
      </div>
      {expanded && cols.length > 0 ? (
        <ul className="nowheel nodrag overflow-y-auto border-t border-slate-100 px-1 py-1" style={{ maxHeight: MAX_COLUMN_ROWS * COLUMN_ROW }} aria-label={`Columns of ${node.name}`}>
          {cols.map((c) => {
            const isStart = column === c;
            const hit = impacted?.has(c) ?? false;
            return (
              <li key={c} style={{ height: COLUMN_ROW }}>
                <button
                  type="button"
                  onClick={(e) => { e.stopPropagation(); onColumn?.(node.name, c); }}
                  aria-pressed={isStart}
                  className={cx("flex h-full w-full items-center rounded px-1.5 text-left font-mono text-[11.5px]",
                    isStart ? "bg-indigo-600 text-white" : hit ? "bg-rose-100 font-medium text-rose-800" : "text-slate-700 hover:bg-slate-100")}
                >
                  <span className="truncate">{c}</span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
      <Handle type="source" position={Position.Right} className="!h-2 !w-2 !border-0 !bg-slate-400" />
    </div>
  );
});

export const JobNode = memo(function JobNode({ data }: NodeProps<LineageFlowNode>) {
  const { node, mark } = data;
  return (
    <div data-node-id={node.id} data-mark={mark} className={cx("flex items-center gap-1.5 rounded-xl border bg-slate-50 px-3 shadow-xs", MARK_RING[mark])} style={{ height: HEADER_HEIGHT }}>
      <Handle type="target" position={Position.Left} className="!h-2 !w-2 !border-0 !bg-slate-400" />
      <svg aria-hidden viewBox="0 0 24 24" className="h-4 w-4 shrink-0 text-indigo-600" fill="none" stroke="currentColor" strokeWidth={1.8}><path d="M13 3L4 14h7l-1 7 9-11h-7z" /></svg>
      <div className="min-w-0 flex-1">
        <p className="truncate font-mono text-[12px] font-medium text-slate-900" title={node.name}>{node.name}</p>
        <p className="flex items-center gap-1 text-[10px] text-slate-500"><span>job v{node.version ?? "?"}</span><SideChip sides={node.sides} /></p>
      </div>
      <Handle type="source" position={Position.Right} className="!h-2 !w-2 !border-0 !bg-slate-400" />
    </div>
  );
});

export const NODE_TYPES = { table: TableNode, job: JobNode };
