import type { Row } from "../engines/local/duck";

// The read-only query service's port. A backend binds sink tables (a local Parquet table's partitions, a
// serving database's table, later a Flink table) under their physical names and runs bounded SELECTs
// over them. Quality checks, reconciliation and (later) dashboards ask through it and never see files.

export type { Row };

/** Which rows of a physical table a scope sees. */
export interface TableScope {
  /** The physical table's name, as the SQL refers to it. */
  table: string;
  /** Another name for it in the SQL (two scopes of one table side by side, e.g. day D and D-7). */
  as?: string;
  /** Daily partitions (yyyyMMdd) of a partitioned batch table; every partition when absent. */
  partitions?: readonly string[];
  /** Rows whose column equals the value (a table without partitions, e.g. a stream sink's day column). */
  where?: { column: string; value: string };
}

export interface QueryLimits {
  /** Rows returned at most; more are cut off and the result says `truncated`. */
  maxRows: number;
  /** The query is cancelled after this long and fails with QueryTimeoutError. */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxRows: 10_000, timeoutMs: 30_000 };

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: Row[];
  truncated: boolean;
  elapsedMs: number;
}

/** Tables bound once, queried many times (a partition's quality rules share one scope). */
export interface QueryScope {
  run(sql: string, limits?: Partial<QueryLimits>): Promise<QueryResult>;
  close(): Promise<void>;
}

export interface QueryBackend {
  /** local: DuckDB over the local engine's sinks; serving and flink are for later backends. */
  readonly kind: "local" | "serving" | "flink";
  open(tables: readonly TableScope[]): Promise<QueryScope>;
}

export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query was cancelled after ${timeoutMs} ms (its time limit)`);
  }
}
