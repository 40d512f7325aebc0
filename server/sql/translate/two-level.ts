import type { SelectBlock } from "../analyze";
import { handRewriter, LocalTranslationError, polyglotDuckdb, type Substitute } from "../duckdb/convert";
import { span, type Node } from "../tree";
import type { CompiledSide } from "../validate";
import type { KeepLast } from "./dedup";
import type { Reject } from "./grouped-outputs";

// Statements whose inner level changes rows it produced before: a keep-last-row deduplication (a later
// row replaces its key's row) and a two-level aggregation (an inner GROUP BY whose aggregates grow
// under an outer GROUP BY). The local engine keeps the inner level materialized in its state (the
// latest row per key, or the inner aggregate per inner key), updates it per micro-batch, and runs the
// statement's own outer query again over the state rows of the outer groups the batch touched: before
// and after the update. Rows that differ are upserted, rows that disappear are deleted. The outer query
// is never decomposed, so MIN, MAX, COUNT DISTINCT and filters over the inner rows need no retraction
// logic and equal a batch run by construction.

/** The relation the statement's outer query reads in place of its inner query (a view the engine points at the touched state rows). */
export const INNER_RELATION = "__tandem_inner";

export interface RecomputePlan {
  relation: string;
  /** The inner query's columns, in order: the relation's columns. */
  columns: string[];
  /** The name the outer query gives the inner query (group keys may be qualified with it). */
  alias: string;
  /** DuckDB expressions over the relation's columns: the outer group a row belongs to (the deduplication keys when the outer query does not group). */
  groupKeys: string[];
  /** Keep-last-row: the state holds each key's latest row (the inner query's rows); absent for a two-level aggregation. */
  lastRow?: KeepLast;
}

/** For handRewriter: the statement's query reads the relation where it had its inner query. */
export function innerSubstitute(inner: SelectBlock): Substitute {
  return (n) => (n === inner.node ? `SELECT * FROM ${INNER_RELATION}` : undefined);
}

/** The inner query's alias in the outer one ("" when it has none: the engine then names it). */
function innerAlias(main: SelectBlock): string {
  return main.relations.find((r) => r.kind === "derived")?.alias ?? "";
}

/** The outer GROUP BY expressions in DuckDB SQL. */
function groupKeysSql(compiled: CompiledSide, main: SelectBlock, zone: string): string[] {
  return main.groupBy.map((g) => {
    const sql = polyglotDuckdb(`SELECT ${handRewriter(compiled.parsed, g, zone).text(g)} AS __g FROM __r`);
    const m = /^SELECT ([\s\S]*) AS __g FROM __r$/.exec(sql);
    if (!m?.[1]) throw new LocalTranslationError("internal: cannot read back the DuckDB form of a GROUP BY key");
    return m[1];
  });
}

/** Checks shared by both shapes: the outer query reads the inner one alone, and its results are upserted. */
function checkOuter(main: SelectBlock, what: string, sinkHasKey: boolean, reject: Reject, at: Node = main.node): void {
  if (main.relations.length !== 1 || main.relations[0]?.kind !== "derived") reject(`${what} whose outer query reads anything besides its inner query (a join)`, main.node);
  if (main.having) reject(`HAVING over ${what}`, main.having);
  if (!sinkHasKey) {
    reject(`${what} into a sink without a primary key: its results change (a row is replaced or removed), which only an upsert by primary key can follow; declare primaryKey on the sink`, at);
  }
}

export function keepLastRecompute(compiled: CompiledSide, main: SelectBlock, dedup: { inner: SelectBlock; last: KeepLast; order: Node }, sinkHasKey: boolean, reject: Reject, zone: string): RecomputePlan {
  const { inner, last } = dedup;
  checkOuter(main, "keep-last-row deduplication (ORDER BY ... DESC)", sinkHasKey, reject, dedup.order);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const alias = innerAlias(main);
  // An outer aggregate without GROUP BY is one group over all rows (no group keys: any change touches it).
  const aggregates = main.groupBy.length > 0 || main.outputs.some((o) => o.transform === "aggregation");
  return {
    relation: INNER_RELATION,
    columns: inner.outputs.map((o) => o.name),
    alias,
    // Ungrouped, each key's row is its own group; qualified so a key sharing a name with an outer alias still reads the state.
    groupKeys: aggregates ? groupKeysSql(compiled, main, zone) : last.keys.map((k) => `${q(alias || INNER_RELATION)}.${q(k)}`),
    lastRow: last,
  };
}

/** A two-level aggregation: `outer` aggregates the rows of `inner`, itself grouped; the inner one runs as an incremental aggregate. Without an outer GROUP BY the outer level is one group. */
export function twoLevelRecompute(compiled: CompiledSide, main: SelectBlock, inner: SelectBlock, blocks: SelectBlock[], sinkHasKey: boolean, reject: Reject, zone: string): RecomputePlan {
  const what = "a two-level aggregation (an inner GROUP BY feeding an outer one)";
  checkOuter(main, what, sinkHasKey, reject);
  if (inner.windowTvf) reject(`${what} over a window TVF`, inner.windowTvf);
  // The outer GROUP BY keys are read from the inner rows: no query may stand between the two levels.
  const between = blocks.some((b) => b !== main && b !== inner && within(span(inner.node), span(b.node)) && within(span(b.node), span(main.node)));
  if (!within(span(inner.node), span(main.node)) || between) reject(`${what} whose inner GROUP BY is not read directly by the outer one`, inner.node);
  return { relation: INNER_RELATION, columns: inner.outputs.map((o) => o.name), alias: innerAlias(main), groupKeys: groupKeysSql(compiled, main, zone) };
}

function within(inner: { start: number; end: number }, outer: { start: number; end: number }): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}
