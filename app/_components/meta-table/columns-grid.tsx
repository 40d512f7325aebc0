"use client";

import type { ReactNode } from "react";
import type { PhysicalTable } from "../../_lib/api-types";
import { Badge, Button, cx, FieldErrors, inputBase, monoInputBase, monoInputClass } from "../ui";
import type { LocatedIssue } from "./editor";
import { blankColumn, FLINK_TYPES, type Cell, type Draft, type LogicalColumn, type MappingKind, type Side } from "./model";

// One row per logical column: the column itself on the left, then how each side fills it. In a mixed
// meta-table the stream side and the batch side sit next to each other so they can be compared row
// by row; the reserved __mode row closes the grid.

const GRID: Record<number, string> = {
  1: "grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]",
  2: "grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)]",
};

const SIDE_TITLE: Record<Side, string> = { source: "Source", stream: "Stream side", batch: "Batch side" };
const SIDE_DOT: Record<Side, string> = { source: "bg-slate-400", stream: "bg-sky-500", batch: "bg-amber-500" };

export function ColumnsGrid({ draft, sides, physical, issues, onDraft, onCell, renderPicker }: {
  project: string;
  draft: Draft;
  sides: Side[];
  physical: Record<Side, PhysicalTable | undefined>;
  issues: LocatedIssue[];
  tableErrors: (side: Side) => string[];
  onDraft: (fn: (d: Draft) => Draft) => void;
  onCell: (side: Side, columnId: string, cell: Cell) => void;
  renderPicker: (side: Side) => ReactNode;
}) {
  const grid = GRID[sides.length] ?? GRID[2];
  const columnErrors = (id: string) => issues.filter((i) => i.target.at === "column" && i.target.columnId === id).map((i) => i.message);
  const cellErrors = (side: Side, id: string) => issues.filter((i) => i.target.at === "cell" && i.target.side === side && i.target.columnId === id).map((i) => i.message);
  const setColumn = (id: string, patch: Partial<LogicalColumn>) => onDraft((d) => ({ ...d, columns: d.columns.map((c) => (c.id === id ? { ...c, ...patch } : c)) }));
  const move = (index: number, delta: number) => onDraft((d) => {
    const cols = [...d.columns];
    const [moved] = cols.splice(index, 1);
    if (!moved) return d;
    cols.splice(Math.max(0, Math.min(cols.length, index + delta)), 0, moved);
    return { ...d, columns: cols };
  });
  const remove = (id: string) => onDraft((d) => ({ ...d, columns: d.columns.length > 1 ? d.columns.filter((c) => c.id !== id) : [blankColumn()] }));

  return (
    <div role="table" aria-label="Columns and mappings" className="text-sm">
      <div role="row" className={cx("grid gap-x-4 border-b border-slate-200 bg-slate-50 px-4 py-3", grid)}>
        <div role="columnheader" className="self-end pb-1">
          <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Logical column</p>
          <p className="text-xs text-slate-400">name · Flink type · description</p>
        </div>
        {sides.map((side) => (
          <div role="columnheader" key={side} className="min-w-0">
            <p className="mb-1.5 flex items-center gap-1.5 text-xs font-semibold tracking-wide text-slate-500 uppercase">
              <span aria-hidden className={cx("h-2 w-2 rounded-full", SIDE_DOT[side])} />{SIDE_TITLE[side]}
            </p>
            {renderPicker(side)}
          </div>
        ))}
      </div>

      <datalist id="flink-types">{FLINK_TYPES.map((t) => <option key={t} value={t} />)}</datalist>

      {draft.columns.map((col, i) => {
        const label = col.name.trim() || `column ${i + 1}`;
        const errors = columnErrors(col.id);
        return (
          <div role="row" key={col.id} data-column={col.name} className={cx("grid gap-x-4 border-b border-slate-100 px-4 py-2.5 hover:bg-slate-50/60", grid)}>
            <div role="cell" className="min-w-0">
              <div className="flex items-center gap-1.5">
                <span className="w-5 shrink-0 text-right text-xs text-slate-400 tabular-nums">{i + 1}</span>
                <input aria-label={`Logical column ${i + 1} name`} value={col.name} placeholder="column_name" aria-invalid={errors.length > 0}
                  className={cx(monoInputBase, "w-0 min-w-[6rem] flex-1")} onChange={(e) => setColumn(col.id, { name: e.target.value })} />
                <input aria-label={`Logical column ${i + 1} type`} value={col.type} list="flink-types" placeholder="STRING" title={col.type}
                  // As wide as its type (TIMESTAMP_LTZ(3) is not clipped); the name takes the rest.
                  style={{ flexBasis: `${Math.min(Math.max(col.type.length, 8), 24) + 5}ch` }}
                  className={cx(monoInputBase, "w-0 min-w-0 shrink-0")} onChange={(e) => setColumn(col.id, { type: e.target.value })} />
              </div>
              <div className="mt-1 flex items-center gap-1.5 pl-6.5">
                <input aria-label={`Logical column ${i + 1} description`} value={col.description} placeholder="Add a description…"
                  className="block w-0 min-w-0 flex-1 rounded border-0 bg-transparent px-1 py-0.5 text-xs text-slate-600 placeholder:text-slate-300 hover:bg-white focus:bg-white focus:ring-1 focus:ring-indigo-400 focus:outline-none"
                  onChange={(e) => setColumn(col.id, { description: e.target.value })} />
                <div className="flex shrink-0">
                  <IconButton label={`Move ${label} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</IconButton>
                  <IconButton label={`Move ${label} down`} disabled={i === draft.columns.length - 1} onClick={() => move(i, 1)}>↓</IconButton>
                  <IconButton label={`Remove ${label}`} onClick={() => remove(col.id)}>×</IconButton>
                </div>
              </div>
              <div className="ml-6.5"><FieldErrors messages={errors} /></div>
            </div>
            {sides.map((side) => (
              <MappingCell key={side} side={side} column={label} cell={draft[side].cells[col.id]} table={physical[side]}
                errors={cellErrors(side, col.id)} onChange={(cell) => onCell(side, col.id, cell)} />
            ))}
          </div>
        );
      })}

      {sides.length === 2 ? (
        <div role="row" className={cx("grid items-center gap-x-4 border-b border-slate-100 bg-slate-50/70 px-4 py-2.5", grid)} aria-label="__mode (reserved)">
          <div role="cell" className="flex items-center gap-2 pl-6.5">
            <code className="font-mono text-[13px] text-slate-700">__mode</code>
            <code className="font-mono text-xs text-slate-500">STRING</code>
            <Badge tone="violet" title="Added to every mixed meta-table; use it in SQL to branch on the side, e.g. WHERE __mode = 'stream'">reserved</Badge>
          </div>
          {sides.map((side) => (
            <div role="cell" key={side} className="flex items-center gap-2">
              <span className="w-[5.75rem] shrink-0 pl-2.5 text-xs text-slate-500">constant</span>
              <input aria-label={`${side} value of __mode`} readOnly value={`'${side}'`} className={cx(monoInputClass, "bg-slate-100 text-slate-600")} />
            </div>
          ))}
        </div>
      ) : null}

      <div className="px-4 py-2.5">
        <Button size="sm" onClick={() => onDraft((d) => ({ ...d, columns: [...d.columns, blankColumn()] }))}>+ Add column</Button>
      </div>
    </div>
  );
}

function IconButton({ label, onClick, disabled, children }: { label: string; onClick: () => void; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="button" aria-label={label} title={label} onClick={onClick} disabled={disabled}
      className="h-6 w-6 rounded text-xs text-slate-400 hover:bg-slate-200 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-30 disabled:hover:bg-transparent">
      {children}
    </button>
  );
}

const KIND_LABEL: Record<MappingKind, string> = { column: "column", expr: "expr", virtual: "virtual" };

function MappingCell({ side, column, cell, table, errors, onChange }: {
  side: Side; column: string; cell: Cell | undefined; table: PhysicalTable | undefined; errors: string[]; onChange: (cell: Cell) => void;
}) {
  const kind = cell?.kind ?? "column";
  const value = cell?.value ?? "";
  const invalid = errors.length > 0;
  const physicalColumns = table ? [...table.columns.map((c) => ({ name: c.name, type: c.type })), ...table.computedColumns.map((c) => ({ name: c.name, type: "computed" }))] : [];
  const known = physicalColumns.some((c) => c.name === value);
  // The server's type-mismatch message proposes a CAST; offer it as a one-click fix.
  const suggestion = errors.map((m) => /such as (CAST\(.+\))$/.exec(m)?.[1]).find((x) => x !== undefined);
  return (
    <div role="cell" className="min-w-0">
      <div className="flex items-center gap-2">
        <select aria-label={`${side} mapping kind for ${column}`} value={kind} className={cx(inputBase, "w-[5.75rem] shrink-0 text-xs")}
          onChange={(e) => {
            const next = e.target.value as MappingKind;
            // Switching to an expression keeps the column name as a starting point.
            onChange({ kind: next, value: next === "column" && !physicalColumns.some((c) => c.name === value) ? "" : value });
          }}>
          {(Object.keys(KIND_LABEL) as MappingKind[]).map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
        </select>
        {kind === "column" ? (
          <select aria-label={`${side} column for ${column}`} value={value} aria-invalid={invalid} className={cx(monoInputClass, !value && "text-slate-400")}
            onChange={(e) => onChange({ kind, value: e.target.value })} disabled={!table && !value}>
            <option value="">{table ? "— unmapped —" : "pick a table first"}</option>
            {value && !known ? <option value={value}>{value} (not in table)</option> : null}
            {physicalColumns.map((c) => <option key={c.name} value={c.name}>{c.name} · {c.type}</option>)}
          </select>
        ) : (
          // Grows with its text (field-sizing), so a long CASE expression wraps instead of being clipped.
          <textarea aria-label={`${side} ${kind === "expr" ? "expression" : "virtual value"} for ${column}`} value={value} aria-invalid={invalid}
            title={value || undefined} rows={1} spellCheck={false}
            placeholder={kind === "expr" ? "e.g. CAST(user_id AS BIGINT)" : "constant or expression, e.g. 'n/a'"}
            className={cx(monoInputClass, "resize-none [field-sizing:content] break-words", kind === "virtual" && "border-dashed")} onChange={(e) => onChange({ kind, value: e.target.value })} />
        )}
      </div>
      <FieldErrors messages={errors} />
      {suggestion ? (
        <button type="button" onClick={() => onChange({ kind: "expr", value: suggestion })}
          className="mt-1 rounded border border-indigo-200 bg-indigo-50 px-1.5 py-0.5 font-mono text-xs text-indigo-700 hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-indigo-500">
          Use {suggestion}
        </button>
      ) : null}
    </div>
  );
}
