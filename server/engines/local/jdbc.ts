import pg from "pg";
import { postgresType } from "./types";
import type { RateLimiter } from "./rate-limiter";
import type { BoundTable } from "./plan";

// The jdbc sink on Postgres (a real server, or Tandem's embedded PGlite through its socket or in
// process). Rows travel as text arrays through unnest(), one parameter per column, so a chunk is one
// statement whatever its size. Exactly-once for micro-batches: the rows and the batch id land in one
// Postgres transaction, and a batch id at or below the recorded one is skipped.

/** The little of a Postgres client the sink needs; node-postgres clients and PGlite both fit. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface SqlDatabase {
  /** Runs fn in one transaction. */
  transaction<T>(fn: (c: SqlClient) => Promise<T>): Promise<T>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

export function pgDatabase(url: string): SqlDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle client's error (server restart) must not crash the job; the next query reports it.
  pool.on("error", () => undefined);
  return {
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(client);
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined); // the original error is the one to report
        throw e;
      } finally {
        client.release();
      }
    },
    query: (sql, params) => pool.query(sql, params as unknown[]),
    close: () => pool.end(),
  };
}

/** PGlite (or anything with query + transaction) as a SqlDatabase, e.g. the in-process embedded database. */
export function pgliteDatabase(db: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>; transaction<T>(fn: (tx: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }) => Promise<T>): Promise<T> }): SqlDatabase {
  const wrap = (c: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlClient => ({
    query: async (sql, params) => ({ rows: (await c.query(sql, params)).rows as Record<string, unknown>[] }),
  });
  return {
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    query: (sql, params) => wrap(db).query(sql, params),
    close: async () => undefined, // owned by the caller
  };
}

/** The host a jdbc url uses to mean "Tandem's own database" (docs/engines.md). */
export const EMBEDDED_JDBC_HOST = "tandem-embedded";

/** `jdbc:postgresql://host:port/db?...` + username/password options -> a node-postgres URL. */
export function postgresUrl(t: BoundTable): string {
  const raw = t.options.url;
  if (!raw) throw new Error(`jdbc table '${t.table.name}' needs the option 'url' (jdbc:postgresql://host:port/database)`);
  const m = /^(?:jdbc:)?postgres(?:ql)?:\/\/(.*)$/i.exec(raw);
  if (!m) throw new Error(`jdbc url '${raw}' of '${t.table.name}' is not a PostgreSQL url; the local engine writes to PostgreSQL only`);
  const u = new URL(`postgres://${m[1]!}`);
  const user = t.options.username;
  const password = t.options.password;
  if (user && !u.username) u.username = encodeURIComponent(user);
  if (password && !u.password) u.password = encodeURIComponent(password);
  return u.toString();
}

export function isEmbeddedUrl(t: BoundTable): boolean {
  return new RegExp(`^(?:jdbc:)?postgres(?:ql)?://(?:[^@/]*@)?${EMBEDDED_JDBC_HOST}(?:[:/?]|$)`, "i").test(t.options.url ?? "");
}

function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` or `table` from the table-name option, quoted. */
export function sinkTableName(t: BoundTable): string {
  const name = t.options["table-name"] ?? t.table.name;
  return name.split(".").map(pgIdent).join(".");
}

export async function ensureSinkTable(db: SqlDatabase, t: BoundTable): Promise<void> {
  const cols = t.table.columns.map((c) => `${pgIdent(c.name)} ${postgresType(c.type)}`);
  const pk = t.table.primaryKey?.length ? `, PRIMARY KEY (${t.table.primaryKey.map(pgIdent).join(", ")})` : "";
  await db.query(`CREATE TABLE IF NOT EXISTS ${sinkTableName(t)} (${cols.join(", ")}${pk})`);
}

export async function ensureCommitTable(db: SqlDatabase): Promise<void> {
  await db.query("CREATE TABLE IF NOT EXISTS tandem_sink_commits (job text NOT NULL, sink text NOT NULL, batch_id bigint NOT NULL, committed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, sink))");
}

export async function committedBatch(db: SqlDatabase, job: string, sink: string): Promise<number> {
  const r = await db.query("SELECT batch_id FROM tandem_sink_commits WHERE job = $1 AND sink = $2", [job, sink]);
  const v = r.rows[0]?.batch_id;
  return v === undefined || v === null ? 0 : Number(v);
}

function toText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export interface WriteOptions {
  mode: "append" | "upsert";
  limiter?: RateLimiter;
  /** Called after each chunk with its row count (rate-limit measurements). */
  onChunk?: (rows: number) => void;
}

/** Writes rows (arrays in `columns` order) with one statement per chunk, on an open transaction. */
export async function writeRows(c: SqlClient, t: BoundTable, columns: string[], rows: readonly (readonly unknown[])[], opts: WriteOptions): Promise<void> {
  const types = columns.map((name) => {
    const col = t.table.columns.find((x) => x.name === name);
    if (!col) throw new Error(`sink '${t.table.name}' has no column '${name}'`);
    return postgresType(col.type);
  });
  const pk = t.table.primaryKey ?? [];
  let data = rows;
  if (opts.mode === "upsert") {
    if (pk.length === 0) throw new Error(`upsert into '${t.table.name}' needs a primary key on the table`);
    // ON CONFLICT cannot touch one row twice in a statement: keep the last row per key.
    const idx = pk.map((k) => columns.indexOf(k));
    if (idx.some((i) => i < 0)) throw new Error(`upsert into '${t.table.name}': the statement must write every primary key column (${pk.join(", ")})`);
    const last = new Map<string, readonly unknown[]>();
    for (const r of rows) last.set(JSON.stringify(idx.map((i) => toText(r[i]))), r);
    data = [...last.values()];
  }
  const list = columns.map(pgIdent).join(", ");
  const select = columns.map((_, i) => `u.c${i}::${types[i]!}`).join(", ");
  const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const alias = columns.map((_, i) => `c${i}`).join(", ");
  let sql = `INSERT INTO ${sinkTableName(t)} (${list}) SELECT ${select} FROM unnest(${unnest}) AS u(${alias})`;
  if (opts.mode === "upsert") {
    const nonKey = columns.filter((c) => !pk.includes(c));
    sql += ` ON CONFLICT (${pk.map(pgIdent).join(", ")}) DO ${nonKey.length ? `UPDATE SET ${nonKey.map((c) => `${pgIdent(c)} = EXCLUDED.${pgIdent(c)}`).join(", ")}` : "NOTHING"}`;
  }
  const chunk = opts.limiter ? opts.limiter.chunkSize : 10_000;
  for (let off = 0; off < data.length; off += chunk) {
    const part = data.slice(off, off + chunk);
    const params = columns.map((_, i) => part.map((r) => toText(r[i])));
    const run = () => c.query(sql, params);
    if (opts.limiter) await opts.limiter.write(part.length, run);
    else await run();
    opts.onChunk?.(part.length);
  }
}

/**
 * Deletes rows by primary key (arrays of the key's values, in primaryKey order) on an open transaction:
 * a stream result that disappeared (a group emptied by a replaced row, docs/engines.md).
 */
export async function deleteRows(c: SqlClient, t: BoundTable, keys: readonly (readonly unknown[])[]): Promise<void> {
  const pk = t.table.primaryKey ?? [];
  if (pk.length === 0) throw new Error(`deletes from '${t.table.name}' need a primary key on the table`);
  const types = pk.map((name) => postgresType(t.table.columns.find((x) => x.name === name)?.type ?? "STRING"));
  const unnest = pk.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const match = pk.map((k, i) => `${sinkTableName(t)}.${pgIdent(k)} = u.c${i}::${types[i]!}`).join(" AND ");
  const sql = `DELETE FROM ${sinkTableName(t)} USING unnest(${unnest}) AS u(${pk.map((_, i) => `c${i}`).join(", ")}) WHERE ${match}`;
  for (let off = 0; off < keys.length; off += 10_000) {
    const part = keys.slice(off, off + 10_000);
    await c.query(sql, pk.map((_, i) => part.map((r) => toText(r[i]))));
  }
}
