import type { ConnectionSpecParsed, PhysicalTableSpecParsed } from "../../catalog/schemas";

// What the local engine runs: the LocalScript shape of server/sql (sources, the per-side views in
// DuckDB SQL, one entry per INSERT) with connections resolved. Everything here is already DuckDB SQL;
// the engine never parses Flink SQL. See docs/engines.md for the contract and how it maps to Flink.

/** A physical table with its connection and merged connector options (secrets resolved at submit). */
export interface BoundTable {
  table: PhysicalTableSpecParsed;
  connection: ConnectionSpecParsed;
  /** connection.properties, then table.options, then resolved secrets — Flink's WITH (...) of the table. */
  options: Readonly<Record<string, string>>;
}

export interface LocalSource {
  /** The relation name the views and statements use for this physical table. */
  name: string;
  table: BoundTable;
  /** scan: the job's input (the one stream source of a stream job); lookup: a dimension joined by key. */
  role: "scan" | "lookup";
  /**
   * Batch sources: the partitions read. `values` lists them; else `filter` (DuckDB, over the partition
   * column) selects among the partitions present. Undefined reads every partition.
   */
  partitions?: { column: string; values?: string[]; filter?: string };
  /** Computed columns of the physical table, already in DuckDB SQL over its physical columns. */
  computed?: { name: string; sql: string }[];
}

/** A per-side view (the meta-table adapter) in DuckDB SQL; views may use earlier views and sources. */
export interface LocalView {
  name: string;
  sql: string;
}

export type SinkMode = "append" | "upsert" | "overwrite-partition";

/**
 * The partitions a batch write replaces. `value`: one partition, whose column the sink adds (the rows do
 * not carry it). `values`: an hour-partitioned sink's bizdate, its 24 hours; the rows carry the column,
 * rows outside the set are dropped, and every partition of the set is replaced, so an hour that is empty
 * on a rerun loses its old rows too.
 */
export type SinkPartition = { column: string; value: string } | { column: string; values: string[] };

export interface LocalSink {
  table: BoundTable;
  /** Stream: upsert when the sink has a primary key, else append. Batch: overwrite-partition (or append when unpartitioned). */
  mode: SinkMode;
  /** Batch writes of a partitioned sink: the partitions replaced. */
  partition?: SinkPartition;
  /** Physical sink columns in the order the statement's SELECT produces them (a static partition's column excluded). */
  columns: string[];
  /** Rows per second promised to the sink (token bucket over any 1-s window); jdbc sinks. */
  rateLimit?: number;
}

export interface LocalBatchStatement {
  sink: LocalSink;
  /** DuckDB SELECT over sources and views producing `sink.columns` in order. */
  select: string;
}

export type AggregateFn = "count" | "sum" | "min" | "max" | "count_distinct";

export interface StreamAggregateSpec {
  name: string;
  fn: AggregateFn;
  /** DuckDB expression over the statement's input rows; absent means COUNT(*). */
  arg?: string;
}

export interface StreamWindowSpec {
  kind: "tumble" | "hop";
  /** Event-time column of the input rows (a watermark is declared on it). */
  timeColumn: string;
  sizeMs: number;
  /** hop only */
  slideMs?: number;
  /**
   * When the input already assigns windows (server/sql expands TUMBLE/HOP/CUMULATE into window_start /
   * window_end columns): the group keys holding them. Without, the engine assigns windows from timeColumn.
   */
  bounds?: { startKey: number; endKey?: number };
}

/** The incremental form of `SELECT keys, aggs FROM input GROUP BY keys [, window]`. */
export interface StreamAggregation {
  groupKeys: { name: string; expr: string }[];
  aggregates: StreamAggregateSpec[];
  window?: StreamWindowSpec;
  /** DuckDB expressions over group key names, aggregate names and window_start / window_end, producing sink.columns (or project.queryColumns). */
  output: string[];
  /** Optional HAVING over the same names. */
  having?: string;
}

export interface LocalStreamStatement {
  sink: LocalSink;
  /** DuckDB SELECT over the stream source, views and lookup sources: the rows entering the statement (filters, projections, lookup joins). */
  input: string;
  /** Absent: the input rows are the output rows (projection / filter), written as they come. */
  aggregation?: StreamAggregation;
  /**
   * Optional row-wise projection from the query's output to the sink: `sql` selects the sink columns
   * FROM __q, a relation with `queryColumns`; the aggregation's `output` then produces queryColumns.
   */
  project?: { queryColumns: string[]; sql: string };
  /**
   * Keep-first-row deduplication: `input` reads `seen` (a relation the engine provides: columns k0..,
   * o) to drop keys emitted before; `rows` selects the batch's new keys (k0.., o), which the engine then
   * adds to its state. Absent for other statements, whose plan fingerprint is therefore unchanged.
   */
  dedup?: { seen: string; keys: number; rows: string };
  /**
   * Keep-last-row deduplication or a two-level aggregation: the inner level is kept as state and the
   * statement's outer query runs again over the state rows of the outer groups a batch touched
   * (recompute.ts). Absent for other statements, whose plan fingerprint is therefore unchanged.
   */
  recompute?: StreamRecompute;
}

export interface StreamRecompute {
  /** The relation `select` reads in place of the inner query; the engine points it at state rows. */
  relation: string;
  /** Columns of the inner level's rows, in order (a two-level aggregation's `output` produces them). */
  columns: string[];
  /** The name the outer query reads the inner rows by ("" when it gives none). */
  alias: string;
  /** DuckDB expressions over an inner row (as `alias`): the outer group it belongs to. */
  groupKeys: string[];
  /** DuckDB SELECT over `relation` (and the views) producing sink.columns: the statement's outer query. */
  select: string;
  /** Keep-last-row: the state holds the latest row per `keys` by `order`; `input` gives the batch's latest row per key. */
  lastRow?: { keys: string[]; order: string };
}

/** The session time zone as DuckDB (ICU) names it; absent = UTC. TIMESTAMPTZ values convert in it. */
type SessionZone = string | undefined;

export interface LocalBatchJob {
  kind: "batch";
  name: string;
  timeZone?: SessionZone;
  sources: LocalSource[];
  views: LocalView[];
  statements: LocalBatchStatement[];
}

export interface LocalStreamJob {
  kind: "stream";
  name: string;
  timeZone?: SessionZone;
  sources: LocalSource[];
  views: LocalView[];
  statements: LocalStreamStatement[];
  /** Where a fresh job starts reading the stream source. */
  startFrom: "earliest" | "latest";
  /** Watermark of the stream source's event-time column: column and allowed lateness. */
  watermark?: { column: string; delayMs: number };
}

export type LocalJob = LocalBatchJob | LocalStreamJob;

const UNIT_MS: Record<string, number> = {
  "": 1, ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** A Flink duration or interval body ("5 SECOND", "1 s", "500 ms"; no unit = ms) in milliseconds. */
export function intervalMs(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const f = m ? UNIT_MS[(m[2] ?? "").toLowerCase()] : undefined;
  if (!m || f === undefined) throw new Error(`cannot read the duration '${text}'; use e.g. '500 ms', '1 s', '5 SECOND', '1 MINUTE'`);
  return Number(m[1]) * f;
}
