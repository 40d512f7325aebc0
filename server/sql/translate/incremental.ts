import { functionName, type InsertInfo, type SelectBlock } from "../analyze";
import { handRewriter, LocalTranslationError, polyglotDuckdb, windowSpec, type WindowSpec } from "../duckdb/convert";
import { child, childrenOf, kind, ruleKids, span, textOf, type Node } from "../tree";
import type { CompiledSide } from "../validate";
import { bindingFor, physical, type TranslateContext } from "./common";

// How the local engine runs a stream statement in micro-batches. Stateless statements re-run their
// SELECT over each batch of new events; grouped aggregations are decomposed into group keys and
// mergeable aggregates (COUNT, SUM, MIN, MAX, COUNT DISTINCT) over a per-event input query. Anything
// else is rejected with the construct's name rather than computed differently.

export type AggregateFunction = "COUNT" | "SUM" | "MIN" | "MAX" | "COUNT_DISTINCT";

export type IncrementalPlan =
  | {
      kind: "append";
      /** Meta-tables read as unbounded streams; the statement's SELECT runs over each batch of their new rows. */
      streamSources: string[];
      lookupJoins: { table: string; alias: string }[];
    }
  | {
      kind: "aggregate";
      streamSources: string[];
      lookupJoins: { table: string; alias: string }[];
      /** DuckDB SELECT over the views: one row per event, columns __k0.. (keys) and __a0.. (aggregate arguments). */
      input: string;
      keys: { column: string; expr: string }[];
      aggregates: { column: string | null; fn: AggregateFunction; expr: string | null }[];
      /** For each output column of the query (in order): the key or aggregate it is. */
      outputs: ({ key: number } | { aggregate: number })[];
      window: WindowSpec | null;
    };

