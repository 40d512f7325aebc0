import { Dialect, transpile } from "@polyglot-sql/sdk";
import { functionName } from "../analyze";
import { parseFlinkSql, type ParsedSql } from "../parser";
import { child, childrenOf, first, hasToken, kind, pathParts, span, textOf, type Node } from "../tree";
import { functionProblem, rewriteFunction, SAME_MEANING } from "./functions";
import { duckdbType, javaToStrftime } from "./types";

// Flink SQL (one SELECT) -> DuckDB SQL for the local engine. Hand rules first, on the Flink parse tree:
// window TVFs, FOR SYSTEM_TIME AS OF, FLOOR/CEIL(x TO unit), JSON_VALUE, DATE_FORMAT, TO_TIMESTAMP_LTZ
// and CAST types; then @polyglot-sql/sdk normalizes to the DuckDB dialect with unsupportedLevel 'raise'.
// A construct without an exact DuckDB equivalent is an error that names it, never a different query.
// The session zone (a DuckDB/ICU name, set on the session by LocalScript.timeZone) changes the text only
// where UTC has a faster spelling; everything else is zone-free SQL that ICU evaluates in the session zone.

export class LocalTranslationError extends Error {
  /** `at`: where in the user's script, when the refusal is about one construct. */
  constructor(message: string, readonly at?: { line: number; column: number }) {
    super(message);
  }
}

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000,
};

interface Edit { start: number; end: number; text: string }

/** Converts a Flink SELECT (text) to DuckDB. Throws LocalTranslationError naming the construct. */
export function flinkSelectToDuckdb(flinkSql: string, zone = "UTC"): string {
  return memo(selectCache, `${zone}\u0000${flinkSql}`, () => {
    const parsed = parseFlinkSql(flinkSql);
    if (parsed.errors.length > 0) throw new LocalTranslationError(`internal: cannot parse for DuckDB: ${parsed.errors[0]?.message ?? ""}`);
    return polyglotDuckdb(apply(parsed.text, handRules(parsed, parsed.tree, zone)));
  });
}

// Views and computed columns come from the catalog and repeat across translations: the same input
// text always converts to the same output, so conversions are memoized (bounded).
const selectCache = new Map<string, string>();
const polyglotCache = new Map<string, string>();
function memo(cache: Map<string, string>, key: string, f: () => string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const v = f();
  if (cache.size >= 2000) cache.clear();
  cache.set(key, v);
  return v;
}

/** For benchmarks: forget memoized conversions. */
export function clearDuckdbCaches(): void {
  selectCache.clear();
  polyglotCache.clear();
}

/**
 * Replaces a node by DuckDB text before the hand rules see it (its subtree is not visited), so a rule
 * around it builds on the replacement: IFNULL(MAX(x), 0) over an aggregate's state column.
 */
export type Substitute = (n: Node) => string | undefined;

/**
 * Hand rules applied to a subtree of an already parsed script (no re-parse): `text(node)` gives the
 * DuckDB-ready text of any node under it, to assemble and pass to polyglotDuckdb.
 */
export function handRewriter(parsed: ParsedSql, root: Node, zone = "UTC", substitute?: Substitute): { text(n: Node): string } {
  const rw = new Rewriter(parsed.text);
  for (const e of handRules(parsed, root, zone, substitute)) rw.add(e);
  return { text: (n) => rw.of(n) };
}

/** Normalizes hand-ruled SQL to the DuckDB dialect; unsupported constructs raise. */
export function polyglotDuckdb(rewritten: string): string {
  return memo(polyglotCache, rewritten, () => transpileDuckdb(rewritten));
}

function transpileDuckdb(rewritten: string): string {
  const out = transpile(rewritten, Dialect.DuckDB, Dialect.DuckDB, { unsupportedLevel: "raise" });
  if (!out.success || !out.sql?.[0]) {
    throw new LocalTranslationError(`the local engine (DuckDB) cannot run this SQL: ${out.error ?? "unknown error"}`);
  }
  return out.sql.join(";\n");
}

