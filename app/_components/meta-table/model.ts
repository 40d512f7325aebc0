import type { MetaTable } from "../../_lib/api-types";
import type { Issue } from "../../_lib/issues";

// The editor's working copy of a meta-table. Cells are keyed by a stable column id, so renaming a
// logical column keeps its mappings; the spec (keyed by column name) is built only to check or save.

export type Side = "source" | "stream" | "batch";
export type Mode = "single" | "mixed";

/** How a cell fills its logical column: a physical column, an expression, or a virtual value. */
export type MappingKind = "column" | "expr" | "virtual";

export interface Cell { kind: MappingKind; value: string }
export interface LogicalColumn { id: string; name: string; type: string; description: string }
export interface Binding { table: string; cells: Record<string, Cell> }
export interface Draft {
  name: string;
  description: string;
  owner: string;
  mode: Mode;
  columns: LogicalColumn[];
  source: Binding;
  stream: Binding;
  batch: Binding;
}

let seq = 0;
export function newColumnId(): string {
  seq += 1;
  return `col-${seq}`;
}

export function blankColumn(partial: Partial<Omit<LogicalColumn, "id">> = {}): LogicalColumn {
  return { id: newColumnId(), name: "", type: "STRING", description: "", ...partial };
}

export function emptyDraft(): Draft {
  return {
    name: "", description: "", owner: "", mode: "mixed",
    columns: [blankColumn()],
    source: { table: "", cells: {} }, stream: { table: "", cells: {} }, batch: { table: "", cells: {} },
  };
}

type BindingIn = NonNullable<MetaTable["stream"]>;

function bindingFromSpec(b: BindingIn | undefined, columns: LogicalColumn[]): Binding {
  if (!b) return { table: "", cells: {} };
  const cells: Record<string, Cell> = {};
  for (const c of columns) {
    const m = b.mappings[c.name];
    const v = b.virtual[c.name];
    if (m !== undefined) cells[c.id] = typeof m === "string" ? { kind: "column", value: m } : "column" in m ? { kind: "column", value: m.column } : { kind: "expr", value: m.expr };
    else if (v !== undefined) cells[c.id] = { kind: "virtual", value: v };
  }
  return { table: b.table, cells };
}

export function draftFromSpec(spec: MetaTable): Draft {
  const columns = spec.columns.map((c) => ({ id: newColumnId(), name: c.name, type: c.type, description: c.description ?? "" }));
  return {
    name: spec.name, description: spec.description, owner: spec.owner,
    mode: spec.source ? "single" : "mixed",
    columns,
    source: bindingFromSpec(spec.source, columns),
    stream: bindingFromSpec(spec.stream, columns),
    batch: bindingFromSpec(spec.batch, columns),
  };
}

export interface BindingOut {
  table: string;
  mappings: Record<string, string | { expr: string }>;
  virtual: Record<string, string>;
}
export interface SpecOut {
  name: string;
  description: string;
  owner: string;
  columns: { name: string; type: string; description?: string }[];
  source?: BindingOut;
  stream?: BindingOut;
  batch?: BindingOut;
}

function bindingToSpec(b: Binding, columns: LogicalColumn[]): BindingOut {
  const out: BindingOut = { table: b.table, mappings: {}, virtual: {} };
  for (const c of columns) {
    const cell = b.cells[c.id];
    const value = cell?.value.trim() ?? "";
    if (!cell || !value || !c.name) continue;
    if (cell.kind === "column") out.mappings[c.name] = value;
    else if (cell.kind === "expr") out.mappings[c.name] = { expr: value };
    else out.virtual[c.name] = value;
  }
  return out;
}

export function specFromDraft(d: Draft): SpecOut {
  const columns = d.columns.map((c) => ({ name: c.name.trim(), type: c.type.trim(), ...(c.description.trim() ? { description: c.description.trim() } : {}) }));
  const trimmed = d.columns.map((c) => ({ ...c, name: c.name.trim() }));
  const base = { name: d.name.trim(), description: d.description.trim(), owner: d.owner.trim(), columns };
  return d.mode === "single"
    ? { ...base, source: bindingToSpec(d.source, trimmed) }
    : { ...base, stream: bindingToSpec(d.stream, trimmed), batch: bindingToSpec(d.batch, trimmed) };
}

/** Where an issue points in the editor. */
export type IssueTarget =
  | { at: "field"; field: "name" | "description" | "owner" }
  | { at: "column"; columnId: string }
  | { at: "table"; side: Side }
  | { at: "cell"; side: Side; columnId: string }
  | { at: "general" };

export function locateIssue(issue: Issue, d: Draft): IssueTarget {
  const prefix = `metaTables.${d.name.trim() || "(new)"}`;
  const rest = issue.path === prefix ? [] : issue.path.startsWith(`${prefix}.`) ? issue.path.slice(prefix.length + 1).split(".") : issue.path.split(".").slice(2);
  const [head, second, third] = rest;
  if (head === "name" || head === "description" || head === "owner") return { at: "field", field: head };
  const byName = (n: string | undefined) => d.columns.find((c) => c.name.trim().toLowerCase() === n?.toLowerCase());
  if (head === "columns" && second !== undefined) {
    const col = /^\d+$/.test(second) ? d.columns[Number(second)] : byName(second);
    if (col) return { at: "column", columnId: col.id };
  }
  if (head === "source" || head === "stream" || head === "batch") {
    if ((second === "mappings" || second === "virtual") && third !== undefined) {
      const col = byName(third);
      if (col) return { at: "cell", side: head, columnId: col.id };
    }
    if (second === "table" || second === undefined) return { at: "table", side: head };
  }
  return { at: "general" };
}

export const FLINK_TYPES = [
  "STRING", "BIGINT", "INT", "SMALLINT", "TINYINT", "BOOLEAN", "DOUBLE", "FLOAT", "DECIMAL(12, 2)", "DATE", "TIME",
  "TIMESTAMP(3)", "TIMESTAMP_LTZ(3)", "BYTES", "ARRAY<STRING>", "MAP<STRING, STRING>",
];
