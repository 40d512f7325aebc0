import { functionName, isAggregateFunction, type SelectItem } from "../analyze";
import { handRewriter, LocalTranslationError, polyglotDuckdb } from "../duckdb/convert";
import { child, childrenOf, kind, ruleKids, span, textOf, type Node } from "../tree";
import type { CompiledSide } from "../validate";

// The outputs of an incremental grouped query: each one a group key, one mergeable aggregate, or an
// expression over keys and aggregates (SUM(a) / COUNT(*), CAST(MIN(t) AS TIMESTAMP(3))). The engine keeps
// one state column per aggregate and evaluates an expression over the state columns when it emits, so
// the expression sees exactly the values the same aggregates have in a batch run.

export type AggregateFunction = "COUNT" | "SUM" | "MIN" | "MAX" | "COUNT_DISTINCT";

export interface StateAggregate {
  /** Input column of the argument; null for COUNT(*). */
  column: string | null;
  fn: AggregateFunction;
  /** The argument in Flink SQL (a FILTER folded in as CASE WHEN); null for COUNT(*). */
  expr: string | null;
}

/** For each output column: the key or aggregate it is, or DuckDB SQL over key columns and `aggregateColumn(j)`. */
export type IncrementalOutput = { key: number } | { aggregate: number } | { expr: string };

/** The name the engine gives aggregate j's result where it evaluates the outputs. */
export function aggregateColumn(j: number): string {
  return `__g${j}`;
}

export type Reject = (what: string, n: Node) => never;

interface Key { column: string; expr: string; duck: string; norm: string; name: string }

const q = (name: string) => `"${name}"`;

export class GroupedOutputs {
  readonly keys: Key[] = [];
  readonly aggregates: StateAggregate[] = [];
  /** DuckDB text of each aggregate's argument ("" for COUNT(*)). */
  readonly argDuck: string[] = [];
  // Aggregates by meaning, to share state. Whole outputs never share among themselves: that keeps the
  // state layout (part of a running job's plan fingerprint) of queries written before expressions ran.
  private readonly anyByMeaning = new Map<string, number>();
  private readonly exprByMeaning = new Map<string, number>();
  private readonly src: string;

  constructor(
    private readonly compiled: CompiledSide,
    /** The hand-ruled DuckDB text of nodes of the query (keys, aggregate arguments). */
    private readonly duck: { text(n: Node): string },
    private readonly reject: Reject,
    groupBy: Node[],
    /** The session time zone the DuckDB text is for (see convert.ts). */
    private readonly zone = "UTC",
  ) {
    this.src = compiled.parsed.text;
    for (const g of groupBy) this.addKey(g);
  }

  output(item: SelectItem): IncrementalOutput {
    const root = itemExpression(item);
    if (!root) return this.reject("a select item without an expression", item.node);
    const whole = this.aggregateAt(root);
    if (whole) return { aggregate: this.register(whole, false) };
    if (this.containsAggregate(root)) return { expr: this.expression(root) };
    if (item.out.some((o) => o.transform === "aggregation")) {
      this.reject(`the output '${textOf(this.src, root).trim()}' (it reads an aggregate the local engine cannot merge)`, item.node);
    }
    return { key: this.keyFor(root) };
  }

  /** A condition over keys and aggregates (a window's HAVING), evaluated where outputs are. */
  condition(root: Node): string {
    return this.expression(root);
  }

  /** A key equal to the expression, else a new one: in a valid grouped query an aggregate-free output is a function of the keys, so computing it per event does not change the groups. */
  private keyFor(n: Node): number {
    const text = textOf(this.src, n);
    const k = this.keys.findIndex((key) => key.norm === normalize(text) || (key.name !== "" && key.name === lastName(text)));
    return k >= 0 ? k : this.addKey(n);
  }

  private addKey(n: Node): number {
    const text = textOf(this.src, n);
    this.keys.push({ column: `__k${this.keys.length}`, expr: text, duck: this.duck.text(n), norm: normalize(text), name: lastName(text) });
    return this.keys.length - 1;
  }

  /** The aggregate call (with its FILTER condition) a node is, through wrappers. */
  private aggregateAt(n: Node): { call: Node; cond?: Node } | undefined {
    const filtered = filteredAggregate(this.compiled, n);
    if (filtered) return filtered;
    const call = soleCall(n);
    return call && isAggregateFunction(functionName(this.src, call)) ? { call } : undefined;
  }

  private isMarker(n: Node): boolean {
    return kind(n) === "functionCallExpression" && this.compiled.parsed.aggregateFilters.has(span(n).start);
  }

  /** An aggregate call, a FILTER marker or an OVER window at or under n (subqueries are blocks of their own). */
  private aggregateUnder(n: Node): Node | undefined {
    const k = kind(n);
    if (k === "queryStatement") return undefined;
    if (k === "overWindowItem" || k === "windowSpec" || this.isMarker(n)) return n;
    if (k === "functionCallExpression" && isAggregateFunction(functionName(this.src, n))) return n;
    for (const c of ruleKids(n)) {
      const found = this.aggregateUnder(c);
      if (found) return found;
    }
    return undefined;
  }

