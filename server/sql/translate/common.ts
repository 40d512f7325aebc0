import type { Issue } from "../../errors";
import {
  MODE_COLUMN, mappingExpr,
  type BindingSpecParsed, type CatalogSnapshot, type JobSpecParsed, type MetaTableSpecParsed, type PhysicalTableSpecParsed,
} from "../../catalog/schemas";
import type { InsertInfo, MetaRef } from "../analyze";
import { ident, sqlString } from "../ddl";
import { bizdateHours, bizdatePartitionValue, bizdatePartitions, partitionLogicalColumn, refPartitions, union, type PartitionSet } from "../partitions";
import { substituteVariables, type Mode } from "../variables";
import { hasToken, span } from "../tree";
import type { CompiledSide } from "../validate";

// What the stream, batch and hybrid translations share: text edits over the user's script (which keep
// every comment and hint), per-side bindings, physical table names, per-side views and the sink rewrite.

export interface Edit { start: number; end: number; text: string }

export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let out = "";
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`internal: overlapping edits at ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

export type Side = "stream" | "batch";

/** The binding a side reads or writes: the single source, or the side's binding of a mixed meta-table. */
export function bindingFor(meta: MetaTableSpecParsed, side: Side): BindingSpecParsed | undefined {
  return meta.source ?? meta[side];
}

export interface TranslateContext {
  catalog: CatalogSnapshot;
  job: JobSpecParsed;
  bizdate: string;
  path: string;
  issues: Issue[];
  warnings: Issue[];
}

export function physical(ctx: TranslateContext, name: string): PhysicalTableSpecParsed | undefined {
  return ctx.catalog.physicalTables.get(name);
}

/** Physical tables get their catalog name in scripts, unless a meta-table view of the script has that name. */
export function ddlNamer(viewNames: Iterable<string>): (physicalName: string) => string {
  const taken = new Set([...viewNames].map((n) => n.toLowerCase()));
  return (p) => (taken.has(p.toLowerCase()) ? `${p}__phys` : p);
}

/** Logical column -> expression over the physical table of a binding (Flink SQL). */
export function columnExpr(binding: BindingSpecParsed, logical: string): string | undefined {
  const m = binding.mappings[logical];
  if (m !== undefined) {
    const t = mappingExpr(m);
    return "column" in t ? ident(t.column) : t.expr;
  }
  return binding.virtual[logical];
}

/** The SELECT of a per-side view: mapped and virtual columns, and `'<mode>' AS __mode` on mixed meta-tables. */
export function viewSelect(meta: MetaTableSpecParsed, binding: BindingSpecParsed, from: string, mode: Mode, filter?: string): string {
  const cols = meta.columns.map((c) => {
    const e = columnExpr(binding, c.name) ?? "CAST(NULL AS STRING)";
    return e === ident(c.name) ? e : `${e} AS ${ident(c.name)}`;
  });
  if (!meta.source) cols.push(`${sqlString(mode)} AS ${MODE_COLUMN}`);
  return `SELECT\n  ${cols.join(",\n  ")}\nFROM ${ident(from)}${filter ? `\nWHERE ${filter}` : ""}`;
}

/** Static partition values of the job, with variables substituted. */
export function staticPartitions(ctx: TranslateContext): Map<string, string> {
  const out = new Map<string, string>();
  for (const [col, raw] of Object.entries(ctx.job.batch.partitions)) {
    const sub = substituteVariables(raw, { bizdate: ctx.bizdate, mode: "batch", user: ctx.job.variables }, `jobs.${ctx.job.name}.batch.partitions.${col}`);
    ctx.issues.push(...sub.issues);
    out.set(col.toLowerCase(), sub.text);
  }
  return out;
}

export interface SourcePartitions {
  meta: MetaTableSpecParsed;
  table: PhysicalTableSpecParsed;
  column: string;
  set: PartitionSet;
}

/**
 * The batch partitions each partitioned source must read: from the query's predicates when they bound
 * the partition column, else the job's static partition, else the bizdate (with a warning).
 */
export function batchPartitions(ctx: TranslateContext, compiled: CompiledSide): Map<string, SourcePartitions> {
  const statics = staticPartitions(ctx);
  const out = new Map<string, SourcePartitions>();
  for (const ref of compiled.analysis.metaRefs) {
    const b = bindingFor(ref.meta, "batch");
    const table = b ? physical(ctx, b.table) : undefined;
    if (!b || !table?.partition) continue;
    const logical = partitionLogicalColumn(b, table.partition);
    let set: PartitionSet = logical ? refPartitions(compiled.parsed.text, ref, logical, "batch") : { kind: "all" };
    if (set.kind === "all") {
      const st = statics.get(table.partition.column.toLowerCase());
      set = st !== undefined ? { kind: "values", values: [st] } : bizdatePartitions(ctx.bizdate, table.partition.format);
      if (st === undefined) warnDefaultPartition(ctx, compiled, ref, table, logical);
    }
    const prev = out.get(ref.meta.name);
    out.set(ref.meta.name, { meta: ref.meta, table, column: table.partition.column, set: prev ? union(prev.set, set) : set });
  }
  return out;
}

function warnDefaultPartition(ctx: TranslateContext, compiled: CompiledSide, ref: MetaRef, table: PhysicalTableSpecParsed, logical: string | undefined): void {
  const at = compiled.sub.map.position(ref.start);
  const how = logical
    ? `add a predicate such as ${logical} = '\${bizdate}' (or a range)`
    : `map a logical column to '${table.partition?.column ?? ""}' to filter it`;
  ctx.warnings.push({
    path: ctx.path, ...at,
    message: `the batch job reads only the bizdate partition of '${table.name}' for '${ref.meta.name}': the query does not bound its partition column; ${how} or set batch.partitions to make this explicit`,
  });
}

/** Where a sink's rows go on one side. */
export interface SinkTarget {
  meta: MetaTableSpecParsed;
  table: PhysicalTableSpecParsed;
  binding: BindingSpecParsed;
  /** Physical column for each logical target column; undefined where the side has no such column (virtual). */
  physicalColumns: (string | undefined)[];
  /** Batch, partitioned sink: what the run overwrites. */
  partition?: SinkPartitionTarget;
}

/**
 * A daily format (or a static value from batch.partitions) overwrites one partition, `value`; the rows
 * are filtered to it when the query writes the column (`logical`). An hourly format overwrites the
 * bizdate's 24 hours, `hours`, taken from the rows: the query must write the column.
 */
export type SinkPartitionTarget =
  | { column: string; value: string; logical?: string }
  | { column: string; hours: string[]; logical: string };

export function sinkTarget(ctx: TranslateContext, ins: InsertInfo, side: Side): SinkTarget | undefined {
  const meta = ins.meta;
  const binding = meta ? bindingFor(meta, side) : undefined;
  const table = binding ? physical(ctx, binding.table) : undefined;
  if (!meta || !binding || !table) return undefined;
  const physicalColumns = ins.targetColumns.map((l) => {
    const m = binding.mappings[l];
    if (m === undefined) return undefined;
    const t = mappingExpr(m);
    return "column" in t ? t.column : undefined;
  });
  let partition: SinkTarget["partition"];
  if (side === "batch" && table.partition) {
    const statics = staticPartitions(ctx);
    const { column, format } = table.partition;
    const value = statics.get(column.toLowerCase()) ?? bizdatePartitionValue(ctx.bizdate, format);
    const logical = ins.targetColumns.find((_, i) => physicalColumns[i] === column);
    const hours = bizdateHours(ctx.bizdate, format);
    if (value !== undefined) partition = { column, value, logical };
    else if (hours && logical) partition = { column, hours, logical };
  }
  return { meta, table, binding, physicalColumns, partition };
}

export const OUT_CTE = "__tandem_out";

/**
 * Rewrites one INSERT for a side: the meta-table becomes the side's physical table with the mapped
 * column list. When the side drops a column (virtual on that side) or writes a partition, the user's
 * query is wrapped in a CTE and the outer SELECT picks the physical columns; the query text is kept.
 */
export function sinkEdits(ctx: TranslateContext, compiled: CompiledSide, ins: InsertInfo, side: Side, ddlName: (p: string) => string): Edit[] {
  const text = compiled.parsed.text;
  const target = sinkTarget(ctx, ins, side);
  if (!target) return [];
  const tp = target.table.partition;
  if (side === "batch" && tp && !target.partition) {
    // An hourly sink without a static value: the hour comes from the rows, so the query must write it.
    ctx.issues.push({
      path: ctx.path, ...compiled.sub.map.position(span(ins.pathNode).start),
      message: `'${target.meta.name}' is written to '${target.table.name}', partitioned by hour ('${tp.format}'): the query must write the partition column; map a logical column of '${target.meta.name}' to '${tp.column}' on its batch side and write it, or set batch.partitions.${tp.column}`,
    });
    return [];
  }
  const edits: Edit[] = [];
  const pathSpan = span(ins.pathNode);
  const listSpan = ins.columnList ? span(ins.columnList.node) : undefined;
  const head = { start: pathSpan.start, end: listSpan?.end ?? pathSpan.end };
  const staticColumn = target.partition && "value" in target.partition ? target.partition.column : undefined;
  const kept = ins.targetColumns
    .map((l, i) => ({ l, p: target.physicalColumns[i] }))
    .filter((x): x is { l: string; p: string } => x.p !== undefined && x.p !== staticColumn);
  const needsWrap = target.partition !== undefined || kept.length !== ins.targetColumns.length;
  const name = ident(ddlName(target.table.name));
  const physList = `(${kept.map((k) => ident(k.p)).join(", ")})`;
  if (!needsWrap) {
    edits.push({ ...head, text: `${name} ${physList}` });
    return edits;
  }
  if (!ins.query) {
    ctx.issues.push({ path: ctx.path, message: `INSERT ... VALUES into '${target.meta.name}' cannot be translated for the ${side} side (it drops or partitions columns); use INSERT ... SELECT` });
    return edits;
  }
  const q = span(ins.query);
  let partitionClause = "";
  const where: string[] = [];
  const tpart = target.partition;
  if (tpart) {
    edits.push({ ...ins.intoToken, text: "OVERWRITE" });
    if ("value" in tpart) {
      partitionClause = ` PARTITION (${ident(tpart.column)} = ${sqlString(tpart.value)})`;
      if (tpart.logical) where.push(`${ident(tpart.logical)} = ${sqlString(tpart.value)}`);
    } else {
      // Dynamic partitions: Flink overwrites the hours the rows fall in; the filter keeps the bizdate's.
      where.push(`${ident(tpart.logical)} BETWEEN ${sqlString(tpart.hours[0] ?? "")} AND ${sqlString(tpart.hours[tpart.hours.length - 1] ?? "")}`);
    }
  }
  // `INSERT INTO t SELECT ...` on one line: put the generated WITH on its own line.
  const gap = /^[ \t]+$/.test(text.slice(head.end, q.start)) ? { start: head.end, end: q.start } : { start: q.start, end: q.start };
  edits.push({ ...head, text: `${name}${partitionClause} ${physList}` });
  edits.push({ ...gap, text: `${gap.start === gap.end ? "" : "\n"}WITH ${OUT_CTE} (${ins.targetColumns.map(ident).join(", ")}) AS (\n` });
  edits.push({
    start: q.end, end: q.end,
    text: `\n)\nSELECT ${kept.map((k) => ident(k.l)).join(", ")} FROM ${OUT_CTE}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`,
  });
  return edits;
}

/** Several INSERT statements become one STATEMENT SET, so each side is one physical job. */
export function statementSetEdits(compiled: CompiledSide): Edit[] {
  const stmts = compiled.analysis.statements;
  const inserts = stmts.filter((s) => s.kind === "insert");
  if (inserts.length < 2 || stmts.some((s) => s.kind === "statementSet")) return [];
  const firstIdx = stmts.indexOf(inserts[0] ?? stmts[0]!);
  const lastIdx = stmts.indexOf(inserts[inserts.length - 1] ?? stmts[0]!);
  if (stmts.slice(firstIdx, lastIdx + 1).some((s) => s.kind !== "insert")) return [];
  const edits: Edit[] = [{ start: inserts[0]?.start ?? 0, end: inserts[0]?.start ?? 0, text: "EXECUTE STATEMENT SET\nBEGIN\n" }];
  for (const s of inserts) {
    const single = s.node.parent;
    if (!single || !hasToken(single, ";")) edits.push({ start: s.end, end: s.end, text: ";" });
  }
  const last = inserts[inserts.length - 1];
  const lastSingle = last?.node.parent;
  const end = lastSingle ? span(lastSingle).end : last?.end ?? 0;
  edits.push({ start: end, end, text: "\nEND;" });
  return edits;
}

/** The user's script with a final semicolon, so generated statements can follow it. */
export function terminate(text: string): string {
  const trimmed = text.replace(/\s+$/, "");
  const withoutComments = trimmed.replace(/--[^\n]*$/g, "").replace(/\s+$/, "");
  return withoutComments.endsWith(";") ? trimmed : `${trimmed}${trimmed === withoutComments ? "" : "\n"};`;
}

export function header(kind: string, ctx: TranslateContext, sets: [string, string][]): string {
  return [
    `-- Tandem ${kind} script for job '${ctx.job.name}', bizdate ${ctx.bizdate}. Generated: edit the job, not this script.`,
    ...sets.map(([k, v]) => `SET ${sqlString(k)} = ${sqlString(v)};`),
  ].join("\n");
}
