import path from "node:path";
import type { CatalogSnapshot } from "../catalog/schemas";
import { bindTable } from "../engines/local/bind";
import { DuckSession, lit, q } from "../engines/local/duck";
import { sinkTableName, type SqlDatabase } from "../engines/local/jdbc";
import type { BoundTable } from "../engines/local/plan";
import { formatOf, registerBoundedSource, resolvePath, requireOption, type EngineEnv } from "../engines/local/sources";
import { duckType } from "../engines/local/types";
import { ValidationError } from "../errors";
import { Bizdate, partitionValue } from "../scheduling/index";
import { checkReadOnly } from "./guard";
import { DEFAULT_LIMITS, QueryTimeoutError, type QueryBackend, type QueryLimits, type QueryResult, type QueryScope, type TableScope } from "./types";

// The local engine's query backend: one in-memory DuckDB per scope. A Parquet table becomes a view over
// exactly the wanted partitions' files (the engine's own source code: same columns, same types); a jdbc
// table (the stream side's serving table) is copied in, filtered to the scope's rows and capped. Then
// the session is closed to the outside: no file access beyond those folders, settings locked.

export interface LocalQueryOptions {
  catalog: CatalogSnapshot;
  env: EngineEnv;
  /** The database of a jdbc table (Tandem's embedded one for the host tandem-embedded). */
  jdbc?: (t: BoundTable) => SqlDatabase;
  /** Rows copied from a jdbc table at most (default 1,000,000): a scope over a serving table stays bounded. */
  maxCopiedRows?: number;
  threads?: number;
}

export function localQueryBackend(opts: LocalQueryOptions): QueryBackend {
  return {
    kind: "local",
    async open(tables) {
      const s = await DuckSession.open(":memory:", { threads: opts.threads });
      try {
        const dirs: string[] = [];
        for (const scope of tables) dirs.push(...(await bind(s, scope, opts)));
        // Reading stays possible only where the bound tables live; the query cannot change that.
        const allowed = [...new Set(dirs)].map((d) => lit(d.endsWith(path.sep) ? d : d + path.sep));
        await s.run(`SET allowed_directories = [${allowed.join(", ")}]`);
        await s.run("SET enable_external_access = false");
        await s.run("SET lock_configuration = true");
        return new LocalScope(s, new Set(tables.map((t) => (t.as ?? t.table).toLowerCase())));
      } catch (e) {
        s.close();
        throw e;
      }
    },
  };
}

/** Binds one table in the session; returns the folders its view reads. */
async function bind(s: DuckSession, scope: TableScope, opts: LocalQueryOptions): Promise<string[]> {
  const spec = opts.catalog.physicalTables.get(scope.table);
  if (!spec) throw new ValidationError([{ path: "tables", message: `table '${scope.table}' is not in the catalog of '${opts.catalog.project}'` }]);
  const t = bindTable(opts.catalog, scope.table);
  if (t.connection.type === "filesystem" && formatOf(t) === "parquet") {
    const partitions = scope.partitions && spec.partition
      ? { column: spec.partition.column, values: scope.partitions.map((p) => partitionValue(spec.partition as { format: string }, Bizdate.parse(p))) }
      : undefined;
    const visible = scope.as ?? scope.table;
    const name = scope.where ? `__all_${visible}` : visible;
    await registerBoundedSource(s, { name, table: t, role: "scan", partitions }, opts.env);
    if (scope.where) await s.run(`CREATE OR REPLACE TEMP VIEW ${q(visible)} AS SELECT * FROM ${q(name)} WHERE CAST(${q(scope.where.column)} AS VARCHAR) = ${lit(scope.where.value)}`);
    return [resolvePath(requireOption(t, "path"), opts.env)];
  }
  if (t.connection.type === "jdbc") {
    if (scope.as) throw new ValidationError([{ path: "tables", message: `jdbc table '${scope.table}' cannot be bound under another name` }]);
    if (!opts.jdbc) throw new ValidationError([{ path: "tables", message: `table '${scope.table}' lives in a jdbc database this query service cannot reach` }]);
    await copyJdbc(s, t, scope, opts.jdbc(t), opts.maxCopiedRows ?? 1_000_000);
    return [];
  }
  throw new ValidationError([{ path: "tables", message: `table '${scope.table}' (connector '${t.connection.type}', format '${formatOf(t)}') cannot be queried on the local engine; supported: Parquet tables and jdbc tables` }]);
}

