import { MODE_COLUMN, mappingExpr, type BindingSpecParsed, type CatalogSnapshot, type JobSpecParsed } from "../catalog/schemas";
import type { Analysis, ColumnRef, TransformKind } from "./analyze";
import { parseFlinkSql } from "./parser";
import { descendants, pathParts } from "./tree";
import { compileSide, type JobSource } from "./validate";

// Lineage of a job: table level (the meta-tables each statement reads -> its sink) and column level
// (each sink column -> the logical columns it is computed from, and through the field mappings the
// physical columns of each side).

export interface TableLineage {
  /** 0-based statement index in the script. */
  statement: number;
  sink: string;
  sources: string[];
}

export interface PhysicalColumnLineage {
  /** The physical sink column; null when the side does not store this logical column. */
  sink: ColumnRef | null;
  sources: ColumnRef[];
}

export interface ColumnLineage {
  statement: number;
  sink: ColumnRef;
  transform: TransformKind;
  /** Logical (meta-table) columns. */
  sources: ColumnRef[];
  physical: { stream: PhysicalColumnLineage | null; batch: PhysicalColumnLineage | null };
}

export interface Lineage {
  tables: TableLineage[];
  columns: ColumnLineage[];
}

/** Lineage of a job script (validated against the catalog; an invalid script gives what it can). */
export function extractLineage(catalog: CatalogSnapshot, job: JobSource | JobSpecParsed, bizdate = "2000-01-01"): Lineage {
  return extractLineageFrom(catalog, compileSide(catalog, job, bizdate, "stream").analysis);
}

export function extractLineageFrom(catalog: CatalogSnapshot, analysis: Analysis): Lineage {
  const tables: TableLineage[] = [];
  const columns: ColumnLineage[] = [];
  for (const st of analysis.statements) {
    for (const ins of st.inserts) {
      if (!ins.meta) continue;
      const sink = ins.meta;
      tables.push({ statement: st.index, sink: sink.name, sources: ins.sources });
      ins.targetColumns.forEach((col, i) => {
        const out = ins.outputs[i];
        if (!out) return;
        const sources = out.deps.filter((d) => d.column !== MODE_COLUMN);
        const side = (s: "stream" | "batch"): PhysicalColumnLineage | null => {
          const sb = sink.source ?? sink[s];
          if (!sb) return null;
          return { sink: physicalSink(sb, col), sources: sources.flatMap((d) => physicalSources(catalog, d, s)) };
        };
        columns.push({ statement: st.index, sink: { table: sink.name, column: col }, transform: out.transform, sources, physical: { stream: side("stream"), batch: side("batch") } });
      });
    }
  }
  return { tables, columns };
}

function physicalSink(b: BindingSpecParsed, logical: string): ColumnRef | null {
  const m = b.mappings[logical];
  if (m === undefined) return null;
  const t = mappingExpr(m);
  return "column" in t ? { table: b.table, column: t.column } : null;
}

function physicalSources(catalog: CatalogSnapshot, dep: ColumnRef, side: "stream" | "batch"): ColumnRef[] {
  const meta = catalog.metaTables.get(dep.table);
  const b = meta ? meta.source ?? meta[side] : undefined;
  if (!b) return [];
  const m = b.mappings[dep.column];
  if (m !== undefined) {
    const t = mappingExpr(m);
    if ("column" in t) return [{ table: b.table, column: t.column }];
    return exprColumns(catalog, b.table, t.expr);
  }
  const v = b.virtual[dep.column];
  return v !== undefined ? exprColumns(catalog, b.table, v) : [];
}

const exprCache = new Map<string, ColumnRef[]>();
/** Physical columns an expression of a mapping reads. */
function exprColumns(catalog: CatalogSnapshot, table: string, expr: string): ColumnRef[] {
  const key = `${table}\u0000${expr}`;
  const hit = exprCache.get(key);
  if (hit) return hit;
  const t = catalog.physicalTables.get(table);
  const names = new Map([...(t?.columns ?? []), ...(t?.computedColumns ?? [])].map((c) => [c.name.toLowerCase(), c.name]));
  const parsed = parseFlinkSql(`SELECT ${expr} FROM t`);
  const out: ColumnRef[] = [];
  for (const n of descendants(parsed.tree, "columnNamePath")) {
    const parts = pathParts(parsed.text, n);
    const name = names.get((parts[parts.length - 1] ?? "").toLowerCase());
    if (name && !out.some((o) => o.column === name)) out.push({ table, column: name });
  }
  if (exprCache.size > 5000) exprCache.clear();
  exprCache.set(key, out);
  return out;
}
