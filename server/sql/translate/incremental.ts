import type { InsertInfo, MetaRef, SelectBlock } from "../analyze";
import { handRewriter, LocalTranslationError, polyglotDuckdb, windowSpec, type Substitute, type WindowSpec } from "../duckdb/convert";
import { child, childrenOf, descendants, hasToken, kind, span, type Node } from "../tree";
import type { CompiledSide } from "../validate";
import { bindingFor, physical, sinkTarget, type TranslateContext } from "./common";
import { findDedup, type DedupPlan } from "./dedup";
import { GroupedOutputs, type IncrementalOutput, type StateAggregate } from "./grouped-outputs";
import { innerSubstitute, keepLastRecompute, twoLevelRecompute, type RecomputePlan } from "./two-level";

export type { AggregateFunction, IncrementalOutput } from "./grouped-outputs";
export { aggregateColumn } from "./grouped-outputs";

// How the local engine runs a stream statement in micro-batches. Stateless statements re-run their
// SELECT over each batch of new events; grouped aggregations are decomposed into group keys and
// mergeable aggregates (COUNT, SUM, MIN, MAX, COUNT DISTINCT) over a per-event input query. Anything
// else is rejected with the construct's name rather than computed differently.

export type IncrementalPlan =
  | {
      kind: "append";
      /** Meta-tables read as unbounded streams; the statement's SELECT runs over each batch of their new rows. */
      streamSources: string[];
      lookupJoins: { table: string; alias: string }[];
      /** Keep-first-row deduplication: the statement's select (local.ts) reads only keys new to the state. */
      dedup?: DedupPlan;
      /** Keep-last-row deduplication: the state keeps each key's latest row; the statement's select reads it (two-level.ts). */
      recompute?: RecomputePlan;
    }
  | {
      kind: "aggregate";
      streamSources: string[];
      lookupJoins: { table: string; alias: string }[];
      /** DuckDB SELECT over the views: one row per event, columns __k0.. (keys) and __a0.. (aggregate arguments). */
      input: string;
      keys: { column: string; expr: string }[];
      aggregates: StateAggregate[];
      /** For each output column of the query (in order): the key or aggregate it is, or an expression over them. */
      outputs: IncrementalOutput[];
      window: WindowSpec | null;
      /** A window's HAVING: a DuckDB condition over the same columns as `outputs`' expressions. */
      having?: string;
      dedup?: DedupPlan;
      /** Two-level aggregation: keys and aggregates are the inner level's; the statement's select reads its rows (two-level.ts). */
      recompute?: RecomputePlan;
    };

