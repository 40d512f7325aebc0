import { MODE_COLUMN, mappingExpr, type BindingSpecParsed, type PartitionSpec } from "../catalog/schemas";
import type { MetaRef } from "./analyze";
import { child, childrenOf, first, hasToken, isTerminal, kind, pathParts, ruleKids, textOf, type Node } from "./tree";
import type { Mode } from "./variables";

// Partition pruning for the batch side. For each reference to a meta-table whose batch table is
// partitioned we derive, from the WHERE / ON predicates on the logical column mapped to the partition
// column (after folding `__mode` to the side's value), the set of partitions the reference can need.
// The set is always a superset of what the query reads, so adding it as a filter never changes results.

export type PartitionSet =
  | { kind: "all" }
  | { kind: "values"; values: string[] }
  | { kind: "range"; lo?: string; loInc: boolean; hi?: string; hiInc: boolean };

const ALL: PartitionSet = { kind: "all" };

type BoolExpr =
  | { k: "and" | "or"; a: BoolExpr; b: BoolExpr }
  | { k: "not"; a: BoolExpr }
  | { k: "const"; v: boolean }
  | { k: "atom"; node: Node };

/** The logical column a binding maps straight to the partition column, if any. */
export function partitionLogicalColumn(binding: BindingSpecParsed, partition: PartitionSpec): string | undefined {
  for (const [logical, m] of Object.entries(binding.mappings)) {
    const t = mappingExpr(m);
    if ("column" in t && t.column === partition.column) return logical;
  }
  return undefined;
}

/** Partitions a reference needs, from the predicates of its query block and its join condition. */
export function refPartitions(src: string, ref: MetaRef, logicalColumn: string, mode: Mode): PartitionSet {
  const preds = [ref.block.where, ref.joinCondition].filter((n): n is Node => n !== undefined);
  let set: PartitionSet = ALL;
  for (const p of preds) {
    const folded = fold(toBool(p), src, mode);
    set = intersect(set, constrain(folded, src, ref, logicalColumn));
  }
  return set;
}

function toBool(n: Node): BoolExpr {
  const k = kind(n);
  if (k === "logicalBinary") {
    const [a, b] = ruleKids(n);
    const op = (n.children ?? []).find((c) => isTerminal(c) && /^(AND|OR)$/i.test(c.symbol.text ?? ""));
    if (a && b && op && isTerminal(op)) return { k: op.symbol.text?.toUpperCase() === "AND" ? "and" : "or", a: toBool(a), b: toBool(b) };
  }
  if (k === "logicalNot") {
    const [a] = ruleKids(n);
    if (a) return { k: "not", a: toBool(a) };
  }
  if (k === "expression" || k === "booleanExpression") {
    const [a] = ruleKids(n);
    if (a && ruleKids(n).length === 1) return toBool(a);
  }
  if (k === "predicated" && !child(n, "predicate")) {
    // `( ... )`: unwrap a parenthesized boolean expression
    const v = ruleKids(n)[0];
    const prim = v && kind(v) === "valueExpressionDefault" ? ruleKids(v)[0] : undefined;
    if (prim && kind(prim) === "parenthesizedExpression") {
      const inner = child(prim, "expression");
      if (inner) return toBool(inner);
    }
  }
  return { k: "atom", node: n };
}

function fold(e: BoolExpr, src: string, mode: Mode): BoolExpr {
  switch (e.k) {
    case "and": case "or": {
      const a = fold(e.a, src, mode), b = fold(e.b, src, mode);
      const absorbing = e.k === "or";
      if (a.k === "const") return a.v === absorbing ? a : b;
      if (b.k === "const") return b.v === absorbing ? b : a;
      return { k: e.k, a, b };
    }
    case "not": {
      const a = fold(e.a, src, mode);
      return a.k === "const" ? { k: "const", v: !a.v } : { k: "not", a };
    }
    case "const": return e;
    case "atom": {
      const v = evalModeAtom(e.node, src, mode);
      return v === undefined ? e : { k: "const", v };
    }
  }
}

