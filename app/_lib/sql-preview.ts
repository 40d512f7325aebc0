import { quoteIdent, quoteString } from "./format";

// Client-side SQL previews: the Flink DDL of a physical table and the per-side view of a meta-table.
// They are for reading only; the server's translator produces the real scripts.

export interface DdlTable {
  name: string;
  kind: "stream" | "batch";
  description?: string;
  columns: { name: string; type: string; comment?: string }[];
  computedColumns?: { name: string; expr: string; comment?: string }[];
  options?: Record<string, string>;
  watermark?: { column: string; delay: string };
  primaryKey?: string[];
  partition?: { column: string; format: string };
}

export interface DdlConnection {
  type: string;
  properties: Record<string, string>;
  /** Secret option names only: their values are never available to the workbench. */
  secretKeys: string[];
}

export const SECRET_PLACEHOLDER = "******";

/** The WITH (...) options: connector, the connection's properties, then the table's own options. */
export function withOptions(table: Pick<DdlTable, "options">, connection?: DdlConnection): [string, string][] {
  const merged = new Map<string, string>();
  if (connection) {
    merged.set("connector", connection.type);
    for (const [k, v] of Object.entries(connection.properties)) merged.set(k, v);
    for (const k of connection.secretKeys) merged.set(k, SECRET_PLACEHOLDER);
  }
  for (const [k, v] of Object.entries(table.options ?? {})) merged.set(k, v);
  return [...merged];
}

export function flinkDdl(table: DdlTable, connection?: DdlConnection): string {
  const lines: string[] = [];
  for (const c of table.columns) lines.push(`  ${quoteIdent(c.name)} ${c.type}${c.comment ? ` COMMENT ${quoteString(c.comment)}` : ""}`);
  for (const c of table.computedColumns ?? []) lines.push(`  ${quoteIdent(c.name)} AS ${c.expr}${c.comment ? ` COMMENT ${quoteString(c.comment)}` : ""}`);
  if (table.watermark) lines.push(`  WATERMARK FOR ${quoteIdent(table.watermark.column)} AS ${quoteIdent(table.watermark.column)} - INTERVAL '${table.watermark.delay.replace(/^(\d+)\s+/, "$1' ")}`);
  if (table.primaryKey?.length) lines.push(`  PRIMARY KEY (${table.primaryKey.map(quoteIdent).join(", ")}) NOT ENFORCED`);
  const parts = [`CREATE TABLE ${quoteIdent(table.name)} (\n${lines.join(",\n")}\n)`];
  if (table.description) parts.push(`COMMENT ${quoteString(table.description)}`);
  if (table.partition) parts.push(`PARTITIONED BY (${quoteIdent(table.partition.column)})`);
  const options = withOptions(table, connection);
  if (options.length) parts.push(`WITH (\n${options.map(([k, v]) => `  ${quoteString(k)} = ${quoteString(v)}`).join(",\n")}\n)`);
  return `${parts.join("\n")};`;
}

export type MappingKind = "column" | "expr" | "virtual";

export interface ViewColumn {
  name: string;
  kind: MappingKind;
  value: string;
}

/** `CREATE TEMPORARY VIEW <name> AS SELECT <mapping> AS <col>, ..., '<side>' AS __mode FROM <table>`. */
export function viewPreview(name: string, side: "stream" | "batch" | "source", table: string, columns: ViewColumn[]): string {
  const select = columns.map((c) => {
    const value = c.value.trim();
    const expr = !value ? "NULL /* unmapped */" : c.kind === "column" ? quoteIdent(value) : value;
    return c.kind === "column" && value === c.name ? `  ${expr}` : `  ${expr} AS ${quoteIdent(c.name)}`;
  });
  if (side !== "source") select.push(`  '${side}' AS ${quoteIdent("__mode")}`);
  return `CREATE TEMPORARY VIEW ${quoteIdent(name || "unnamed")} AS\nSELECT\n${select.join(",\n")}\nFROM ${quoteIdent(table || "?")};`;
}
