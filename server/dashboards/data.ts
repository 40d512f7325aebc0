import { createHash } from "node:crypto";
import path from "node:path";
import type { CatalogSnapshot, MetaTableSpecParsed } from "../catalog/schemas";
import type { SqlDatabase } from "../engines/local/jdbc";
import type { BoundTable } from "../engines/local/plan";
import { ValidationError } from "../errors";
import { localQueryBackend, runQuery, tablesRead, type QueryBackend, type Row, type TableScope } from "../query/index";
import { Bizdate, bizdateFor, partitionValue } from "../scheduling/index";
import type { DashboardSpecParsed, WidgetParsed } from "./schema";

// A widget's data: its query with the dashboard's parameters substituted, run through the read-only
// query service (bounded: partitioned tables are scoped to the days the widget looks at, results capped,
// a time limit), shaped for its kind, and versioned by a hash of the result so a client that already
// holds that version is told "unchanged" instead of being sent the same data again.

export interface DashboardDeps {
  /** Tandem's data folder (relative table paths). */
  dataDir: string;
  /** jdbc databases (the stream side's serving tables). */
  jdbc?: (t: BoundTable) => SqlDatabase;
  /** Another backend (tests); the local DuckDB one by default. */
  backend?: (catalog: CatalogSnapshot) => QueryBackend;
}

export interface DashboardParams {
  bizdate: Bizdate;
  campaign: string;
}

export type Scalar = string | number | boolean | null;
export interface Series { name: string; values: (number | null)[] }
export type WidgetData =
  | { kind: "number"; value: number | null; previous: number | null }
  | { kind: "line"; x: string[]; series: Series[] }
  | { kind: "bar"; x: string[]; series: Series[] }
  | { kind: "table"; columns: string[]; rows: Scalar[][]; truncated: boolean }
  | { kind: "comparison"; day: string; stream: number | null; batch: number | null; equal: boolean }
  | { kind: "error"; message: string };

export interface WidgetResult {
  id: string;
  /** A hash of `data`: the same version means the same data. */
  version: string;
  /** Absent when the caller already holds `version`. */
  data?: WidgetData;
  elapsedMs: number;
}

const LIMITS = { maxRows: 1000, timeoutMs: 10_000 };

