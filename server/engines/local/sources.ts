import fs from "node:fs";
import path from "node:path";
import { duckType } from "./types";
import { lit, q, type DuckSession } from "./duck";
import type { BoundTable, LocalSource } from "./plan";
import { resolvePath, type PathRoots } from "../../paths";

// Batch-readable sources: a physical table becomes a DuckDB view with exactly its declared columns
// (cast to their DuckDB types) plus its computed columns. Hive-partitioned Parquet is pruned here, by
// listing only the wanted `<column>=<value>` directories, so the files a job reads are known and tested.

/** Where connector paths resolve (server/paths.ts). */
export type EngineEnv = PathRoots;

export { resolvePath };

export function option(t: BoundTable, key: string): string | undefined {
  return t.options[key];
}

export function requireOption(t: BoundTable, key: string): string {
  const v = t.options[key];
  if (v === undefined || v === "") throw new Error(`table '${t.table.name}' (connector '${t.connection.type}') needs the option '${key}'`);
  return v;
}

export function formatOf(t: BoundTable): string {
  return (t.options.format ?? "json").toLowerCase();
}

export interface ScanReport {
  source: string;
  files: string[];
  partitionsRead: string[];
  partitionsMissing: string[];
}

/** Parquet files under a table root, restricted to the wanted partitions when given. */
export function listParquetFiles(root: string, partitions?: { column: string; values: string[] }): Omit<ScanReport, "source"> {
  if (!fs.existsSync(root)) return { files: [], partitionsRead: [], partitionsMissing: partitions?.values ?? [] };
  if (fs.statSync(root).isFile()) return { files: [root], partitionsRead: [], partitionsMissing: [] };
  if (!partitions) return { files: walkParquet(root), partitionsRead: [], partitionsMissing: [] };
  const files: string[] = [];
  const read: string[] = [];
  const missing: string[] = [];
  for (const value of [...new Set(partitions.values)].sort()) {
    const dir = path.join(root, `${partitions.column}=${value}`);
    const found = fs.existsSync(dir) ? walkParquet(dir) : [];
    if (found.length === 0) missing.push(value);
    else read.push(value);
    files.push(...found);
  }
  return { files, partitionsRead: read, partitionsMissing: missing };
}

/** The partition values to read: the listed ones, or those present under root that satisfy the filter. */
export async function partitionValues(s: DuckSession, root: string, p: { column: string; values?: string[]; filter?: string }): Promise<{ column: string; values: string[] } | undefined> {
  if (p.values) return { column: p.column, values: p.values };
  if (!p.filter) return undefined;
  const prefix = `${p.column}=`;
  const present = fs.existsSync(root)
    ? fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => e.name.slice(prefix.length))
    : [];
  if (present.length === 0) return { column: p.column, values: [] };
  const rows = await s.rows(`SELECT ${q(p.column)} AS v FROM (VALUES ${present.map((v) => `(${lit(v)})`).join(", ")}) AS t(${q(p.column)}) WHERE ${p.filter}`);
  return { column: p.column, values: rows.map((r) => String(r.v)) };
}

/** Every *.parquet below dir, skipping hidden and temporary entries (in-flight writes start with '.'). */
function walkParquet(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".") || e.name.startsWith("_")) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkParquet(p));
    else if (e.name.endsWith(".parquet")) out.push(p);
  }
  return out;
}

/** SELECT list casting the physical columns to their declared types, then the computed columns. */
export function typedColumns(source: LocalSource, available?: ReadonlySet<string>): string {
  const cols = source.table.table.columns.map((c) => {
    const have = available === undefined || available.has(c.name.toLowerCase());
    return `${have ? `CAST(${q(c.name)} AS ${duckType(c.type)})` : `CAST(NULL AS ${duckType(c.type)})`} AS ${q(c.name)}`;
  });
  return cols.join(", ");
}

function computedLayer(source: LocalSource, inner: string): string {
  if (!source.computed?.length) return inner;
  return `SELECT *, ${source.computed.map((c) => `${c.sql} AS ${q(c.name)}`).join(", ")} FROM (${inner})`;
}

/**
 * Creates the view `source.name` over a bounded source (batch scan, or a lookup table loaded into memory).
 * Returns what was read, for pruning checks and metrics.
 */
export async function registerBoundedSource(s: DuckSession, source: LocalSource, env: EngineEnv, opts: { materialize?: boolean } = {}): Promise<ScanReport> {
  const t = source.table;
  const kind = t.connection.type;
  let inner: string;
  let report: ScanReport = { source: source.name, files: [], partitionsRead: [], partitionsMissing: [] };
  if (kind === "filesystem" && formatOf(t) === "parquet") {
    const root = resolvePath(requireOption(t, "path"), env);
    const wanted = t.table.partition && source.partitions ? await partitionValues(s, root, source.partitions) : undefined;
    const listed = listParquetFiles(root, wanted);
    report = { source: source.name, ...listed };
    if (listed.files.length === 0) {
      inner = `SELECT ${typedColumns(source, new Set())} WHERE false`;
    } else {
      const part = t.table.partition?.column;
      const hive = part ? `, hive_partitioning = true, hive_types = {${lit(part)}: 'VARCHAR'}` : "";
      const fileList = `[${listed.files.map(lit).join(", ")}]`;
      const names = await s.describe(`SELECT * FROM read_parquet(${fileList}${hive})`);
      inner = `SELECT ${typedColumns(source, new Set(names.map((n) => n.name.toLowerCase())))} FROM read_parquet(${fileList}${hive})`;
    }
  } else if (kind === "filesystem" && formatOf(t) === "json") {
    const root = resolvePath(requireOption(t, "path"), env);
    const files = fs.existsSync(root) ? jsonFiles(root) : [];
    report = { source: source.name, files, partitionsRead: [], partitionsMissing: [] };
    inner = files.length === 0
      ? `SELECT ${typedColumns(source, new Set())} WHERE false`
      : `SELECT ${typedColumns(source)} FROM read_json([${files.map(lit).join(", ")}], format = 'newline_delimited', columns = ${jsonColumns(source.table)})`;
  } else {
    throw new Error(`the local engine cannot read '${source.name}' (connector '${kind}', format '${formatOf(t)}') as a bounded table; supported: filesystem with format parquet or json`);
  }
  const sql = computedLayer(source, inner);
  if (opts.materialize) await s.run(`CREATE OR REPLACE TEMP TABLE ${q(source.name)} AS ${sql}`);
  else await s.run(`CREATE OR REPLACE TEMP VIEW ${q(source.name)} AS ${sql}`);
  return report;
}

export function jsonFiles(root: string): string[] {
  if (fs.statSync(root).isFile()) return [root];
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith(".") && !e.name.startsWith("_"))
    .map((e) => path.join(root, e.name))
    .sort();
}

/** The `columns = {...}` argument of read_json for a table's physical columns. */
export function jsonColumns(t: BoundTable): string {
  return `{${t.table.columns.map((c) => `${lit(c.name)}: ${lit(duckType(c.type))}`).join(", ")}}`;
}
