import { functionName, type SelectBlock } from "../analyze";
import { handRewriter, polyglotDuckdb, type Substitute } from "../duckdb/convert";
import { child, childrenOf, descendants, span, textOf, unquote, type Node } from "../tree";
import type { CompiledSide } from "../validate";
import type { Reject } from "./grouped-outputs";

// Flink's keep-first-row deduplication on the local stream engine:
//   SELECT ... FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY t ASC) AS rn FROM mt) WHERE rn = 1
// Keep-first never changes a row it has emitted, so it runs append-only: the engine keeps the keys it
// has seen (state) and the subquery, run over a micro-batch, drops rows whose key the state holds. The
// batch's own ROW_NUMBER then picks each new key's first row of the batch. Exact while events of a key
// arrive in the order of t (proctime always; rowtime when the source is ordered): a row arriving after
// its key was emitted, with an earlier t, would need a retraction the local engine does not emit.
// Keep-last-row (ORDER BY t DESC) is recognized here too and runs as a recompute (two-level.ts).

/** The relation the engine names the statement's seen-keys state (columns k0.., o) as, per statement. */
export const SEEN_RELATION = "__tandem_seen";

export interface DedupPlan {
  /** Relation name the engine points at the statement's seen-keys table before the statement runs. */
  seen: string;
  /** How many PARTITION BY columns (k0..) the state holds. */
  keys: number;
  /** DuckDB SELECT over the batch: k0.. (the PARTITION BY columns) and o (the ORDER BY column) of each key's first row. */
  rows: string;
}

/**
 * Keep-last-row (ORDER BY t DESC): a later row replaces its key's row, so the engine keeps the latest row
 * per key as state and recomputes what the outer query makes of the keys a micro-batch changed
 * (two-level.ts). The state's rows are the subquery's, rn included (always 1).
 */
export interface KeepLast {
  /** The PARTITION BY columns (columns of the subquery). */
  keys: string[];
  /** The ORDER BY column: the row with the greatest value is the key's row. */
  order: string;
  /** DuckDB SELECT over the batch: the subquery's rows that rank first in the batch, one per key. */
  rows: string;
}

export type Dedup =
  | {
      kind: "first";
      /** The subquery block with the ROW_NUMBER item. */
      inner: SelectBlock;
      plan: DedupPlan;
      /** For handRewriter: replaces the subquery with its rows whose key the state has not seen. */
      substitute: Substitute;
    }
  | {
      kind: "last";
      inner: SelectBlock;
      last: KeepLast;
      /** The `ORDER BY ... DESC` item, where messages about keep-last point. */
      order: Node;
    };

/**
 * The deduplication in a stream query, if it has ROW_NUMBER; anything else ROW_NUMBER does (top-N,
 * keep-last, a ranking output) is refused, since ranking one micro-batch at a time would be wrong.
 */