/** The parameters in effect: the viewer's overrides over the dashboard's defaults; `today` is `now`'s day in the dashboard's zone. */
export function resolveParams(spec: DashboardSpecParsed, overrides: { bizdate?: string; campaign?: string }, now: Date): DashboardParams {
  const text = overrides.bizdate || spec.params.bizdate;
  const today = bizdateFor(now, { timezone: spec.params.timeZone ?? "UTC", bizdateOffsetDays: 0 });
  let bizdate: Bizdate;
  try {
    bizdate = text === "today" ? today : text === "yesterday" ? today.addDays(-1) : Bizdate.parse(text);
  } catch (e) {
    throw new ValidationError([{ path: "bizdate", message: e instanceof Error ? e.message : "not a date" }]);
  }
  return { bizdate, campaign: overrides.campaign ?? spec.params.campaign };
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The SQL with ${bizdate} (yyyy-MM-dd), ${bizdate_compact} (yyyyMMdd) and ${campaign} as string literals. */
export function substitute(sqlText: string, p: DashboardParams): string {
  return sqlText
    .replace(/\$\{bizdate\}/g, lit(p.bizdate.format("yyyy-MM-dd")))
    .replace(/\$\{bizdate_compact\}/g, lit(p.bizdate.toString()))
    .replace(/\$\{campaign\}/g, lit(p.campaign));
}

/** Partitioned tables the query reads are restricted to these days (the query stays bounded). */
async function scopesFor(catalog: CatalogSnapshot, sqlText: string, days: readonly Bizdate[]): Promise<TableScope[]> {
  const scopes: TableScope[] = [];
  for (const t of await tablesRead(sqlText)) {
    const spec = catalog.physicalTables.get(t);
    if (spec?.partition) scopes.push({ table: t, partitions: days.map((d) => d.toString()) });
  }
  return scopes;
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

function scalar(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

function label(v: unknown): string {
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace("T", " ");
  return String(scalar(v) ?? "");
}

export class DashboardData {
  constructor(private readonly deps: DashboardDeps) {}

  private backend(catalog: CatalogSnapshot): QueryBackend {
    return this.deps.backend?.(catalog) ?? localQueryBackend({ catalog, env: { baseDir: path.dirname(this.deps.dataDir), dataDir: this.deps.dataDir }, jdbc: this.deps.jdbc, threads: 1 });
  }

  private async rows(catalog: CatalogSnapshot, sqlText: string, days: readonly Bizdate[]): Promise<{ columns: string[]; rows: Row[]; truncated: boolean }> {
    const scopes = await scopesFor(catalog, sqlText, days);
    const r = await runQuery(this.backend(catalog), { sql: sqlText, scopes, limits: LIMITS });
    return { columns: r.columns.map((c) => c.name), rows: r.rows, truncated: r.truncated };
  }

  /** One widget's data for the parameters (errors become an `error` datum: one broken widget does not blank the screen). */
  async widget(catalog: CatalogSnapshot, w: WidgetParsed, p: DashboardParams): Promise<WidgetData> {
    try {
      return await this.shape(catalog, w, p);
    } catch (e) {
      return { kind: "error", message: e instanceof Error ? e.message : String(e) };
    }
  }

  private async shape(catalog: CatalogSnapshot, w: WidgetParsed, p: DashboardParams): Promise<WidgetData> {
    const yesterday = p.bizdate.addDays(-1);
    switch (w.kind) {
      case "number": {
        const first = async (params: DashboardParams) => {
          const r = await this.rows(catalog, substitute(w.sql, params), [params.bizdate]);
          const row = r.rows[0];
          const col = r.columns[0];
          return row && col !== undefined ? num(row[col]) : null;
        };
        const value = await first(p);
        const previous = w.delta ? await first({ ...p, bizdate: yesterday }) : null;
        return { kind: "number", value, previous };
      }
      case "line":
      case "bar": {
        const r = await this.rows(catalog, substitute(w.sql, p), [p.bizdate]);
        const [xCol, ...yCols] = r.columns;
        if (xCol === undefined) return { kind: w.kind, x: [], series: [] };
        return { kind: w.kind, x: r.rows.map((row) => label(row[xCol])), series: yCols.map((c) => ({ name: c, values: r.rows.map((row) => num(row[c])) })) };
      }
      case "table": {
        const r = await this.rows(catalog, substitute(w.sql, p), [p.bizdate]);
        const rows = r.rows.slice(0, w.limit).map((row) => r.columns.map((c) => scalar(row[c])));
        return { kind: "table", columns: r.columns, rows, truncated: r.truncated || r.rows.length > w.limit };
      }
      case "comparison":
        return this.comparison(catalog, w, p.bizdate.addDays(-w.daysBack));
    }
  }

  private async comparison(catalog: CatalogSnapshot, w: Extract<WidgetParsed, { kind: "comparison" }>, day: Bizdate): Promise<WidgetData> {
    const { stream, batch } = comparisonQueries(catalog, w, day);
    const run = async (q: { sql: string; scopes: TableScope[] }) => {
      const r = await runQuery(this.backend(catalog), { sql: q.sql, scopes: q.scopes, limits: LIMITS });
      const row = r.rows[0];
      return row ? num(row.value) : null;
    };
    const s = await run(stream);
    const b = await run(batch);
    return { kind: "comparison", day: day.format("yyyy-MM-dd"), stream: s, batch: b, equal: s !== null && b !== null && s === b };
  }
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A mixed meta-table's two sides for one day: the measure over each physical table, its columns renamed to the meta-table's. */
export function comparisonQueries(catalog: CatalogSnapshot, w: { metaTable: string; measure: string }, day: Bizdate): { stream: { sql: string; scopes: TableScope[] }; batch: { sql: string; scopes: TableScope[] } } {
  const meta: MetaTableSpecParsed | undefined = catalog.metaTables.get(w.metaTable);
  if (!meta) throw new ValidationError([{ path: "metaTable", message: `meta-table '${w.metaTable}' is not in the catalog of '${catalog.project}'` }]);
  if (!meta.stream || !meta.batch) throw new ValidationError([{ path: "metaTable", message: `meta-table '${w.metaTable}' is not mixed (it needs a stream side and a batch side)` }]);
  const batchSpec = catalog.physicalTables.get(meta.batch.table);
  if (!batchSpec?.partition) throw new ValidationError([{ path: "metaTable", message: `the batch side '${meta.batch.table}' of '${w.metaTable}' has no daily partition` }]);
  const plain = (m: Record<string, unknown>) => Object.entries(m).filter((e): e is [string, string] => typeof e[1] === "string");
  const batchCols = plain(meta.batch.mappings);
  const streamCols = plain(meta.stream.mappings);
  // The day column: the meta column the batch partition column maps to, and that column on the stream side.
  const dayMeta = batchCols.find(([, phys]) => phys === batchSpec.partition?.column)?.[0];
  const streamDay = streamCols.find(([metaCol]) => metaCol === dayMeta)?.[1];
  if (!dayMeta || !streamDay) throw new ValidationError([{ path: "metaTable", message: `cannot find the day column of '${w.metaTable}' on its stream side (map the batch partition column '${batchSpec.partition.column}' to a column both sides have)` }]);
  const value = partitionValue(batchSpec.partition, day);
  const view = (table: string, cols: [string, string][]) => `SELECT ${cols.map(([m, phys]) => `${q(phys)} AS ${q(m)}`).join(", ")} FROM ${q(table)}`;
  return {
    stream: { sql: `SELECT ${w.measure} AS value FROM (${view(meta.stream.table, streamCols)}) AS m`, scopes: [{ table: meta.stream.table, where: { column: streamDay, value } }] },
    batch: { sql: `SELECT ${w.measure} AS value FROM (${view(meta.batch.table, batchCols)}) AS m`, scopes: [{ table: meta.batch.table, partitions: [day.toString()] }] },
  };
}

/** A stable hash of a widget's data: the ETag-like version a client sends back. */
export function dataVersion(data: WidgetData): string {
  return createHash("sha1").update(JSON.stringify(data)).digest("hex").slice(0, 16);
}