interface Cmp { col?: string[]; lit?: string }
function operand(src: string, n: Node | undefined): Cmp | undefined {
  if (!n) return undefined;
  const colNode = first(n, "columnNamePath");
  const str = first(n, "stringLiteral");
  const text = textOf(src, n).trim();
  if (colNode && textOf(src, colNode).trim() === text) return { col: pathParts(src, colNode) };
  if (str && textOf(src, str).trim() === text) return { lit: unquoteString(text) };
  return undefined;
}

function unquoteString(s: string): string {
  return s.startsWith("'") && s.endsWith("'") ? s.slice(1, -1).replace(/''/g, "'") : s;
}

/** `__mode = 'stream'`, `'batch' = 'stream'` (a substituted ${mode}), `__mode IN (..)`: constant per side. */
function evalModeAtom(n: Node, src: string, mode: Mode): boolean | undefined {
  if (kind(n) !== "predicated") return undefined;
  const value = ruleKids(n)[0];
  const pred = child(n, "predicate");
  const isMode = (c: Cmp | undefined) => c?.col !== undefined && c.col[c.col.length - 1]?.toLowerCase() === MODE_COLUMN;
  const valueOf = (c: Cmp | undefined) => (isMode(c) ? mode : c?.lit);
  if (value && kind(value) === "comparison" && !pred) {
    const [l, op, r] = ruleKids(value);
    const a = operand(src, l), b = operand(src, r);
    if (!(isMode(a) || isMode(b) || (a?.lit !== undefined && b?.lit !== undefined))) return undefined;
    const x = valueOf(a), y = valueOf(b);
    if (x === undefined || y === undefined || !op) return undefined;
    const o = textOf(src, op).trim();
    if (o === "=") return x === y;
    if (o === "<>" || o === "!=") return x !== y;
    return undefined;
  }
  if (value && pred && hasToken(pred, "IN") && isMode(operand(src, value))) {
    const lits = childrenOf(pred, "expression").map((e) => operand(src, e)?.lit);
    if (lits.some((l) => l === undefined)) return undefined;
    const inList = lits.includes(mode);
    return hasToken(pred, "NOT") ? !inList : inList;
  }
  return undefined;
}

function constrain(e: BoolExpr, src: string, ref: MetaRef, column: string): PartitionSet {
  switch (e.k) {
    case "const": return e.v ? ALL : { kind: "values", values: [] };
    case "and": return intersect(constrain(e.a, src, ref, column), constrain(e.b, src, ref, column));
    case "or": return union(constrain(e.a, src, ref, column), constrain(e.b, src, ref, column));
    case "not": return ALL;
    case "atom": return atomSet(e.node, src, ref, column);
  }
}

function atomSet(n: Node, src: string, ref: MetaRef, column: string): PartitionSet {
  if (kind(n) !== "predicated") return ALL;
  const value = ruleKids(n)[0];
  const pred = child(n, "predicate");
  const mine = (c: Cmp | undefined) => {
    if (!c?.col) return false;
    const [a, b] = c.col;
    if (c.col.length === 1) return a?.toLowerCase() === column.toLowerCase();
    return c.col.length === 2 && a?.toLowerCase() === ref.alias.toLowerCase() && b?.toLowerCase() === column.toLowerCase();
  };
  if (value && kind(value) === "comparison" && !pred) {
    const [l, op, r] = ruleKids(value);
    let a = operand(src, l), b = operand(src, r);
    let o = op ? textOf(src, op).trim() : "";
    if (mine(b) && a?.lit !== undefined) { [a, b] = [b, a]; o = FLIP[o] ?? o; }
    if (!mine(a) || b?.lit === undefined) return ALL;
    const v = b.lit;
    switch (o) {
      case "=": return { kind: "values", values: [v] };
      case ">": return { kind: "range", lo: v, loInc: false, hiInc: false };
      case ">=": return { kind: "range", lo: v, loInc: true, hiInc: false };
      case "<": return { kind: "range", hi: v, hiInc: false, loInc: false };
      case "<=": return { kind: "range", hi: v, hiInc: true, loInc: false };
      default: return ALL;
    }
  }
  if (value && pred && mine(operand(src, value)) && !hasToken(pred, "NOT")) {
    if (hasToken(pred, "IN")) {
      const lits = childrenOf(pred, "expression").map((e) => operand(src, e)?.lit);
      if (lits.length === 0 || lits.some((l) => l === undefined)) return ALL;
      return { kind: "values", values: [...new Set(lits as string[])] };
    }
    if (hasToken(pred, "BETWEEN")) {
      const [lo, hi] = childrenOf(pred, "valueExpression").map((v) => operand(src, v)?.lit);
      if (lo === undefined || hi === undefined) return ALL;
      return { kind: "range", lo, loInc: true, hi, hiInc: true };
    }
  }
  return ALL;
}