export function incrementalPlan(ctx: TranslateContext, compiled: CompiledSide, ins: InsertInfo, zone = "UTC"): IncrementalPlan {
  const src = compiled.parsed.text;
  const query = ins.query;
  if (!query) throw new LocalTranslationError("a stream INSERT without a query");
  const reject = (what: string, n: Node = query): never => {
    const at = compiled.sub.map.position(span(n).start);
    throw new LocalTranslationError(`the local stream engine cannot run ${what} incrementally (line ${at.line}, column ${at.column})`, at);
  };
  const blocks = compiled.analysis.blocks.filter((b) => within(span(b.node), span(query)));
  const refs = compiled.analysis.metaRefs.filter((r) => within(r, span(query)));
  const streaming = refs.filter((r) => {
    if (r.systemTime) return false;
    const b = bindingFor(r.meta, "stream");
    return (b ? physical(ctx, b.table)?.kind : undefined) === "stream";
  });
  // The engine looks dimensions up in batch tables it loads into memory; a stream table behind
  // FOR SYSTEM_TIME AS OF would become a second stream source it cannot read.
  for (const r of refs) {
    const b = r.systemTime ? bindingFor(r.meta, "stream") : undefined;
    if (r.systemTime && b && physical(ctx, b.table)?.kind === "stream") {
      reject(`a lookup join (FOR SYSTEM_TIME AS OF) to '${r.meta.name}', whose stream side is a stream table; the local engine looks up batch tables (filesystem, Parquet or JSON)`, r.systemTime.node);
    }
  }
  const lookupJoins = refs.filter((r) => !streaming.includes(r)).map((r) => ({ table: r.meta.name, alias: r.alias }));
  const streamSources = [...new Set(streaming.map((r) => r.meta.name))];
  if (streaming.length > 1 && !unionAllOfOneStream(query, streaming)) reject(`a regular join or union of several streams (${streaming.map((r) => r.meta.name).join(", ")}); join dimensions with FOR SYSTEM_TIME AS OF`);
  const main = mainBlock(query, blocks);
  const dedup = findDedup(compiled, query, blocks, main, reject, zone);
  const sinkHasKey = (sinkTarget(ctx, ins, "stream")?.table.primaryKey?.length ?? 0) > 0;
  if (dedup?.kind === "last" && main) {
    // The outer query (a projection or a GROUP BY) runs again over the latest rows: no incremental aggregate.
    const recompute = keepLastRecompute(compiled, main, dedup, sinkHasKey, reject, zone);
    return { kind: "append", streamSources, lookupJoins, recompute };
  }
  // The deduplicating subquery ranks (ROW_NUMBER reads as an aggregation) but groups nothing.
  const grouped = blocks.filter((b) => b !== dedup?.inner && (b.groupBy.length > 0 || b.outputs.some((o) => o.transform === "aggregation" && b.items.some((i) => i.out.includes(o)))));
  const hasAgg = grouped.length > 0;
  const first = dedup?.kind === "first" ? dedup : undefined;
  const extra = first ? { dedup: first.plan } : {};
  if (!hasAgg) return { kind: "append", streamSources, lookupJoins, ...extra };
  // Two levels: the inner GROUP BY runs incrementally, the outer one again over its state per micro-batch.
  const innerGroup = !dedup && grouped.length === 2 && main && grouped.includes(main) ? grouped.find((b) => b !== main) : undefined;
  const recompute = innerGroup && main ? twoLevelRecompute(compiled, main, innerGroup, blocks, sinkHasKey, reject, zone) : undefined;
  const nested = "an aggregation that is not the statement's outermost SELECT (nested or several aggregations other than an inner GROUP BY read by the outer one)";
  if (!main) return reject(nested);
  if (!innerGroup && (grouped.length > 1 || grouped[0] !== main)) reject(nested);
  const block = innerGroup ?? main;
  const windowClause = block.windowTvf?.parent as Node | undefined;
  // A window emits each group once, when it closes, so HAVING filters at emit; without a window a group
  // can leave the condition after it was emitted, which needs a retraction. The inner level of a two-level
  // aggregation never emits: a HAVING there is refused as well.
  if (block.having && (!windowClause || innerGroup)) {
    reject(innerGroup ? "HAVING on the inner level of a two-level aggregation" : "HAVING on an aggregate without a window (a group can leave the condition after it was emitted, which needs a retraction)", block.having);
  }
  if (block.items.some((i) => i.star)) reject("SELECT * with GROUP BY");

  const duck = handRewriter(compiled.parsed, query, zone, first?.substitute);
  const groups = new GroupedOutputs(compiled, duck, reject, block.groupBy, zone);
  const outputs = block.items.map((item) => groups.output(item));
  const having = block.having ? { having: groups.condition(block.having) } : {};
  const { keys, aggregates, argDuck } = groups;
  const select = [
    ...keys.map((k) => `${k.duck} AS ${k.column}`),
    ...aggregates.flatMap((a, i) => (a.column !== null ? [`${argDuck[i]!} AS ${a.column}`] : [])),
  ];
  if (select.length === 0) select.push("1 AS __one");
  const sel = block.node;
  const from = child(sel, "fromClause");
  const where = child(sel, "whereClause");
  const withClause = child(query, "withClause");
  const input = `${withClause ? `${duck.text(withClause)} ` : ""}SELECT ${select.join(", ")} ${from ? duck.text(from) : ""} ${where ? duck.text(where) : ""}`;
  return {
    kind: "aggregate", streamSources, lookupJoins,
    input: polyglotDuckdb(input),
    keys: keys.map((k) => ({ column: k.column, expr: k.expr })),
    aggregates, outputs,
    window: windowClause ? windowSpec(src, windowClause, (n, what) => reject(what, n)) : null,
    ...having,
    ...extra,
    ...(recompute ? { recompute } : {}),
  };
}

