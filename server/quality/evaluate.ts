import { parseFlinkType } from "../catalog/flink-types";
import type { CatalogSnapshot, PhysicalTableSpecParsed } from "../catalog/schemas";
import { lit, q } from "../engines/local/duck";
import type { QueryBackend, QueryScope, Row, TableScope } from "../query/index";
import { partitionValue, type Bizdate } from "../scheduling/index";
import type { QualityRuleParsed, RuleKind, Severity } from "./schema";

// Evaluating a partition's rules. The single-scan kinds (row count bounds, null ratios, uniqueness, value
// ranges) become one aggregate SELECT over the partition: one pass over the data, whatever their number.
// The week-over-week count of the partition 7 days earlier is a subquery of that SELECT (Parquet footers);
// custom SQL runs as given (bounded) in the same scope; freshness needs no query; reconciliation reads both sides of a day (reconcile.ts).

export interface RuleResult {
  rule: string;
  kind: RuleKind;
  severity: Severity;
  passed: boolean;
  /** What was measured, per kind. */
  observed: Record<string, unknown>;
  /** One line for people: what was measured against what. */
  message: string;
  /** The SQL that measured it ("" for freshness, which reads the clock). */
  query: string;
}

export interface EvaluateInput {
  catalog: CatalogSnapshot;
  table: string;
  bizdate: Bizdate;
  rules: readonly QualityRuleParsed[];
  /** When the partition became (or would become) ready: freshness compares it with its deadline. */
  readyAt?: Date;
  /** Zone of freshness deadlines without their own (the job's). */
  timeZone?: string;
  timeoutMs?: number;
}

const SCAN_KINDS = new Set<RuleKind>(["rowCount", "nullRatio", "unique", "range"]);
const SAMPLE = 10;

/** Every rule except reconciliation (which runs when both sides of the day are final). */
export async function evaluatePartition(backend: QueryBackend, input: EvaluateInput): Promise<RuleResult[]> {
  const rules = input.rules.filter((r) => r.kind !== "reconcile");
  if (rules.length === 0) return [];
  const spec = input.catalog.physicalTables.get(input.table);
  if (!spec) throw new Error(`table '${input.table}' is not in the catalog`);
  const timeoutMs = input.timeoutMs ?? 60_000;
  const out = new Map<string, RuleResult>();
  const weekAgo = rules.some((r) => r.kind === "rowCount" && r.maxChangePct !== undefined) ? input.bizdate.addDays(-7) : undefined;
  if (rules.some((r) => SCAN_KINDS.has(r.kind) || r.kind === "sql")) {
    // One scope: day D under the table's name and, for week-over-week counts, day D-7 beside it.
    const tables: TableScope[] = [{ table: input.table, partitions: [input.bizdate.toString()] }];
    if (weekAgo) tables.push({ table: input.table, partitions: [weekAgo.toString()], as: WEEK_AGO });
    const scope = await backend.open(tables);
    try {
      // A rule that cannot be evaluated fails with the reason; the others still run.
      const scan = scanQuery(input.table, rules, { partitionColumn: spec.partition?.column, weekAgo: weekAgo !== undefined });
      try {
        for (const r of await scanRules(scope, input.table, scan, weekAgo, timeoutMs)) out.set(r.rule, r);
      } catch (e) {
        for (const r of scan.rules) out.set(r.name, unevaluated(r, scan.sql, e));
      }
      for (const rule of rules) {
        if (rule.kind === "sql") out.set(rule.name, await sqlRule(scope, rule, timeoutMs).catch((e: unknown) => unevaluated(rule, rule.sql, e)));
      }
    } finally {
      await scope.close();
    }
  }
  for (const rule of rules) if (rule.kind === "freshness") out.set(rule.name, freshness(rule, spec, input));
  return rules.map((r) => out.get(r.name)).filter((r): r is RuleResult => r !== undefined);
}

/** The result of a rule whose query failed: failed, with the reason. */
export function unevaluated(rule: QualityRuleParsed, query: string, e: unknown): RuleResult {
  const reason = e instanceof Error ? e.message : String(e);
  return { rule: rule.name, kind: rule.kind, severity: rule.severity, passed: false, observed: { error: reason }, message: `could not be evaluated: ${reason}`, query };
}

type ScanRule = Extract<QualityRuleParsed, { kind: "rowCount" | "nullRatio" | "unique" | "range" }>;
const WEEK_AGO = "__week_ago";

function literal(v: number | string): string {
  return typeof v === "number" ? String(v) : lit(v);
}