function apply(text: string, edits: Edit[]): string {
  // Outer edits (window TVFs) contain inner ones; keep the outermost of overlapping edits.
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "", pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Edits in post-order: a rule that rebuilds a call reads its arguments with the inner edits applied. */
class Rewriter {
  private edits: Edit[] = [];
  constructor(readonly src: string) {}
  add(e: Edit): void {
    this.edits = this.edits.filter((x) => x.start < e.start || x.end > e.end);
    this.edits.push(e);
  }
  text(start: number, end: number): string {
    const inner = this.edits.filter((e) => e.start >= start && e.end <= end);
    return apply(this.src.slice(start, end), inner.map((e) => ({ ...e, start: e.start - start, end: e.end - start })));
  }
  of(n: Node): string {
    const s = span(n);
    return this.text(s.start, s.end);
  }
  all(): Edit[] {
    return this.edits;
  }
}

function handRules(p: ParsedSql, root: Node, zone: string, substitute?: Substitute): Edit[] {
  const src = p.text;
  const rw = new Rewriter(src);
  const fail = (n: Node, what: string): never => {
    const line = src.slice(0, span(n).start).split("\n").length;
    throw new LocalTranslationError(`the local engine (DuckDB) cannot run ${what} (line ${line}: ${textOf(src, n).slice(0, 80)})`);
  };
  const visit = (n: Node): void => {
    const replaced = substitute?.(n);
    if (replaced !== undefined) {
      rw.add({ ...span(n), text: replaced });
      return;
    }
    for (const c of n.children ?? []) if (!("symbol" in c)) visit(c as Node);
    switch (kind(n)) {
      case "matchRecognizeClause": fail(n, "MATCH_RECOGNIZE"); break;
      case "groupWindowFunction": fail(n, "a group window function in GROUP BY (use a window TVF: TABLE(TUMBLE(...)))"); break;
      case "systemTimePeriod": rw.add({ ...span(n), text: "" }); break; // the local engine joins the dimension's current rows
      case "windowTVFClause": rw.add({ ...span(n), text: windowTvf(src, n, fail, zone) }); break;
      case "cast": {
        const ct = child(n, "columnType");
        if (!ct) break;
        const type = typeOrFail(textOf(src, ct), ct, fail);
        const x = child(n, "expression");
        const ltz = x ? castFromLtz(rw.of(x), type, zone) : undefined;
        rw.add(ltz ? { ...span(n), text: ltz } : { ...span(ct), text: type });
        break;
      }
      case "tablePrimary":
        if (hasToken(n, "LATERAL") && hasToken(n, "TABLE")) fail(n, "LATERAL TABLE (table functions)");
        break;
      case "functionCallExpression": {
        // The marker of an aggregate's FILTER (WHERE ...): the user's text is kept, DuckDB runs FILTER as is.
        if (p.aggregateFilters.has(span(n).start)) break;
        const e = functionRule(p, rw, n, fail, zone);
        if (e) rw.add(e);
        break;
      }
    }
  };
  visit(root);
  return rw.all();
}

function typeOrFail(flink: string, n: Node, fail: (n: Node, what: string) => never): string {
  try {
    return duckdbType(flink);
  } catch {
    return fail(n, `the type ${flink}`);
  }
}

/**
 * A value as a TIMESTAMP (wall clock) in the session zone, as Flink converts TIMESTAMP_LTZ. In UTC a
 * TIMESTAMPTZ is rebuilt from its epoch instead of cast: the cast goes through ICU's calendar and
 * costs twice as much per row, on the stream's hot path. DuckDB folds typeof() while binding, so only
 * the branch for the argument's type remains; other types (TIMESTAMP, DATE, strings) cast.
 */
export function asLocalTimestamp(x: string, zone = "UTC"): string {
  const ltz = zone === "UTC" ? `make_timestamp(epoch_us(TRY_CAST(${x} AS TIMESTAMPTZ)))` : `CAST(TRY_CAST(${x} AS TIMESTAMPTZ) AS TIMESTAMP)`;
  return `CASE typeof(${x}) WHEN 'TIMESTAMP WITH TIME ZONE' THEN ${ltz} ELSE CAST(${x} AS TIMESTAMP) END`;
}

/**
 * CAST of a TIMESTAMP_LTZ where DuckDB's meaning differs from Flink's: to a string Flink shows the
 * session zone's wall clock without an offset (DuckDB appends '+08'); to BIGINT/INT it gives epoch
 * seconds (DuckDB has no such cast). Other values cast as written (the typeof() branch folds away).
 */
function castFromLtz(x: string, type: string, zone: string): string | undefined {
  const ltz = `TRY_CAST(${x} AS TIMESTAMPTZ)`;
  let asLtz: string;
  if (type === "VARCHAR") asLtz = `CAST(${asLocalTimestamp(ltz, zone)} AS VARCHAR)`;
  else if (type === "BIGINT" || type === "INTEGER") asLtz = `CAST(trunc(epoch_ms(${ltz}) / 1000.0) AS ${type})`;
  else return undefined;
  return `(CASE typeof(${x}) WHEN 'TIMESTAMP WITH TIME ZONE' THEN ${asLtz} ELSE CAST(${x} AS ${type}) END)`;
}

function functionRule(p: ParsedSql, rw: Rewriter, call: Node, fail: (n: Node, what: string) => never, zone: string): Edit | undefined {
  const src = p.text;
  const name = functionName(src, call);
  const args = childrenOf(call, "functionParam").map((a) => rw.of(a));
  const whole = span(call);
  const strArg = (i: number): string | undefined => {
    const a = args[i]?.trim();
    return a && /^'.*'$/s.test(a) ? a.slice(1, -1).replace(/''/g, "'") : undefined;
  };
  switch (name) {
    case "DATE_FORMAT": {
      const fmt = strArg(1);
      const conv = fmt !== undefined ? javaToStrftime(fmt) : undefined;
      if (args.length !== 2 || conv === undefined) fail(call, "DATE_FORMAT with this pattern (use a literal pattern of yyyy MM dd HH mm ss SSS)");
      return { ...whole, text: `strftime(${asLocalTimestamp(args[0] ?? "", zone)}, '${conv.replace(/'/g, "''")}')` };
    }
    case "TO_TIMESTAMP_LTZ": {
      const precision = args[1]?.trim() ?? "3";
      // An instant from its epoch, whatever the session zone (casting epoch_ms's TIMESTAMP would read it as local).
      if (precision === "3") return { ...whole, text: `make_timestamptz(CAST(${args[0] ?? "NULL"} AS BIGINT) * 1000)` };
      if (precision === "0") return { ...whole, text: `make_timestamptz(CAST(${args[0] ?? "NULL"} AS BIGINT) * 1000000)` };
      return fail(call, `TO_TIMESTAMP_LTZ with precision ${precision}`);
    }
    case "JSON_VALUE": {
      // Flink: NULL for invalid JSON, a missing path, or an object/array (NULL ON EMPTY / ON ERROR).
      if (args.length !== 2) fail(call, "JSON_VALUE with RETURNING / ON EMPTY / ON ERROR clauses");
      const path = strArg(1);
      if (path === undefined || !/^\$/.test(path)) fail(call, "JSON_VALUE with a path that is not a lax literal path such as '$.a.b'");
      const j = `(${args[0] ?? "NULL"})`;
      return { ...whole, text: `(CASE WHEN json_valid(${j}) AND coalesce(json_type(${j}, ${args[1] ?? "NULL"}) NOT IN ('OBJECT', 'ARRAY'), false) THEN json_extract_string(${j}, ${args[1] ?? "NULL"}) END)` };
    }
    case "PROCTIME":
      return { ...whole, text: "current_timestamp" };
    case "LISTAGG":
      return { ...whole, text: `string_agg(${args[0] ?? "NULL"}, ${args[1] ?? "','"})` };
    case "FLOOR": case "CEIL": case "CEILING": {
      const params = childrenOf(call, "functionParam");
      const second = params[1];
      if (!second || !isShimmedUnit(p, second)) return undefined;
      // p.text is the user's text: the parameter span covers `O UNIT` of the original `TO UNIT`.
      const unit = src.slice(span(second).start - 1, span(second).end).replace(/^TO\s+/i, "").trim().toLowerCase();
      if (!/^(second|minute|hour|day|week|month|quarter|year)$/.test(unit)) fail(call, `${name}(x TO ${unit})`);
      const x = args[0] ?? "";
      if (name === "FLOOR") return { ...whole, text: `date_trunc('${unit}', ${x})` };
      return { ...whole, text: `(CASE WHEN date_trunc('${unit}', ${x}) = ${x} THEN ${x} ELSE date_trunc('${unit}', ${x}) + INTERVAL 1 ${unit} END)` };
    }
    default: {
      // A typed literal (DATE '2024-11-11') parses as a call whose "name" is the whole literal.
      if (SAME_MEANING.has(name) || !/^[A-Z_][A-Z0-9_]*$/.test(name)) return undefined;
      const text = rewriteFunction(name, { args, literal: strArg, fail: (what) => fail(call, what) });
      if (text !== undefined) return { ...whole, text };
      return fail(call, functionProblem(name)?.replace(/^the local engine cannot run /, "") ?? `the function ${name}`);
    }
  }
}

/** The second argument of FLOOR/CEIL came from the `x TO unit` shim (the TO sat just before it). */
function isShimmedUnit(p: ParsedSql, param: Node): boolean {
  const s = span(param).start;
  for (let i = s; i >= Math.max(0, s - 2); i--) if (p.timeUnitCalls.has(i)) return true;
  return false;
}

/**
 * TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(ts), ...)) -> a subquery adding window_start/end/time.
 * As in Flink, windows on a TIMESTAMP_LTZ time attribute are aligned to the session zone's wall clock
 * (a day window starts at local midnight) and their bounds are that wall clock; TIMESTAMP is wall clock.
 */
function windowTvf(src: string, clause: Node, fail: (n: Node, what: string) => never, zone: string): string {
  const spec = windowSpec(src, clause, fail);
  const ms = zone === "UTC" ? `epoch_ms(${spec.timeColumn})` : `epoch_ms(${asLocalTimestamp(spec.timeColumn, zone)})`;
  const ts = (e: string) => `make_timestamp(CAST(${e} AS BIGINT) * 1000)`;
  const cols = (start: string, end: string) =>
    `${ts(start)} AS window_start, ${ts(end)} AS window_end, ${ts(`${end} - 1`)} AS window_time`;
  switch (spec.kind) {
    case "TUMBLE": {
      const start = `floor(${ms} / ${spec.size}) * ${spec.size}`;
      return `(SELECT *, ${cols(start, `${start} + ${spec.size}`)} FROM ${spec.table})`;
    }
    case "HOP": {
      const slide = spec.slide ?? spec.size;
      const k = `unnest(generate_series(CAST(floor((${ms} - ${spec.size}) / ${slide}) AS BIGINT) + 1, CAST(floor(${ms} / ${slide}) AS BIGINT)))`;
      return `(SELECT * EXCLUDE (__k), ${cols(`__k * ${slide}`, `__k * ${slide} + ${spec.size}`)} FROM (SELECT *, ${k} AS __k FROM ${spec.table}))`;
    }
    case "CUMULATE": {
      const step = spec.slide ?? spec.size;
      const start = `floor(${ms} / ${spec.size}) * ${spec.size}`;
      const k = `unnest(generate_series(CAST(floor((${ms} - ${start}) / ${step}) AS BIGINT) + 1, ${Math.floor(spec.size / step)}))`;
      return `(SELECT * EXCLUDE (__k, __ws), ${cols("__ws", `__ws + __k * ${step}`)} FROM (SELECT *, ${start} AS __ws, ${k} AS __k FROM ${spec.table}))`;
    }
  }
}

export interface WindowSpec {
  kind: "TUMBLE" | "HOP" | "CUMULATE";
  table: string;
  timeColumn: string;
  /** Milliseconds. */
  size: number;
  /** HOP: slide; CUMULATE: step (ms). */
  slide?: number;
}

export function windowSpec(src: string, clause: Node, fail: (n: Node, what: string) => never): WindowSpec {
  const tvf = first(clause, "windowTVFExpression") ?? clause;
  const nameNode = first(tvf, "windowTVFName");
  const k = (nameNode ? textOf(src, nameNode) : "").toUpperCase();
  if (k !== "TUMBLE" && k !== "HOP" && k !== "CUMULATE") return fail(clause, `the window TVF ${k}`);
  let table = "", timeColumn = "";
  const intervals: { name?: string; ms: number }[] = [];
  for (const p of childrenOf(tvf, "windowTVFParam")) {
    const t = first(p, "timeAttrColumn");
    const d = first(p, "columnDescriptor");
    const iv = first(p, "timeIntervalExpression");
    const pname = first(p, "timeIntervalParamName");
    if (t && hasToken(p, "TABLE")) table = pathParts(src, t).map((x) => `"${x}"`).join(".");
    else if (d) timeColumn = `"${pathParts(src, child(d, "columnName") ?? d).pop() ?? ""}"`;
    else if (iv) intervals.push({ name: pname ? textOf(src, pname).toUpperCase() : undefined, ms: intervalMs(textOf(src, iv), iv, fail) });
  }
  const named = (n: string) => intervals.find((i) => i.name === n)?.ms;
  const pos = intervals.filter((i) => !i.name).map((i) => i.ms);
  if (k === "TUMBLE") return { kind: k, table, timeColumn, size: named("SIZE") ?? pos[0] ?? 0 };
  const first2 = named(k === "HOP" ? "SLIDE" : "STEP") ?? pos[0];
  return { kind: k, table, timeColumn, slide: first2, size: named("SIZE") ?? pos[1] ?? 0 };
}

function intervalMs(text: string, n: Node, fail: (n: Node, what: string) => never): number {
  const m = /^INTERVAL\s+'(\d+)'\s+([A-Za-z]+?)S?$/i.exec(text.trim());
  const unit = m?.[2]?.toUpperCase();
  const per = unit ? UNIT_MS[unit] : undefined;
  if (!m || per === undefined) return fail(n, `the interval ${text} (use INTERVAL 'n' SECOND|MINUTE|HOUR|DAY)`);
  return Number(m[1]) * per;
}