const FLIP: Record<string, string> = { "<": ">", ">": "<", "<=": ">=", ">=": "<=" };

function inRange(v: string, r: Extract<PartitionSet, { kind: "range" }>): boolean {
  if (r.lo !== undefined && (r.loInc ? v < r.lo : v <= r.lo)) return false;
  if (r.hi !== undefined && (r.hiInc ? v > r.hi : v >= r.hi)) return false;
  return true;
}

export function intersect(a: PartitionSet, b: PartitionSet): PartitionSet {
  if (a.kind === "all") return b;
  if (b.kind === "all") return a;
  if (a.kind === "values" && b.kind === "values") return { kind: "values", values: a.values.filter((v) => b.values.includes(v)) };
  if (a.kind === "values" && b.kind === "range") return { kind: "values", values: a.values.filter((v) => inRange(v, b)) };
  if (a.kind === "range" && b.kind === "values") return intersect(b, a);
  if (a.kind === "range" && b.kind === "range") {
    const lo = a.lo === undefined ? b : b.lo === undefined ? a : a.lo > b.lo ? a : b.lo > a.lo ? b : { lo: a.lo, loInc: a.loInc && b.loInc };
    const hi = a.hi === undefined ? b : b.hi === undefined ? a : a.hi < b.hi ? a : b.hi < a.hi ? b : { hi: a.hi, hiInc: a.hiInc && b.hiInc };
    return { kind: "range", lo: lo.lo, loInc: lo.loInc, hi: hi.hi, hiInc: hi.hiInc };
  }
  return a;
}

export function union(a: PartitionSet, b: PartitionSet): PartitionSet {
  if (a.kind === "all" || b.kind === "all") return ALL;
  if (a.kind === "values" && b.kind === "values") return { kind: "values", values: [...new Set([...a.values, ...b.values])] };
  const asRange = (s: PartitionSet): Extract<PartitionSet, { kind: "range" }> | undefined => {
    if (s.kind === "range") return s;
    if (s.kind === "values" && s.values.length > 0) {
      const sorted = [...s.values].sort();
      return { kind: "range", lo: sorted[0], loInc: true, hi: sorted[sorted.length - 1], hiInc: true };
    }
    return undefined;
  };
  if (a.kind === "values" && a.values.length === 0) return b;
  if (b.kind === "values" && b.values.length === 0) return a;
  const x = asRange(a), y = asRange(b);
  if (!x || !y) return ALL;
  const lo = x.lo === undefined || y.lo === undefined ? undefined : x.lo < y.lo ? x : y.lo < x.lo ? y : { lo: x.lo, loInc: x.loInc || y.loInc };
  const hi = x.hi === undefined || y.hi === undefined ? undefined : x.hi > y.hi ? x : y.hi > x.hi ? y : { hi: x.hi, hiInc: x.hiInc || y.hiInc };
  return { kind: "range", lo: lo?.lo, loInc: lo?.loInc ?? false, hi: hi?.hi, hiInc: hi?.hiInc ?? false };
}

