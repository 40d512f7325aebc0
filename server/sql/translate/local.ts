import type { Issue } from "../../errors";
import type { ConnectionType, PhysicalTableSpecParsed } from "../../catalog/schemas";
import { ident, sqlString } from "../ddl";
import { duckdbTimeZone, effectiveTimeZone } from "../time-zone";
import { flinkSelectToDuckdb, handRewriter, LocalTranslationError, polyglotDuckdb } from "../duckdb/convert";
import { duckdbType } from "../duckdb/types";
import { enumeratePartitions, partitionFilterSql } from "../partitions";
import type { CompiledSide } from "../validate";
import { batchPartitions, bindingFor, ddlNamer, physical, sinkTarget, viewSelect, type Side, type TranslateContext } from "./common";
import { dedupSubstitute, incrementalPlan, recomputeSubstitute, type IncrementalPlan } from "./incremental";
import { checkStreamSink } from "./stream-refusals";

// The local script: what the embedded DuckDB engine runs, with no Flink SQL left to parse. The contract
// is documented in docs/sql-translation.md ("The local-script contract").

export interface LocalColumn {
  name: string;
  /** DuckDB type. */
  type: string;
  /** Flink type as declared in the catalog. */
  flinkType: string;
}

export interface LocalTable {
  /** The relation name the script's SQL uses: create a table or view with this name. */
  name: string;
  /** Catalog name of the physical table. */
  physical: string;
  kind: "stream" | "batch";
  /** The connection without its secrets. */
  connection: { name: string; type: ConnectionType; properties: Record<string, string> };
  options: Record<string, string>;
  /** Stored columns, in declaration order. */
  columns: LocalColumn[];
  /** Computed columns as DuckDB expressions over the stored columns (see sourceRelationSql). */
  computed: { name: string; expr: string }[];
  primaryKey: string[];
  /** Batch sources: the partitions to read. values null = every partition that satisfies `filter`. */
  partition: { column: string; format: string; values: string[] | null; filter: string | null } | null;
}

export interface LocalView {
  /** The meta-table name. */
  name: string;
  /** `CREATE OR REPLACE VIEW ... AS SELECT ...` in DuckDB SQL. */
  sql: string;
}

export type WriteMode = "overwrite-partition" | "append" | "upsert";

export interface LocalSink {
  /** LocalTable.name of the sink table. */
  table: string;
  /** Physical columns written, in the order `select` produces them. */
  columns: string[];
  mode: WriteMode;
  /**
   * overwrite-partition: the partitions replaced (delete them, then insert the rows). `value`: one
   * partition, a constant in `select`; `values`: an hour-partitioned sink's bizdate (its 24 hours), the
   * rows carrying the column; every hour of the set is replaced, those without rows emptied.
   */
  partition: { column: string; value: string } | { column: string; values: string[] } | null;
  /** upsert: the key. */
  primaryKey: string[];
}

export interface LocalStatement {
  /** 0-based statement index in the job script. */
  statement: number;
  /** The meta-table written. */
  target: string;
  sink: LocalSink;
  /** DuckDB SELECT over the views producing `sink.columns` in order. */
  select: string;
  /** DuckDB SELECT producing the sink columns from a relation named __q holding the query's output (columns named as `queryColumns`). */
  project: string;
  /** Logical output columns of the user's query, in order. */
  queryColumns: string[];
  /** Stream only: how to run the statement incrementally in micro-batches. */
  incremental: IncrementalPlan | null;
}

export interface LocalScript {
  dialect: "duckdb";
  mode: Side;
  /** Statements to run once per connection before anything else (they set `timeZone`). */
  setup: string[];
  /** The session time zone as DuckDB (ICU) names it: TIMESTAMPTZ values render and convert in it. */
  timeZone: string;
  sources: LocalTable[];
  sinks: LocalTable[];
  /** Create in order: one per meta-table read, over `sources`. */
  views: LocalView[];
  statements: LocalStatement[];
}

