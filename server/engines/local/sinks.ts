import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { lit, q, type DuckSession } from "./duck";
import {
  committedBatch, deleteRows, ensureCommitTable, ensureSinkTable, isEmbeddedUrl, pgDatabase, postgresUrl, writeRows, type SqlDatabase,
} from "./jdbc";
import { RateLimiter } from "./rate-limiter";
import { duckType } from "./types";
import { formatOf, requireOption, resolvePath, type EngineEnv } from "./sources";
import type { BoundTable, LocalSink } from "./plan";

// Sinks of the local engine. Batch: replace one partition (or the table) atomically. Stream: deliver
// one micro-batch from the job's outbox, idempotently by batch id, so a replay after a crash writes
// nothing twice. Connectors: jdbc (Postgres), filesystem (Parquet), duckdb (a table in a DuckDB file).

export interface SinkEnv extends EngineEnv {
  /** The database of a jdbc url; the embedded host resolves to Tandem's own database. */
  jdbc(t: BoundTable): SqlDatabase;
  /** Called after each rate-limited chunk reaches the sink (benchmarks and tests). */
  onSinkChunk?: (sink: string, rows: number, at: number) => void;
}

/** Default jdbc resolution: a pool per url, the embedded host through `embedded()` when given. */
export function jdbcResolver(embedded?: () => SqlDatabase): { jdbc(t: BoundTable): SqlDatabase; closeAll(): Promise<void> } {
  const pools = new Map<string, SqlDatabase>();
  return {
    jdbc(t) {
      if (isEmbeddedUrl(t)) {
        if (!embedded) throw new Error(`'${t.table.name}' writes to Tandem's embedded database (host tandem-embedded), which this process cannot reach; run it through 'tandem run' or set DATABASE_URL`);
        return embedded();
      }
      const url = postgresUrl(t);
      let db = pools.get(url);
      if (!db) pools.set(url, (db = pgDatabase(url)));
      return db;
    },
    async closeAll() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}

export function sinkLabel(sink: LocalSink): string {
  return sink.table.table.name;
}

function sinkColumnType(t: BoundTable, name: string): string {
  const c = t.table.columns.find((x) => x.name === name);
  if (!c) throw new Error(`sink '${t.table.name}' has no column '${name}'`);
  return duckType(c.type);
}

/** `CAST(c0 AS type) AS "col"` for each sink column, over a relation with columns c0..cn. */
export function castToSink(sink: LocalSink, source: (i: number) => string): string {
  return sink.columns.map((c, i) => `CAST(${source(i)} AS ${sinkColumnType(sink.table, c)}) AS ${q(c)}`).join(", ");
}

export function validateSink(sink: LocalSink, side: "stream" | "batch"): string | undefined {
  const t = sink.table;
  const kind = t.connection.type;
  if (kind === "jdbc") return undefined;
  if (kind === "filesystem") {
    if (formatOf(t) !== "parquet") return `the local engine writes filesystem sinks as Parquet; '${t.table.name}' has format '${formatOf(t)}'`;
    if (side === "stream" && sink.mode === "upsert") return `'${t.table.name}' is a filesystem sink and cannot take updates; declare a jdbc sink with a primary key, or aggregate over a window`;
    return undefined;
  }
  if (kind === "duckdb") return undefined;
  if (kind === "print" || kind === "blackhole") return undefined;
  return `the local engine has no '${kind}' sink; supported: jdbc (PostgreSQL), filesystem (Parquet), duckdb, print, blackhole`;
}

// ---------------------------------------------------------------------------------------------------
// Batch: overwrite a partition

export interface BatchWriteResult {
  rows: number;
  target: string;
}

/**
 * Writes the rows of `select` (producing sink.columns) to the sink, replacing the partition (or the
 * whole table when unpartitioned and not append) atomically: a rerun never duplicates rows.
 */
export async function writeBatch(s: DuckSession, sink: LocalSink, select: string, env: SinkEnv): Promise<BatchWriteResult> {
  const t = sink.table;
  const typed = `SELECT ${castToSink(sink, (i) => q(`c${i}`))} FROM (${select}) AS __s(${sink.columns.map((_, i) => q(`c${i}`)).join(", ")})`;
  switch (t.connection.type) {
    case "filesystem":
      return writeParquetPartition(s, sink, typed, env);
    case "jdbc":
      return writeJdbcBatch(s, sink, typed, env);
    case "duckdb":
      return writeDuckdbBatch(s, sink, typed, env);
    case "print":
    case "blackhole": {
      const n = Number(await s.scalar(`SELECT count(*) FROM (${typed})`));
      return { rows: n, target: t.connection.type };
    }
    default:
      throw new Error(validateSink(sink, "batch") ?? `unsupported sink '${t.table.name}'`);
  }
}

/**
 * For a day of hour partitions: only the rows inside the day's hours. The translator's SELECT filters
 * too; the sink does it again because folder names come from these values, whoever wrote the plan.
 */
function keptRows(sink: LocalSink, typed: string): string {
  const p = sink.partition;
  if (!p || !("values" in p)) return typed;
  return `SELECT * FROM (${typed}) AS __k WHERE CAST(${q(p.column)} AS VARCHAR) IN (${p.values.map(lit).join(", ")})`;
}

/** The DELETE predicate (DuckDB and Postgres alike) for the partitions a write replaces; "" for the whole table. */
function replacedWhere(sink: LocalSink, quote: (name: string) => string): string {
  const p = sink.partition;
  if (!p) return "";
  if ("value" in p) return ` WHERE ${quote(p.column)} = ${lit(p.value)}`;
  return ` WHERE CAST(${quote(p.column)} AS VARCHAR) IN (${p.values.map(lit).join(", ")})`;
}

const PARTITION_FILE = "part-0.parquet";

/** A hidden temp file in a partition folder (readers skip names starting with `.`), the folder created. */
function stagingFile(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `.tandem-${crypto.randomUUID()}.parquet.tmp`);
}