/** The rewrite of a stream query's deduplicating subquery (incrementalPlan has already accepted it). */
export function dedupSubstitute(compiled: CompiledSide, query: Node, zone: string): Substitute | undefined {
  const blocks = compiled.analysis.blocks.filter((b) => within(span(b.node), span(query)));
  const reject = (what: string): never => {
    throw new LocalTranslationError(`the local stream engine cannot run ${what} incrementally`);
  };
  const dedup = findDedup(compiled, query, blocks, mainBlock(query, blocks), reject, zone);
  return dedup?.kind === "first" ? dedup.substitute : undefined;
}

/** The rewrite of a statement whose inner level the engine keeps as state (incrementalPlan has accepted it): the query reads that state. */
export function recomputeSubstitute(compiled: CompiledSide, query: Node, zone: string): Substitute | undefined {
  const blocks = compiled.analysis.blocks.filter((b) => within(span(b.node), span(query)));
  const main = mainBlock(query, blocks);
  const reject = (what: string): never => {
    throw new LocalTranslationError(`the local stream engine cannot run ${what} incrementally`);
  };
  const dedup = findDedup(compiled, query, blocks, main, reject, zone);
  if (dedup?.kind === "last") return innerSubstitute(dedup.inner);
  const inner = blocks.find((b) => b !== main && b.groupBy.length > 0);
  return inner ? innerSubstitute(inner) : undefined;
}

/**
 * UNION ALL branches that each read the same stream once: stateless, so each micro-batch runs the
 * whole union over its new rows. The union may stand anywhere in the statement (at its top, in a WITH
 * query or a subquery the aggregation reads, as an explode writes it): what matters is that every two
 * reads of the stream sit in different branches of one UNION ALL. A join, a subquery over the stream
 * or UNION (distinct) would need the stream's history, and stay refused.
 */
function unionAllOfOneStream(query: Node, streaming: MetaRef[]): boolean {
  if (new Set(streaming.map((r) => r.meta.name)).size !== 1) return false;
  const unions = [query, ...descendants(query, "queryStatement")]
    .filter((n) => hasToken(n, "UNION") && hasToken(n, "ALL"))
    .map((n) => childrenOf(n, "queryStatement"))
    .filter((branches) => branches.length === 2);
  const separated = (a: MetaRef, b: MetaRef): boolean => unions.some((branches) => {
    const ia = branches.findIndex((br) => within(a, span(br)));
    const ib = branches.findIndex((br) => within(b, span(br)));
    return ia >= 0 && ib >= 0 && ia !== ib;
  });
  return streaming.every((a, i) => streaming.slice(i + 1).every((b) => separated(a, b)));
}

function within(inner: { start: number; end: number }, outer: { start: number; end: number }): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** The SELECT block a query statement's output comes from (through WITH and parentheses). */
function mainBlock(query: Node, blocks: SelectBlock[]): SelectBlock | undefined {
  let cur: Node | undefined = query;
  while (cur && kind(cur) === "queryStatement") {
    const sel = child(cur, "selectStatement") ?? child(cur, "selectClause");
    if (sel) return blocks.find((b) => b.node === sel);
    const subs = childrenOf(cur, "queryStatement");
    if (subs.length !== 1) return undefined; // a set operation
    cur = subs[0];
  }
  return undefined;
}