export interface LocalScripts {
  stream: LocalScript | null;
  batch: LocalScript | null;
  /** Constructs the local engine cannot run, by side; the Flink scripts are unaffected. */
  errors: Issue[];
}

/**
 * Session settings every local script needs so DuckDB means what Flink means: TIMESTAMPTZ (Flink's
 * TIMESTAMP_LTZ) rendered and converted in the job's session zone, as Flink's `table.local-time-zone`
 * does (ICU), and `/` on two integers is integer division truncating toward zero, as in Flink (DuckDB's
 * default would give 2.5 for 5 / 2); DECIMAL and floating-point division are unaffected.
 */
export function localSetup(duckdbZone = "UTC"): string[] {
  return [`SET TimeZone = ${sqlString(duckdbZone)}`, "SET integer_division = true"];
}

/** The settings of a UTC session (the default of every DuckDB session the engine opens). */
export const LOCAL_SETUP = localSetup();

export function buildLocalScripts(ctx: TranslateContext, stream: CompiledSide, batch: CompiledSide): LocalScripts {
  const errors: Issue[] = [];
  const zone = effectiveTimeZone(ctx.job, stream.analysis, stream.parsed.text);
  const duckZone = duckdbTimeZone(zone);
  if (!duckZone) {
    errors.push({ path: ctx.path, message: `the local engine cannot apply the session time zone '${zone}': DuckDB's ICU has no zone with that offset (use an IANA name such as Asia/Kolkata); run this job on Flink` });
    return { stream: null, batch: null, errors };
  }
  const side = (compiled: CompiledSide, mode: Side): LocalScript | null => {
    try {
      return localScript(ctx, compiled, mode, duckZone);
    } catch (e) {
      if (!(e instanceof LocalTranslationError)) throw e;
      errors.push({ path: ctx.path, ...e.at, message: `${mode} local script: ${e.message}` });
      return null;
    }
  };
  return { stream: side(stream, "stream"), batch: side(batch, "batch"), errors };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

function localTable(ctx: TranslateContext, t: PhysicalTableSpecParsed, name: string, zone: string): LocalTable {
  const conn = ctx.catalog.connections.get(t.connection);
  const computed = t.computedColumns.map((c) => {
    const sql = flinkSelectToDuckdb(`SELECT ${c.expr} FROM t`, zone);
    const m = /^SELECT (.*) FROM t$/s.exec(sql);
    if (!m?.[1]) throw new LocalTranslationError(`cannot translate computed column '${c.name}' of '${t.name}'`);
    return { name: c.name, expr: m[1] };
  });
  return {
    name, physical: t.name, kind: t.kind,
    connection: { name: conn?.name ?? t.connection, type: conn?.type ?? "filesystem", properties: { ...(conn?.properties ?? {}) } },
    options: { ...t.options },
    columns: t.columns.map((c) => ({ name: c.name, type: duckdbType(c.type), flinkType: c.type })),
    computed,
    primaryKey: t.primaryKey ?? [],
    partition: null,
  };
}

/** The DuckDB SELECT exposing a source with its computed columns, from wherever the engine loaded it. */
export function sourceRelationSql(t: LocalTable, from: string): string {
  const cols = [...t.columns.map((c) => q(c.name)), ...t.computed.map((c) => `${c.expr} AS ${q(c.name)}`)];
  return `SELECT ${cols.join(", ")} FROM ${from}`;
}

function localScript(ctx: TranslateContext, compiled: CompiledSide, mode: Side, zone: string): LocalScript {
  const metas = [...new Map(compiled.analysis.metaRefs.map((r) => [r.meta.name, r.meta])).values()];
  const ddlName = ddlNamer(metas.map((m) => m.name));
  const partitions = mode === "batch" ? batchPartitions(ctx, compiled) : undefined;
  const sources = new Map<string, LocalTable>();
  const views: LocalView[] = [];
  for (const m of metas) {
    const b = bindingFor(m, mode);
    const t = b ? physical(ctx, b.table) : undefined;
    if (!b || !t) continue;
    let table = sources.get(t.name);
    if (!table) {
      table = localTable(ctx, t, ddlName(t.name), zone);
      sources.set(t.name, table);
    }
    const p = partitions?.get(m.name);
    let filter: string | undefined;
    if (p && t.partition) {
      filter = partitionFilterSql(ident(p.column), p.set, sqlString);
      table.partition = {
        column: p.column, format: t.partition.format,
        values: enumeratePartitions(p.set, t.partition.format) ?? null,
        filter: partitionFilterSql(q(p.column), p.set, sqlString) ?? null,
      };
    }
    views.push({ name: m.name, sql: `CREATE OR REPLACE VIEW ${q(m.name)} AS ${flinkSelectToDuckdb(viewSelect(m, b, ddlName(t.name), mode, filter), zone)}` });
  }
  const sinks = new Map<string, LocalTable>();
  const statements: LocalStatement[] = [];
  for (const st of compiled.analysis.statements) {
    for (const ins of st.inserts) {
      const target = sinkTarget(ctx, ins, mode);
      if (!target || !ins.query) {
        if (ins.meta && !ins.query) throw new LocalTranslationError(`INSERT ... VALUES into '${ins.meta.name}'`);
        continue;
      }
      const sinkTable = sinks.get(target.table.name) ?? localTable(ctx, target.table, ddlName(target.table.name), zone);
      sinks.set(target.table.name, sinkTable);
      const incremental = mode === "stream" ? incrementalPlan(ctx, compiled, ins, zone) : null;
      if (incremental) checkStreamSink(ctx, compiled, ins, incremental);
      // A stream deduplication reads only keys new to the engine's state (dedup.ts); a keep-last or
      // two-level statement reads its inner level from the engine's state (two-level.ts).
      const substitute = incremental?.recompute ? recomputeSubstitute(compiled, ins.query, zone)
        : incremental?.dedup ? dedupSubstitute(compiled, ins.query, zone) : undefined;
      const query = polyglotDuckdb(handRewriter(compiled.parsed, ins.query, zone, substitute).text(ins.query));
      const logical = ins.targetColumns;
      const tp = target.partition;
      const cols = sinkTable.columns.map((c) => {
        const i = target.physicalColumns.indexOf(c.name);
        const expr = tp && "value" in tp && tp.column === c.name ? sqlString(tp.value)
          : i >= 0 ? `__q.${q(logical[i] ?? "")}` : "NULL";
        return `CAST(${expr} AS ${c.type}) AS ${q(c.name)}`;
      });
      const where = !tp?.logical ? ""
        : "value" in tp ? ` WHERE __q.${q(tp.logical)} = ${sqlString(tp.value)}`
        : ` WHERE CAST(__q.${q(tp.logical)} AS VARCHAR) IN (${tp.hours.map(sqlString).join(", ")})`;
      const project = `SELECT ${cols.join(", ")} FROM __q${where}`;
      const select = `SELECT ${cols.join(", ")} FROM (${query}) AS __q(${logical.map(q).join(", ")})${where}`;
      const modeOf = (): WriteMode => (target.partition ? "overwrite-partition" : sinkTable.primaryKey.length ? "upsert" : "append");
      statements.push({
        statement: st.index, target: target.meta.name,
        sink: {
          table: sinkTable.name, columns: sinkTable.columns.map((c) => c.name), mode: modeOf(),
          partition: !tp ? null : "value" in tp ? { column: tp.column, value: tp.value } : { column: tp.column, values: tp.hours },
          primaryKey: sinkTable.primaryKey,
        },
        select, project, queryColumns: [...logical],
        incremental,
      });
    }
  }
  return { dialect: "duckdb", mode, setup: localSetup(zone), timeZone: zone, sources: [...sources.values()], sinks: [...sinks.values()], views, statements };
}

