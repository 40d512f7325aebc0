import { DuckSession } from "../engines/local/duck";
import { checkReadOnly } from "./guard";
import type { QueryBackend, QueryLimits, QueryResult, TableScope } from "./types";

// One bounded query over sink tables: the tables it reads are found in its parse tree and bound by the
// backend (restricted to the scopes given, e.g. one day's partition), then it runs within its limits.

export interface QueryRequest {
  sql: string;
  /** Restrictions of tables the query reads (partitions, a day column); others are read whole. */
  scopes?: readonly TableScope[];
  limits?: Partial<QueryLimits>;
}

let parser: Promise<DuckSession> | undefined;

/** The tables a query reads, after checking it is one read-only SELECT (refused with a ValidationError). */
export async function tablesRead(sql: string): Promise<string[]> {
  // One small parser session per process: checking a query needs DuckDB's parser, not a database.
  parser ??= DuckSession.open(":memory:", { threads: 1 });
  return (await checkReadOnly(await parser, sql)).tables;
}

export async function runQuery(backend: QueryBackend, req: QueryRequest): Promise<QueryResult & { tables: string[] }> {
  const tables = await tablesRead(req.sql);
  const scoped = new Map((req.scopes ?? []).map((s) => [s.table.toLowerCase(), s]));
  const scope = await backend.open(tables.map((t) => scoped.get(t) ?? { table: t }));
  try {
    return { ...(await scope.run(req.sql, req.limits)), tables };
  } finally {
    await scope.close();
  }
}