  private containsAggregate(n: Node): boolean {
    return this.aggregateUnder(n) !== undefined;
  }

  /** The state index of an aggregate; refuses what cannot merge exactly. `inExpression`: may share state. */
  private register(agg: { call: Node; cond?: Node }, inExpression: boolean): number {
    const { call, cond } = agg;
    const fn = functionName(this.src, call);
    const quantifier = child(call, "setQuantifier");
    const distinct = quantifier !== undefined && /DISTINCT/i.test(textOf(this.src, quantifier));
    const params = childrenOf(call, "functionParam");
    for (const inner of [...params, ...(cond ? [cond] : [])]) {
      const nested = this.aggregateUnder(inner);
      if (nested) this.reject(`an aggregate inside another aggregate ('${textOf(this.src, call).trim()}')`, nested);
    }
    let f: AggregateFunction | undefined;
    if (fn === "COUNT") f = distinct ? "COUNT_DISTINCT" : "COUNT";
    else if (!distinct && (fn === "SUM" || fn === "MIN" || fn === "MAX")) f = fn;
    else if (fn === "AVG") this.reject("AVG (write SUM(x) / COUNT(x): both merge exactly)", call);
    if (!f) return this.reject(`${distinct ? `${fn}(DISTINCT ...)` : fn} (only COUNT, SUM, MIN, MAX and COUNT(DISTINCT ...) merge exactly)`, call);
    if (params.length > 1) this.reject(`${fn} with several arguments`, call);
    const star = params.length === 0 || textOf(this.src, params[0] as Node).trim() === "*";
    if (f === "COUNT_DISTINCT" && star) this.reject("COUNT(DISTINCT *)", call);
    let arg = star ? null : textOf(this.src, params[0] as Node);
    let argText = star ? null : this.duck.text(params[0] as Node);
    if (cond) {
      // agg(x) FILTER (WHERE c) is agg over CASE WHEN c THEN x END: every one of these skips NULLs.
      arg = `CASE WHEN ${textOf(this.src, cond)} THEN ${arg ?? "1"} END`;
      argText = `CASE WHEN ${this.duck.text(cond)} THEN ${argText ?? "1"} END`;
    }
    const meaning = `${f}|${normalize(arg ?? "*")}`;
    const shared = (inExpression ? this.anyByMeaning : this.exprByMeaning).get(meaning);
    if (shared !== undefined) return shared;
    this.aggregates.push({ column: arg === null ? null : `__a${this.aggregates.length}`, fn: f, expr: arg });
    this.argDuck.push(argText ?? "");
    const j = this.aggregates.length - 1;
    if (!this.anyByMeaning.has(meaning)) this.anyByMeaning.set(meaning, j);
    if (inExpression && !this.exprByMeaning.has(meaning)) this.exprByMeaning.set(meaning, j);
    return j;
  }

  /** DuckDB SQL for an expression over aggregates: aggregates read their state, key expressions their key column. */
  private expression(root: Node): string {
    const substitute = (n: Node): string | undefined => {
      const agg = this.aggregateAt(n);
      if (agg) return q(aggregateColumn(this.register(agg, true)));
      if (this.isMarker(n)) this.reject("a FILTER clause the parser grouped with an operator (put the filtered aggregate in parentheses)", n);
      const k = kind(n);
      if (k === "overWindowItem" || k === "windowSpec") this.reject("an OVER window (OVER aggregates, LAG/LEAD, ranking; only the keep-first ROW_NUMBER deduplication runs on the stream)", n);
      if (this.containsAggregate(n) || !hasColumnRef(n)) return undefined;
      return q(this.keys[this.keyFor(n)]?.column ?? "");
    };
    const text = handRewriter(this.compiled.parsed, root, this.zone, substitute).text(root);
    // The batch side normalizes its whole query the same way; here one expression, over a stand-in relation.
    const sql = polyglotDuckdb(`SELECT ${text} AS __o FROM __state`);
    const m = /^SELECT ([\s\S]*) AS __o FROM __state$/.exec(sql);
    if (!m?.[1]) throw new LocalTranslationError(`internal: cannot read back the DuckDB form of '${textOf(this.src, root).trim()}'`);
    return m[1];
  }
}

/**
 * The expression of a select item. Without an alias, dt-sql-parser reads `k + COUNT(*)` as the column
 * `k` followed by the expression `+ COUNT(*)`: the item itself is then the expression.
 */
function itemExpression(item: SelectItem): Node | undefined {
  const literal = child(item.node, "selectLiteralColumnName");
  if (literal && child(item.node, "expression") && !child(item.node, "columnAlias")) return item.node;
  return item.expr;
}

function hasColumnRef(n: Node): boolean {
  const k = kind(n);
  if (k === "columnReference" || k === "columnName" || k === "columnNamePath" || k === "timeAttrColumn") return true;
  return ruleKids(n).some(hasColumnRef);
}

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

/** The function call when an expression is exactly one call. */
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