/** rename(2) replaces the partition's file in one step (readers see the old rows or the new ones); other files go. */
function swapIn(dir: string, tmp: string): void {
  fs.renameSync(tmp, path.join(dir, PARTITION_FILE));
  for (const f of fs.readdirSync(dir)) {
    if (f !== PARTITION_FILE && f.endsWith(".parquet")) fs.rmSync(path.join(dir, f), { force: true });
  }
}

async function writeParquetPartition(s: DuckSession, sink: LocalSink, typed: string, env: SinkEnv): Promise<BatchWriteResult> {
  const root = resolvePath(requireOption(sink.table, "path"), env);
  if (sink.partition && "values" in sink.partition) return writeParquetHours(s, sink, { column: sink.partition.column, values: sink.partition.values }, root, typed);
  const dir = sink.partition ? path.join(root, `${sink.partition.column}=${sink.partition.value}`) : root;
  const tmp = stagingFile(dir);
  try {
    const out = await s.rows(`COPY (${typed}) TO ${lit(tmp)} (FORMAT parquet)`);
    swapIn(dir, tmp);
    return { rows: Number(Object.values(out[0] ?? {})[0] ?? 0), target: dir };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * A day of hour partitions: every file is written first, then each swapped in with rename(2), then the
 * day's hours without rows are removed. Each hour changes atomically; a crash between swaps leaves some
 * hours new and some old, never a partial or doubled hour, and a rerun completes the day.
 */
async function writeParquetHours(s: DuckSession, sink: LocalSink, p: { column: string; values: string[] }, root: string, typed: string): Promise<BatchWriteResult> {
  const stage = `__tandem_stage_${crypto.randomBytes(4).toString("hex")}`;
  const rest = sink.columns.filter((c) => c !== p.column).map(q).join(", ");
  await s.run(`CREATE TEMP TABLE ${stage} AS ${keptRows(sink, typed)}`);
  const staged: { dir: string; tmp: string }[] = [];
  try {
    const present = (await s.rows(`SELECT DISTINCT CAST(${q(p.column)} AS VARCHAR) AS v FROM ${stage} ORDER BY 1`)).map((r) => String(r.v));
    let rows = 0;
    for (const v of present) {
      const dir = path.join(root, `${p.column}=${v}`);
      const tmp = stagingFile(dir);
      staged.push({ dir, tmp });
      const out = await s.rows(`COPY (SELECT ${rest} FROM ${stage} WHERE CAST(${q(p.column)} AS VARCHAR) = ${lit(v)}) TO ${lit(tmp)} (FORMAT parquet)`);
      rows += Number(Object.values(out[0] ?? {})[0] ?? 0);
    }
    for (const { dir, tmp } of staged) swapIn(dir, tmp);
    for (const v of p.values) {
      if (!present.includes(v)) fs.rmSync(path.join(root, `${p.column}=${v}`), { recursive: true, force: true });
    }
    return { rows, target: root };
  } finally {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    await s.run(`DROP TABLE IF EXISTS ${stage}`);
  }
}

async function writeJdbcBatch(s: DuckSession, sink: LocalSink, typed: string, env: SinkEnv): Promise<BatchWriteResult> {
  const t = sink.table;
  const db = env.jdbc(t);
  await ensureSinkTable(db, t);
  const rows = (await s.rows(keptRows(sink, typed))).map((r) => sink.columns.map((c) => r[c]));
  const limiter = sink.rateLimit ? new RateLimiter(sink.rateLimit) : undefined;
  const table = t.options["table-name"] ?? t.table.name;
  const cols = [...sink.columns];
  const p = sink.partition;
  const data = p && "value" in p ? rows.map((r) => [...r, p.value]) : rows;
  if (p && "value" in p) cols.push(p.column);
  await db.transaction(async (c) => {
    if (sink.mode !== "append") await c.query(`DELETE FROM ${pgName(table)}${replacedWhere(sink, pgQ)}`);
    await writeRows(c, t, cols, data, {
      mode: "append",
      limiter,
      onChunk: (n) => env.onSinkChunk?.(t.table.name, n, performance.now()),
    });
  });
  return { rows: rows.length, target: `jdbc:${table}` };
}

async function writeDuckdbBatch(s: DuckSession, sink: LocalSink, typed: string, env: SinkEnv): Promise<BatchWriteResult> {
  const t = sink.table;
  const file = resolvePath(requireOption(t, "path"), env);
  const table = t.options["table-name"] ?? t.table.name;
  const alias = `sink_${crypto.randomBytes(4).toString("hex")}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await s.run(`ATTACH ${lit(file)} AS ${alias}`);
  try {
    const cols = t.table.columns.map((c) => `${q(c.name)} ${duckType(c.type)}`).join(", ");
    await s.run(`CREATE TABLE IF NOT EXISTS ${alias}.${q(table)} (${cols})`);
    const p = sink.partition;
    const list = [...sink.columns, ...(p && "value" in p ? [p.column] : [])].map(q).join(", ");
    const extra = p && "value" in p ? `, ${lit(p.value)}` : "";
    return await s.transaction(async () => {
      if (sink.mode !== "append") await s.run(`DELETE FROM ${alias}.${q(table)}${replacedWhere(sink, q)}`);
      const out = await s.rows(`INSERT INTO ${alias}.${q(table)} (${list}) SELECT *${extra} FROM (${keptRows(sink, typed)})`);
      return { rows: Number(Object.values(out[0] ?? {})[0] ?? 0), target: `${file}:${table}` };
    });
  } finally {
    await s.run(`DETACH ${alias}`);
  }
}

function pgQ(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
function pgName(name: string): string {
  return name.split(".").map(pgQ).join(".");
}

// ---------------------------------------------------------------------------------------------------
// Stream: deliver micro-batches from the outbox

export interface StreamSinkWriter {
  /** The last batch id this sink has durably committed for the job (0 when none). */
  committed(): Promise<number>;
  /**
   * Delivery of one batch's outbox rows (already typed, in sink.columns order) with the batch id,
   * atomically, in two steps. stage() does all the work on the job's DuckDB session (reading the
   * rows); the write it returns no longer touches the session, so the runner lets it go on while the
   * next micro-batch runs. Writes are started in batch order, one at a time.
   */
  stage(batchId: number, outboxSelect: string, deletes?: DeleteSelect): Promise<StagedWrite>;
  close(): Promise<void>;
}

/**
 * Rows a batch removes from an upsert sink (a result that disappeared): `select` gives the primary key's
 * columns, named as they are. Applied before the batch's upserts, in the same sink transaction.
 */
export interface DeleteSelect {
  select: string;
  primaryKey: string[];
}

export interface StagedWrite {
  /** Rows of the batch for this sink (a batch without rows is not written at all). */
  rows: number;
  /** Writes the staged batch to the sink; resolves to the rows written (0 when it had them already). */
  write: () => Promise<number>;
}

/** A batch without rows for the sink: nothing to write. */
export const NOTHING_TO_WRITE: StagedWrite = { rows: 0, write: async () => 0 };

export async function openStreamSink(s: DuckSession, jobId: string, sink: LocalSink, env: SinkEnv): Promise<StreamSinkWriter> {
  const t = sink.table;
  const label = t.table.name;
  switch (t.connection.type) {
    case "jdbc": {
      const db = env.jdbc(t);
      // The delivery marker names the physical target (schema.table), not the catalog name: two jobs
      // writing the same catalog table into different databases or schemas must not skip each other.
      const target = t.options["table-name"] ?? t.table.name;
      await ensureSinkTable(db, t);
      await ensureCommitTable(db);
      const limiter = sink.rateLimit ? new RateLimiter(sink.rateLimit) : undefined;
      return {
        committed: () => committedBatch(db, jobId, target),
        async stage(batchId, outboxSelect, deletes) {
          const rows = (await s.rows(outboxSelect)).map((r) => sink.columns.map((c) => r[c]));
          const gone = deletes ? (await s.rows(deletes.select)).map((r) => deletes.primaryKey.map((c) => r[c])) : [];
          if (rows.length === 0 && gone.length === 0) return NOTHING_TO_WRITE;
          return { rows: rows.length + gone.length, write: () => db.transaction(async (c) => {
            const done = await c.query("SELECT batch_id FROM tandem_sink_commits WHERE job = $1 AND sink = $2 FOR UPDATE", [jobId, target]);
            if (Number(done.rows[0]?.batch_id ?? 0) >= batchId) return; // delivered before a crash: skip
            if (gone.length) await deleteRows(c, t, gone);
            if (rows.length) {
              await writeRows(c, t, sink.columns, rows, {
                mode: sink.mode === "upsert" ? "upsert" : "append", limiter,
                onChunk: (n) => env.onSinkChunk?.(label, n, performance.now()),
              });
            }
            await c.query(
              "INSERT INTO tandem_sink_commits (job, sink, batch_id) VALUES ($1, $2, $3) ON CONFLICT (job, sink) DO UPDATE SET batch_id = EXCLUDED.batch_id, committed_at = now()",
              [jobId, target, batchId],
            );
          }).then(() => rows.length + gone.length) };
        },
        close: async () => undefined, // pools belong to the resolver
      };
    }
    case "filesystem": {
      // One file per micro-batch, named by the batch id: a replay rewrites the same file.
      const root = resolvePath(requireOption(t, "path"), env);
      return {
        committed: async () => 0,
        async stage(batchId, outboxSelect) {
          fs.mkdirSync(root, { recursive: true });
          const name = `part-${jobId.replace(/[^A-Za-z0-9_-]/g, "_")}-${String(batchId).padStart(10, "0")}.parquet`;
          const tmp = path.join(root, `.${name}.tmp`);
          const out = await s.rows(`COPY (${outboxSelect}) TO ${lit(tmp)} (FORMAT parquet)`);
          const n = Number(Object.values(out[0] ?? {})[0] ?? 0);
          if (n === 0) {
            fs.rmSync(tmp, { force: true });
            return NOTHING_TO_WRITE;
          }
          return {
            rows: n,
            write: async () => {
              fs.renameSync(tmp, path.join(root, name));
              return n;
            },
          };
        },
        close: async () => undefined,
      };
    }
    case "duckdb": {
      const file = resolvePath(requireOption(t, "path"), env);
      const table = t.options["table-name"] ?? t.table.name;
      const alias = `sink_${crypto.createHash("sha1").update(label).digest("hex").slice(0, 8)}`;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await s.run(`ATTACH IF NOT EXISTS ${lit(file)} AS ${alias}`);
      const cols = t.table.columns.map((c) => `${q(c.name)} ${duckType(c.type)}`).join(", ");
      const pk = t.table.primaryKey?.length ? `, PRIMARY KEY (${t.table.primaryKey.map(q).join(", ")})` : "";
      await s.run(`CREATE TABLE IF NOT EXISTS ${alias}.${q(table)} (${cols}${pk})`);
      await s.run(`CREATE TABLE IF NOT EXISTS ${alias}.tandem_sink_commits (job VARCHAR, sink VARCHAR, batch_id BIGINT, PRIMARY KEY (job, sink))`);
      const committed = async () => Number(await s.scalar(`SELECT coalesce(max(batch_id), 0) FROM ${alias}.tandem_sink_commits WHERE job = ${lit(jobId)} AND sink = ${lit(label)}`) ?? 0);
      return {
        committed,
        async stage(batchId, outboxSelect, deletes) {
          // The sink file is attached to the job's session: the whole write happens here.
          const rows = Number(await s.scalar(`SELECT count(*) FROM (${outboxSelect}) AS __b`) ?? 0);
          const gone = deletes ? Number(await s.scalar(`SELECT count(*) FROM (${deletes.select}) AS __d`) ?? 0) : 0;
          if (rows === 0 && gone === 0) return NOTHING_TO_WRITE;
          const n = await s.transaction(async () => {
            if ((await committed()) >= batchId) return 0;
            if (deletes && gone > 0) {
              const match = deletes.primaryKey.map((k) => `t.${q(k)} IS NOT DISTINCT FROM d.${q(k)}`).join(" AND ");
              await s.run(`DELETE FROM ${alias}.${q(table)} t USING (${deletes.select}) d WHERE ${match}`);
            }
            const verb = sink.mode === "upsert" ? "INSERT OR REPLACE" : "INSERT";
            const out = await s.rows(`${verb} INTO ${alias}.${q(table)} (${sink.columns.map(q).join(", ")}) ${outboxSelect}`);
            await s.run(`INSERT OR REPLACE INTO ${alias}.tandem_sink_commits VALUES (${lit(jobId)}, ${lit(label)}, ${batchId})`);
            return Number(Object.values(out[0] ?? {})[0] ?? 0);
          });
          return { rows: rows + gone, write: async () => n };
        },
        close: async () => { await s.run(`DETACH ${alias}`); },
      };
    }
    case "print":
    case "blackhole":
      return {
        committed: async () => 0,
        async stage(_batchId, outboxSelect) {
          const rows = await s.rows(outboxSelect);
          if (rows.length === 0) return NOTHING_TO_WRITE;
          return {
            rows: rows.length,
            write: async () => {
              if (t.connection.type === "print") for (const r of rows) process.stdout.write(`${label}> ${JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}\n`);
              return rows.length;
            },
          };
        },
        close: async () => undefined,
      };
    default:
      throw new Error(validateSink(sink, "stream") ?? `unsupported sink '${label}'`);
  }
}