export function findDedup(compiled: CompiledSide, query: Node, blocks: SelectBlock[], main: SelectBlock | undefined, reject: Reject, zone: string): Dedup | undefined {
  const src = compiled.parsed.text;
  const over = descendants(query, "overWindowItem").filter((n) => {
    const call = descendants(n, "functionCallExpression")[0];
    return call !== undefined && functionName(src, call) === "ROW_NUMBER";
  });
  if (over.length === 0) return undefined;
  const item = over[0] as Node;
  const what = "ROW_NUMBER() other than a deduplication (SELECT ... FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY t [ASC|DESC]) AS rn FROM t) WHERE rn = 1)";
  if (over.length > 1) reject(`several ROW_NUMBER() windows (${what})`, over[1] as Node);
  // The innermost block around the item is the subquery it ranks in.
  const inner = blocks.filter((b) => within(span(item), span(b.node))).sort((a, b) => span(a.node).end - span(a.node).start - (span(b.node).end - span(b.node).start))[0];
  const spec = child(item, "windowSpec");
  const alias = child(item, "unquotedIdentifierAlternative") ?? child(item, "uid") ?? child(item, "columnAlias");
  // The subquery must be read directly by the statement's outermost SELECT (no block in between).
  const direct = main !== undefined && inner !== undefined && inner !== main && within(span(inner.node), span(main.node))
    && !blocks.some((b) => b !== main && b !== inner && within(span(inner.node), span(b.node)) && within(span(b.node), span(main.node)));
  if (!inner || !spec || !alias || !main || !direct || inner.groupBy.length > 0) return reject(what, item);
  const partition = child(spec, "partitionByClause");
  const orders = childrenOf(child(spec, "orderByClause") ?? spec, "orderItemDefinition");
  const keys = partition ? childrenOf(partition, "columnName") : [];
  const order = orders[0];
  const orderCol = order ? child(order, "columnName") : undefined;
  if (!partition || keys.length === 0 || keys.length !== partition.children?.filter((c) => !("symbol" in c)).length) return reject(`${what}: PARTITION BY plain columns`, spec);
  if (orders.length !== 1 || !order || !orderCol) return reject(`${what}: ORDER BY one time column`, spec);
  const keepLast = /\bDESC\b/i.test(textOf(src, order));
  const rn = unquote(textOf(src, alias).trim());
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const where = main.where ? textOf(src, main.where) : "";
  const conjuncts = /\bOR\b|\(/i.test(where) ? [] : where.split(/\bAND\b/i).map((c) => c.replace(/[`\s]/g, "").toLowerCase());
  if (!conjuncts.includes(`${rn.toLowerCase()}=1`)) reject(`${what}: the query over it must keep WHERE ${rn} = 1`, main.where ?? main.node);
  const names = keys.map((k) => unquote(textOf(src, k).trim()));
  const exposed = new Set(inner.outputs.map((o) => o.name.toLowerCase()));
  for (const [j, name] of names.entries()) {
    if (!inner.items.some((i) => i.star) && !exposed.has(name.toLowerCase())) reject(`${what}: the subquery must select its PARTITION BY column '${name}'`, keys[j] as Node);
  }
  // Ties on the ORDER BY column go by the other columns the subquery reads through `*`, so a micro-batch
  // picks the same row whenever it runs (a batch replayed after a crash must emit what it emitted).
  const orderName = unquote(textOf(src, orderCol).trim());
  const taken = new Set([...names, orderName, rn].map((n) => n.toLowerCase()));
  const ties = inner.items.filter((i) => i.star).flatMap((i) => i.out.map((o) => o.name)).filter((n) => !taken.has(n.toLowerCase()));
  const orderBy = child(spec, "orderByClause");
  const direction = keepLast ? "DESC" : "ASC";
  const ordered: Substitute = (n) => (n === orderBy ? `ORDER BY ${[orderName, ...ties].map((c) => `${q(c)} ${direction}`).join(", ")}` : undefined);
  const innerSql = handRewriter(compiled.parsed, inner.node, zone, ordered).text(inner.node);
  if (keepLast) {
    return { kind: "last", inner, order, last: { keys: names, order: orderName, rows: polyglotDuckdb(`SELECT * FROM (${innerSql}) AS __dd WHERE __dd.${q(rn)} = 1`) } };
  }
  const unseen = `SELECT * FROM (${innerSql}) AS __dd WHERE NOT EXISTS (SELECT 1 FROM ${SEEN_RELATION} AS __s WHERE ${names.map((n, j) => `__s.k${j} IS NOT DISTINCT FROM __dd.${q(n)}`).join(" AND ")})`;
  const rows = `SELECT ${[...names.map((n, j) => `__dd.${q(n)} AS k${j}`), `__dd.${q(orderName)} AS o`].join(", ")} FROM (${unseen}) AS __dd WHERE __dd.${q(rn)} = 1`;
  return {
    kind: "first",
    inner,
    plan: { seen: SEEN_RELATION, keys: names.length, rows: polyglotDuckdb(rows) },
    substitute: (n) => (n === inner.node ? unseen : undefined),
  };
}

function within(inner: { start: number; end: number }, outer: { start: number; end: number }): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}