/** The partition values of one bizdate for a partition format (hourly formats: the day's 24 hours). */
export function bizdatePartitions(bizdate: string, format: PartitionSpec["format"]): PartitionSet {
  const nodash = bizdate.replace(/-/g, "");
  switch (format) {
    case "yyyy-MM-dd": return { kind: "values", values: [bizdate] };
    case "yyyyMMdd": return { kind: "values", values: [nodash] };
    case "yyyy-MM-dd HH": return { kind: "range", lo: `${bizdate} 00`, loInc: true, hi: `${bizdate} 23`, hiInc: true };
    case "yyyyMMddHH": return { kind: "range", lo: `${nodash}00`, loInc: true, hi: `${nodash}23`, hiInc: true };
  }
}

/** The 24 partition values of a bizdate in an hourly format, in order; undefined for daily formats. */
export function bizdateHours(bizdate: string, format: PartitionSpec["format"]): string[] | undefined {
  const s = bizdatePartitions(bizdate, format);
  if (s.kind !== "range") return undefined;
  const day = (s.lo ?? "").slice(0, -2);
  return Array.from({ length: 24 }, (_, h) => `${day}${String(h).padStart(2, "0")}`);
}

/** The partition value for a bizdate in a daily format; undefined for hourly formats. */
export function bizdatePartitionValue(bizdate: string, format: PartitionSpec["format"]): string | undefined {
  const s = bizdatePartitions(bizdate, format);
  return s.kind === "values" ? s.values[0] : undefined;
}

/** A SQL predicate on the physical partition column selecting the set (both Flink and DuckDB read it). */
export function partitionFilterSql(column: string, set: PartitionSet, quote: (v: string) => string): string | undefined {
  switch (set.kind) {
    case "all": return undefined;
    case "values":
      if (set.values.length === 0) return "1 = 0";
      if (set.values.length === 1) return `${column} = ${quote(set.values[0] ?? "")}`;
      return `${column} IN (${[...set.values].sort().map(quote).join(", ")})`;
    case "range": {
      const parts: string[] = [];
      if (set.lo !== undefined) parts.push(`${column} ${set.loInc ? ">=" : ">"} ${quote(set.lo)}`);
      if (set.hi !== undefined) parts.push(`${column} ${set.hiInc ? "<=" : "<"} ${quote(set.hi)}`);
      return parts.join(" AND ") || undefined;
    }
  }
}

/** Enumerates a bounded set in a daily or hourly format (for the local engine's reader); undefined if open. */
export function enumeratePartitions(set: PartitionSet, format: PartitionSpec["format"], limit = 10_000): string[] | undefined {
  if (set.kind === "values") return [...set.values].sort();
  if (set.kind !== "range" || set.lo === undefined || set.hi === undefined) return undefined;
  const hourly = format === "yyyy-MM-dd HH" || format === "yyyyMMddHH";
  const parse = (v: string): Date | undefined => {
    const digits = v.replace(/\D/g, "");
    if (digits.length < 8) return undefined;
    const d = new Date(Date.UTC(+digits.slice(0, 4), +digits.slice(4, 6) - 1, +digits.slice(6, 8), hourly ? +digits.slice(8, 10) || 0 : 0));
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const fmt = (d: Date): string => {
    const iso = d.toISOString();
    const [date, time] = [iso.slice(0, 10), iso.slice(11, 13)];
    switch (format) {
      case "yyyy-MM-dd": return date;
      case "yyyyMMdd": return date.replace(/-/g, "");
      case "yyyy-MM-dd HH": return `${date} ${time}`;
      case "yyyyMMddHH": return `${date.replace(/-/g, "")}${time}`;
    }
  };
  const from = parse(set.lo), to = parse(set.hi);
  if (!from || !to) return undefined;
  const out: string[] = [];
  for (const d = from; d <= to && out.length <= limit; hourly ? d.setUTCHours(d.getUTCHours() + 1) : d.setUTCDate(d.getUTCDate() + 1)) {
    const v = fmt(d);
    if (inRange(v, set)) out.push(v);
  }
  return out.length > limit ? undefined : out;
}