export function incrementalPlan(ctx: TranslateContext, compiled: CompiledSide, ins: InsertInfo, zone = "UTC"): IncrementalPlan {
  const src = compiled.parsed.text;
  const query = ins.query;
  if (!query) throw new LocalTranslationError("a stream INSERT without a query");
  const reject = (what: string, n: Node = query): never => {
    const line = src.slice(0, span(n).start).split("\n").length;
    throw new LocalTranslationError(`the local stream engine cannot run ${what} incrementally (line ${line})`);
  };
  const blocks = compiled.analysis.blocks.filter((b) => within(span(b.node), span(query)));
  const refs = compiled.analysis.metaRefs.filter((r) => within(r, span(query)));
  const streaming = refs.filter((r) => {
    if (r.systemTime) return false;
    const b = bindingFor(r.meta, "stream");
    return (b ? physical(ctx, b.table)?.kind : undefined) === "stream";
  });
  const lookupJoins = refs.filter((r) => !streaming.includes(r)).map((r) => ({ table: r.meta.name, alias: r.alias }));
  const streamSources = [...new Set(streaming.map((r) => r.meta.name))];
  if (streaming.length > 1) reject(`a regular join or union of several streams (${streaming.map((r) => r.meta.name).join(", ")}); join dimensions with FOR SYSTEM_TIME AS OF`);
  const grouped = blocks.filter((b) => b.groupBy.length > 0 || b.outputs.some((o) => o.transform === "aggregation" && b.items.some((i) => i.out.includes(o))));
  const main = mainBlock(query, blocks);
  const hasAgg = grouped.length > 0;
  if (!hasAgg) return { kind: "append", streamSources, lookupJoins };
  if (!main || grouped.length > 1 || grouped[0] !== main) reject("an aggregation that is not the statement's outermost SELECT (nested or several aggregations)");
  const block = main as SelectBlock;
  if (block.having) reject("HAVING", block.having);
  if (block.items.some((i) => i.star)) reject("SELECT * with GROUP BY");

  const duck = handRewriter(compiled.parsed, query, zone);
  const keys: { column: string; expr: string; duck: string; norm: string; name: string }[] = block.groupBy.map((g, i) => {
    const text = textOf(src, g);
    return { column: `__k${i}`, expr: text, duck: duck.text(g), norm: normalize(text), name: lastName(text) };
  });
  const argDuck: string[] = [];
  const aggregates: { column: string | null; fn: AggregateFunction; expr: string | null }[] = [];
  const outputs: ({ key: number } | { aggregate: number })[] = [];
  for (const item of block.items) {
    const expr = item.expr;
    if (!expr) reject("a select item without an expression", item.node);
    const filtered = filteredAggregate(compiled, expr as Node);
    const call = filtered?.call ?? soleCall(expr as Node);
    if (call) {
      const fn = functionName(src, call);
      const distinct = child(call, "setQuantifier") !== undefined && /DISTINCT/i.test(textOf(src, child(call, "setQuantifier") as Node));
      const params = childrenOf(call, "functionParam");
      let arg = params.length === 1 && textOf(src, params[0] as Node).trim() !== "*" ? textOf(src, params[0] as Node) : null;
      let argText = arg === null ? null : duck.text(params[0] as Node);
      let f: AggregateFunction | undefined;
      if (fn === "COUNT") f = distinct ? "COUNT_DISTINCT" : "COUNT";
      else if (!distinct && (fn === "SUM" || fn === "MIN" || fn === "MAX")) f = fn;
      else if (fn === "AVG") reject("AVG (write SUM(x) and COUNT(x) and divide downstream)", item.node);
      if (f) {
        // Only aggregates are limited to one argument; a scalar call (DATE_FORMAT(t, 'yyyyMMdd')) is a key below.
        if (params.length > 1) reject(`${fn} with several arguments`, item.node);
        if (f === "COUNT_DISTINCT" && arg === null) reject("COUNT(DISTINCT *)", item.node);
        if (filtered) {
          // agg(x) FILTER (WHERE c) is agg over CASE WHEN c THEN x END: every one of these skips NULLs.
          arg = `CASE WHEN ${textOf(src, filtered.cond)} THEN ${arg ?? "1"} END`;
          argText = `CASE WHEN ${duck.text(filtered.cond)} THEN ${argText ?? "1"} END`;
        }
        aggregates.push({ column: arg === null ? null : `__a${aggregates.length}`, fn: f, expr: arg });
        argDuck.push(argText ?? "");
        outputs.push({ aggregate: aggregates.length - 1 });
        continue;
      }
    }
    const text = textOf(src, expr as Node);
    let k = keys.findIndex((key) => key.norm === normalize(text) || (key.name !== "" && key.name === lastName(text)));
    if (k < 0) {
      // In a valid grouped query a non-aggregate output is a function of the keys (e.g. CAST(window_start
      // AS STRING)): computing it per event as one more key does not change the groups.
      if (item.out.some((o) => o.transform === "aggregation")) reject(`the output '${text.trim()}': an expression over aggregates (keep COUNT/SUM/MIN/MAX/COUNT(DISTINCT) as whole outputs)`, item.node);
      keys.push({ column: `__k${keys.length}`, expr: text, duck: duck.text(expr as Node), norm: normalize(text), name: lastName(text) });
      k = keys.length - 1;
    }
    outputs.push({ key: k });
  }
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
  const windowClause = block.windowTvf?.parent as Node | undefined;
  return {
    kind: "aggregate", streamSources, lookupJoins,
    input: polyglotDuckdb(input),
    keys: keys.map((k) => ({ column: k.column, expr: k.expr })),
    aggregates, outputs,
    window: windowClause ? windowSpec(src, windowClause, (n, what) => reject(what, n)) : null,
  };
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

/** The function call when an expression is exactly one call. */
/**
 * `agg(x) FILTER (WHERE c)`: the parser sees `agg(x) *COALESCE(c)`, the marker call at a position the
 * shim recorded (parser.ts, shimAggregateFilters). Anything else, including a FILTER the grammar grouped
 * with a neighbouring operator, is not a filtered aggregate.
 */
function filteredAggregate(compiled: CompiledSide, expr: Node): { call: Node; cond: Node } | undefined {
  let cur: Node | undefined = expr;
  while (cur && kind(cur) !== "arithmeticBinary") {
    const rk = ruleKids(cur);
    if (rk.length !== 1 || (cur.children ?? []).length !== 1) return undefined;
    cur = rk[0];
  }
  const operands = cur ? ruleKids(cur) : [];
  const [left, right] = operands;
  if (operands.length !== 2 || !left || !right) return undefined;
  const marker = soleCall(right);
  if (!marker || !compiled.parsed.aggregateFilters.has(span(marker).start)) return undefined;
  const call = soleCall(left);
  const cond = childrenOf(marker, "functionParam")[0];
  return call && cond ? { call, cond } : undefined;
}

function soleCall(n: Node): Node | undefined {
  let cur: Node | undefined = n;
  while (cur) {
    if (kind(cur) === "functionCallExpression") return cur;
    const rk = ruleKids(cur);
    if (rk.length !== 1 || (cur.children ?? []).length !== 1) return undefined;
    cur = rk[0];
  }
  return undefined;
}

function normalize(s: string): string {
  return s.replace(/`/g, "").replace(/\s+/g, "").toLowerCase();
}

function lastName(s: string): string {
  const m = /^`?([A-Za-z_][A-Za-z0-9_]*)`?(\.`?([A-Za-z_][A-Za-z0-9_]*)`?)?$/.exec(s.trim());
  return m ? (m[3] ?? m[1] ?? "").toLowerCase() : "";
}