/** The key columns whose values can repeat inside one partition (its partition column cannot: it is constant). */
function keyColumns(columns: readonly string[], partitionColumn: string | undefined): string[] {
  const rest = columns.filter((c) => c !== partitionColumn);
  return rest.length > 0 ? rest : [...columns];
}

export interface ScanQuery {
  sql: string;
  rules: ScanRule[];
  partitionColumn?: string;
}

/**
 * The one aggregate SELECT of the scan kinds. Uniqueness counts distinct hashes of the key (several times
 * faster than distinct rows); equal keys hash equally, so no duplicate is missed, and a count that finds
 * duplicates is confirmed exactly (a hash collision cannot fail a rule).
 */
export function scanQuery(table: string, rules: readonly QualityRuleParsed[], opts: { partitionColumn?: string; weekAgo?: boolean } = {}): ScanQuery {
  const scan = rules.filter((r): r is ScanRule => SCAN_KINDS.has(r.kind));
  const cols = ["count(*) AS __rows"];
  if (opts.weekAgo) cols.push(`(SELECT count(*) FROM ${q(WEEK_AGO)}) AS __week_ago_rows`);
  scan.forEach((r, i) => {
    if (r.kind === "nullRatio") cols.push(`count(*) FILTER (WHERE ${q(r.column)} IS NULL) AS r${i}_nulls`);
    if (r.kind === "unique") cols.push(`count(DISTINCT hash(${keyColumns(r.columns, opts.partitionColumn).map(q).join(", ")})) AS r${i}_distinct`);
    if (r.kind === "range") {
      const c = q(r.column);
      const out = [r.min !== undefined ? `${c} < ${literal(r.min)}` : "", r.max !== undefined ? `${c} > ${literal(r.max)}` : ""].filter(Boolean).join(" OR ");
      cols.push(`count(*) FILTER (WHERE ${out}) AS r${i}_outside`, `min(${c}) AS r${i}_min`, `max(${c}) AS r${i}_max`);
    }
  });
  return { sql: `SELECT ${cols.join(", ")} FROM ${q(table)}`, rules: scan, partitionColumn: opts.partitionColumn };
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number(v ?? 0));
const plain = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString() : v);
const plainRow = (row: Row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]));

async function scanRules(scope: QueryScope, table: string, scan: ScanQuery, weekAgo: Bizdate | undefined, timeoutMs: number): Promise<RuleResult[]> {
  if (scan.rules.length === 0) return [];
  const sql = scan.sql;
  const row = (await scope.run(sql, { maxRows: 1, timeoutMs })).rows[0] ?? {};
  const rows = num(row.__rows);
  const results: RuleResult[] = [];
  for (const [i, r] of scan.rules.entries()) {
    const result = (passed: boolean, observed: Record<string, unknown>, message: string, query = sql): RuleResult => ({ rule: r.name, kind: r.kind, severity: r.severity, passed, observed, message, query });
    switch (r.kind) {
      case "rowCount": {
        const bounded = r.min !== undefined || r.max !== undefined;
        const inBounds = (r.min === undefined || rows >= r.min) && (r.max === undefined || rows <= r.max);
        const bounds = [r.min !== undefined ? `at least ${r.min}` : "", r.max !== undefined ? `at most ${r.max}` : ""].filter(Boolean).join(" and ");
        const parts = bounded ? [`${rows} rows; expected ${bounds}`] : [`${rows} rows`];
        const observed: Record<string, unknown> = { rows };
        let passed = inBounds;
        if (r.maxChangePct !== undefined && weekAgo) {
          const prior = num(row.__week_ago_rows);
          observed.weekAgoRows = prior;
          if (prior === 0) {
            parts.push(`no rows on ${weekAgo.format("yyyy-MM-dd")} (same weekday) to compare with`);
          } else {
            const changePct = ((rows - prior) / prior) * 100;
            observed.changePct = changePct;
            passed = passed && Math.abs(changePct) <= r.maxChangePct;
            parts.push(`${prior} on ${weekAgo.format("yyyy-MM-dd")} (${changePct >= 0 ? "+" : ""}${changePct.toFixed(1)}%; at most ±${r.maxChangePct}%)`);
          }
        }
        results.push(result(passed, observed, parts.join(" vs ")));
        break;
      }
      case "nullRatio": {
        const nulls = num(row[`r${i}_nulls`]);
        const ratio = rows === 0 ? 0 : nulls / rows;
        results.push(result(ratio <= r.max, { nulls, rows, ratio }, `${r.column}: ${nulls} of ${rows} rows NULL (${(ratio * 100).toFixed(2)}%); at most ${(r.max * 100).toFixed(2)}% allowed`));
        break;
      }
      case "unique": {
        if (rows - num(row[`r${i}_distinct`]) === 0) {
          results.push(result(true, { rows, duplicates: 0 }, `(${r.columns.join(", ")}): no duplicate among ${rows} rows`));
          break;
        }
        const keys = keyColumns(r.columns, scan.partitionColumn).map(q).join(", ");
        const exact = `SELECT ${keys}, count(*) AS copies FROM ${q(table)} GROUP BY ALL HAVING count(*) > 1 ORDER BY copies DESC, ${keys}`;
        const found = await scope.run(`SELECT count(*) - count(DISTINCT ROW(${keys})) AS duplicates FROM ${q(table)}`, { maxRows: 1, timeoutMs });
        const duplicates = num(found.rows[0]?.duplicates);
        const sample = duplicates > 0 ? (await scope.run(exact, { maxRows: SAMPLE, timeoutMs })).rows.map(plainRow) : [];
        results.push(result(duplicates === 0, { rows, duplicates, sample }, `(${r.columns.join(", ")}): ${duplicates} duplicate row${duplicates === 1 ? "" : "s"} of ${rows}${sample.length ? `, e.g. ${sample.slice(0, 3).map((k) => JSON.stringify(k)).join(", ")}` : ""}`, `${sql};\n${exact}`));
        break;
      }
      case "range": {
        const outside = num(row[`r${i}_outside`]);
        const bounds = `[${r.min ?? "-inf"}, ${r.max ?? "+inf"}]`;
        results.push(result(outside === 0, { outside, min: plain(row[`r${i}_min`]), max: plain(row[`r${i}_max`]) }, `${r.column}: ${outside} row${outside === 1 ? "" : "s"} outside ${bounds} (observed min ${String(plain(row[`r${i}_min`]))}, max ${String(plain(row[`r${i}_max`]))})`));
        break;
      }
    }
  }
  return results;
}

