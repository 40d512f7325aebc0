import { q } from "./duck";
import type { StreamRecompute } from "./plan";

// The SQL of statements whose inner level the engine keeps as state (keep-last-row deduplication, a
// two-level aggregation; server/sql/translate/two-level.ts). Per micro-batch, in the batch's
// transaction: the outer groups the batch touches (from the inner rows it changes, before and after),
// the statement's outer query over the state rows of those groups before the state changes and again
// after, and the difference into the outbox: changed rows as upserts, vanished rows as deletes by the
// sink's primary key. Running the outer query itself keeps it exact for any aggregate or filter.

/** Outbox column marking a delete (only statements with a recompute have it). */
export const DELETE_COLUMN = "__del";

export class RecomputeSql {
  private readonly alias: string;

  constructor(
    private readonly i: number,
    private readonly r: StreamRecompute,
    /** The sink's columns and primary key (physical names). */
    private readonly sinkColumns: string[],
    private readonly primaryKey: string[],
  ) {
    this.alias = q(r.alias || r.relation);
  }

  /** The outer groups of the inner rows a batch changes (`changed`: those rows as they were and as they become). */
  touched(changed: string): string {
    const keys = this.r.groupKeys.length ? this.r.groupKeys : ["1"];
    return `CREATE OR REPLACE TEMP TABLE __touched_${this.i} AS SELECT DISTINCT ${keys.map((k, j) => `${k} AS g${j}`).join(", ")} FROM (${changed}) AS ${this.alias}`;
  }

  /** Points the outer query's relation at the state rows of the touched groups (a view: it reads the state as it is when used). */
  view(state: string): string {
    const keys = this.r.groupKeys.length ? this.r.groupKeys : ["1"];
    const match = keys.map((k, j) => `__t.g${j} IS NOT DISTINCT FROM ${k}`).join(" AND ");
    return `CREATE OR REPLACE TEMP VIEW ${q(this.r.relation)} AS SELECT ${this.alias}.* FROM (${state}) AS ${this.alias} WHERE EXISTS (SELECT 1 FROM __touched_${this.i} AS __t WHERE ${match})`;
  }

  /** The outer query's rows for the touched groups, as the state is now (sink columns c0..). */
  snapshot(which: "before" | "after"): string {
    return `CREATE OR REPLACE TEMP TABLE __${which}_${this.i} AS SELECT * FROM (${this.r.select}) AS __s(${this.sinkColumns.map((_, k) => `c${k}`).join(", ")})`;
  }

  /** Upserts of rows that are new or changed, deletes (by primary key) of rows that are gone. */
  emit(batch: number, cast: (alias: string) => string): string[] {
    const i = this.i;
    const all = this.sinkColumns.map((_, k) => `c${k}`).join(", ");
    const pk = this.primaryKey.map((c) => `c${this.sinkColumns.indexOf(c)}`);
    const keyOrNull = this.sinkColumns.map((c, k) => (this.primaryKey.includes(c) ? `__g.c${k}` : "NULL")).join(", ");
    return [
      `INSERT INTO tandem_outbox_${i} SELECT ${batch}, false, ${cast("__o")} FROM (SELECT ${all} FROM __after_${i} EXCEPT SELECT ${all} FROM __before_${i}) AS __o`,
      `INSERT INTO tandem_outbox_${i} SELECT ${batch}, true, ${keyOrNull} FROM (SELECT ${pk.join(", ")} FROM __before_${i} EXCEPT SELECT ${pk.join(", ")} FROM __after_${i}) AS __g`,
    ];
  }

  /** Keep-last-row: the batch's rows that replace their key's state row (`input` gives the batch's latest row per key). */
  latestRows(input: string): string[] {
    const lr = this.r.lastRow;
    if (!lr) return [];
    const i = this.i;
    const keys = lr.keys.map(q);
    // On equal ORDER BY values the later batch wins, as the later arrival does in Flink.
    return [
      `CREATE OR REPLACE TEMP TABLE __in_${i} AS SELECT * FROM (${input}) AS __r`,
      `CREATE OR REPLACE TEMP TABLE __win_${i} AS SELECT * EXCLUDE (__src, __w) FROM (
        SELECT *, row_number() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${q(lr.order)} DESC, __src DESC) AS __w FROM (
          SELECT *, 1 AS __src FROM __in_${i}
          UNION ALL BY NAME
          SELECT *, 0 AS __src FROM tandem_last_${i} AS __s WHERE EXISTS (SELECT 1 FROM __in_${i} AS __n WHERE ${this.keyMatch("__s", "__n")})
        )) WHERE __w = 1 AND __src = 1`,
    ];
  }

  /** Keep-last-row: the inner rows a batch changes, as they were and as they become. */
  changedLatest(): string {
    return `SELECT * FROM __win_${this.i} UNION ALL BY NAME SELECT * FROM tandem_last_${this.i} AS __s WHERE EXISTS (SELECT 1 FROM __win_${this.i} AS __w WHERE ${this.keyMatch("__s", "__w")})`;
  }

  /** Keep-last-row: the state takes the batch's winning rows. */
  replaceLatest(): string[] {
    return [
      `DELETE FROM tandem_last_${this.i} AS __s WHERE EXISTS (SELECT 1 FROM __win_${this.i} AS __w WHERE ${this.keyMatch("__s", "__w")})`,
      `INSERT INTO tandem_last_${this.i} BY NAME SELECT * FROM __win_${this.i}`,
    ];
  }

  private keyMatch(a: string, b: string): string {
    return (this.r.lastRow?.keys ?? []).map((k) => `${a}.${q(k)} IS NOT DISTINCT FROM ${b}.${q(k)}`).join(" AND ");
  }
}
