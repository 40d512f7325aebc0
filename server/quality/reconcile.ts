import type { CatalogSnapshot } from "../catalog/schemas";
import { q } from "../engines/local/duck";
import type { QueryBackend } from "../query/index";
import { partitionValue, type Bizdate } from "../scheduling/index";
import { isNumericType, type RuleResult } from "./evaluate";
import type { QualityRuleParsed } from "./schema";

// Stream vs batch for one day: the batch sink's partition D and the stream sink's rows of D, joined per key.
// A key present on one side only differs; a measure differs when |stream - batch| exceeds the tolerance
// (abs, or pct of the batch value: either one suffices). The differing keys come back capped, with the total.

type ReconcileRule = Extract<QualityRuleParsed, { kind: "reconcile" }>;

export function reconcileQuery(catalog: CatalogSnapshot, table: string, rule: ReconcileRule): string {
  const stream = catalog.physicalTables.get(rule.against);
  const numeric = new Map(stream?.columns.map((c) => [c.name, isNumericType(c.type)]) ?? []);
  const cols = [...rule.key, ...rule.columns];
  const side = (t: string) => `SELECT ${cols.map(q).join(", ")}, true AS __present FROM ${q(t)}`;
  const abs = rule.tolerance.abs ?? 0;
  const pct = rule.tolerance.pct ?? 0;
  const within = (c: string) => {
    const b = `b.${q(c)}`, s = `s.${q(c)}`;
    if (!numeric.get(c)) return `${s} IS NOT DISTINCT FROM ${b}`;
    return `(${s} IS NOT DISTINCT FROM ${b} OR abs(CAST(${s} AS DOUBLE) - CAST(${b} AS DOUBLE)) <= greatest(${abs}, ${pct} / 100.0 * abs(CAST(${b} AS DOUBLE))))`;
  };
  const keyOut = rule.key.map((k) => `coalesce(b.${q(k)}, s.${q(k)}) AS ${q(k)}`);
  const valuesOut = rule.columns.flatMap((c) => [`b.${q(c)} AS ${q(`batch_${c}`)}`, `s.${q(c)} AS ${q(`stream_${c}`)}`]);
  return [
    `WITH b AS (${side(table)}), s AS (${side(rule.against)})`,
    `SELECT ${[...keyOut, "b.__present IS NOT NULL AS in_batch", "s.__present IS NOT NULL AS in_stream", ...valuesOut, "count(*) OVER () AS __total"].join(", ")}`,
    `FROM b FULL OUTER JOIN s ON ${rule.key.map((k) => `b.${q(k)} IS NOT DISTINCT FROM s.${q(k)}`).join(" AND ")}`,
    `WHERE b.__present IS NULL OR s.__present IS NULL OR NOT (${rule.columns.map(within).join(" AND ")})`,
    `ORDER BY ${rule.key.map((_, i) => String(i + 1)).join(", ")}`,
  ].join("\n");
}

const plain = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString() : v);

export async function reconcileDay(backend: QueryBackend, catalog: CatalogSnapshot, table: string, bizdate: Bizdate, rule: ReconcileRule, timeoutMs = 60_000): Promise<RuleResult> {
  const spec = catalog.physicalTables.get(table);
  if (!spec?.partition) throw new Error(`reconcile rule '${rule.name}': '${table}' has no daily partition`);
  const dayColumn = rule.dayColumn ?? spec.partition.column;
  const dayValue = partitionValue(spec.partition, bizdate);
  const sql = reconcileQuery(catalog, table, rule);
  const scope = await backend.open([{ table, partitions: [bizdate.toString()] }, { table: rule.against, where: { column: dayColumn, value: dayValue } }]);
  try {
    const diff = await scope.run(sql, { maxRows: rule.maxKeys, timeoutMs });
    const counts = (await scope.run(`SELECT (SELECT count(*) FROM ${q(table)}) AS batch_rows, (SELECT count(*) FROM ${q(rule.against)}) AS stream_rows`, { maxRows: 1, timeoutMs })).rows[0] ?? {};
    const differing = Number(diff.rows[0]?.__total ?? 0);
    const keys = diff.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "__total").map(([k, v]) => [k, plain(v)])));
    const shown = keys.slice(0, 5).map((k) => rule.key.map((c) => String(k[c])).join("/")).join(", ");
    return {
      rule: rule.name, kind: "reconcile", severity: rule.severity, passed: differing === 0, query: sql,
      observed: { day: dayValue, batchRows: Number(counts.batch_rows ?? 0), streamRows: Number(counts.stream_rows ?? 0), differing, keys, keysTruncated: differing > keys.length },
      message: differing === 0
        ? `${rule.against} and ${table} agree on ${dayValue} for every key`
        : `${differing} key${differing === 1 ? "" : "s"} differ between ${rule.against} (stream) and ${table} (batch) on ${dayValue}: ${shown}${differing > 5 ? ", ..." : ""}`,
    };
  } finally {
    await scope.close();
  }
}