async function sqlRule(scope: QueryScope, rule: Extract<QualityRuleParsed, { kind: "sql" }>, timeoutMs: number): Promise<RuleResult> {
  const r = await scope.run(rule.sql, { maxRows: SAMPLE, timeoutMs });
  const n = r.rows.length;
  const count = r.truncated ? `more than ${SAMPLE}` : String(n);
  return {
    rule: rule.name, kind: "sql", severity: rule.severity, passed: n === 0, query: rule.sql,
    observed: { offendingRows: n, truncated: r.truncated, sample: r.rows.map(plainRow) },
    message: n === 0 ? "no offending row" : `${count} offending row${n === 1 ? "" : "s"}`,
  };
}

function freshness(rule: Extract<QualityRuleParsed, { kind: "freshness" }>, spec: PhysicalTableSpecParsed, input: EvaluateInput): RuleResult {
  const zone = rule.timeZone ?? input.timeZone ?? "UTC";
  const deadline = freshnessDeadline(input.bizdate, rule, zone);
  const readyAt = input.readyAt ?? new Date();
  const late = readyAt.getTime() > deadline.getTime();
  const label = spec.partition ? partitionValue(spec.partition, input.bizdate) : input.bizdate.toString();
  return {
    rule: rule.name, kind: "freshness", severity: rule.severity, passed: !late, query: "",
    observed: { readyAt: readyAt.toISOString(), deadline: deadline.toISOString(), lateMinutes: late ? Math.round((readyAt.getTime() - deadline.getTime()) / 60_000) : 0 },
    message: `partition ${label} ready at ${readyAt.toISOString()}; due by ${rule.readyBy} ${zone} on day +${rule.dayOffset} (${deadline.toISOString()})`,
  };
}

/** readyBy on day D + dayOffset, as an instant, in the zone. */
export function freshnessDeadline(bizdate: Bizdate, rule: { readyBy: string; dayOffset: number }, zone: string): Date {
  const [h = 0, m = 0] = rule.readyBy.split(":").map(Number);
  const d = bizdate.addDays(rule.dayOffset);
  const [y = 1970, mo = 1, da = 1] = d.format("yyyy-MM-dd").split("-").map(Number);
  const wall = Date.UTC(y, mo - 1, da, h, m);
  // The zone's offset at that wall time (twice, to land on the right side of a DST change).
  let utc = wall - zoneOffsetMs(wall, zone);
  utc = wall - zoneOffsetMs(utc, zone);
  return new Date(utc);
}

function zoneOffsetMs(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(at / 1000) * 1000;
}

/** Whether a Flink column type compares numerically (tolerances apply) rather than for equality. */
export function isNumericType(flinkType: string): boolean {
  const t = parseFlinkType(flinkType);
  return t.kind === "scalar" && ["TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL"].includes(t.name);
}

export type { Row };