/** Copies a jdbc table's scoped rows into a temp table with the declared DuckDB types. */
async function copyJdbc(s: DuckSession, t: BoundTable, scope: TableScope, db: SqlDatabase, cap: number): Promise<void> {
  const cols = t.table.columns;
  const pgCols = cols.map((c) => `${pgQ(c.name)}::text AS ${pgQ(c.name)}`).join(", ");
  const where = scope.where ? ` WHERE ${pgQ(scope.where.column)}::text = $1` : "";
  const res = await db.query(`SELECT ${pgCols} FROM ${sinkTableName(t)}${where} LIMIT ${cap + 1}`, scope.where ? [scope.where.value] : []);
  if (res.rows.length > cap) throw new ValidationError([{ path: "tables", message: `table '${t.table.name}' has more than ${cap.toLocaleString("en-US")} rows in scope; narrow the scope` }]);
  await s.run(`CREATE OR REPLACE TEMP TABLE ${q(t.table.name)} (${cols.map((c) => `${q(c.name)} ${duckType(c.type)}`).join(", ")})`);
  const CHUNK = 2000;
  for (let i = 0; i < res.rows.length; i += CHUNK) {
    const values = res.rows.slice(i, i + CHUNK).map((r) => `(${cols.map((c) => (r[c.name] === null || r[c.name] === undefined ? "NULL" : lit(String(r[c.name])))).join(", ")})`);
    await s.run(`INSERT INTO ${q(t.table.name)} SELECT ${cols.map((c, j) => `CAST(${q(`c${j}`)} AS ${duckType(c.type)})`).join(", ")} FROM (VALUES ${values.join(", ")}) AS v(${cols.map((_, j) => q(`c${j}`)).join(", ")})`);
  }
}

function pgQ(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

class LocalScope implements QueryScope {
  constructor(private readonly s: DuckSession, private readonly bound: ReadonlySet<string>) {}

  async run(sql: string, limits: Partial<QueryLimits> = {}): Promise<QueryResult> {
    const { maxRows, timeoutMs } = { ...DEFAULT_LIMITS, ...limits };
    const checked = await checkReadOnly(this.s, sql);
    const unknown = checked.tables.filter((t) => !this.bound.has(t));
    if (unknown.length > 0) throw new ValidationError([{ path: "sql", message: `the query reads ${unknown.map((t) => `'${t}'`).join(", ")}, which ${unknown.length === 1 ? "is" : "are"} not among its tables (${[...this.bound].join(", ") || "none"})` }]);
    const started = performance.now();
    const cancel = { timedOut: false };
    const timer = setTimeout(() => {
      cancel.timedOut = true;
      this.s.connection.interrupt();
    }, timeoutMs);
    try {
      const limited = `SELECT * FROM (\n${checked.sql}\n) AS __q LIMIT ${maxRows + 1}`;
      const reader = await this.s.connection.runAndReadAll(limited);
      const columns = reader.columnNames().map((name, i) => ({ name, type: String(reader.columnType(i)) }));
      const rows = reader.getRowObjectsJS() as QueryResult["rows"];
      const truncated = rows.length > maxRows;
      return { columns, rows: truncated ? rows.slice(0, maxRows) : rows, truncated, elapsedMs: performance.now() - started };
    } catch (e) {
      if (cancel.timedOut) throw new QueryTimeoutError(timeoutMs);
      throw new ValidationError([{ path: "sql", message: `the query failed: ${e instanceof Error ? e.message : String(e)}` }]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.s.close();
  }
}
