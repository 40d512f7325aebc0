import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DuckSession, lit, q } from "./duck";
import { duckType } from "./types";
import { registerBoundedSource, listParquetFiles, option, resolvePath } from "./sources";
import { openStreamSink, sinkLabel, validateSink, type SinkEnv, type StagedWrite, type StreamSinkWriter, NOTHING_TO_WRITE } from "./sinks";
import { openStreamSource, unsupportedStreamSource, type InputSlice, type Offsets, type StreamSource } from "./stream-sources";
import type { LocalSource, LocalStreamJob, LocalStreamStatement, StreamAggregation } from "./plan";
import { DELETE_COLUMN, RecomputeSql } from "./recompute";

// The stream side as exactly-once micro-batches. One DuckDB file per job holds the source offsets, the
// aggregate state (plus the distinct values behind COUNT DISTINCT) and an outbox of changed rows; one
// transaction per micro-batch commits all of them. The outbox is then delivered to the sink with the
// batch id, idempotently (docs/engines.md), and cleared. Unindexed state tables with anti-joins and
// delete+insert merges were the fastest exact strategy measured (DESIGN.md §8).

export const RAW_TABLE = "__tandem_raw";
/** Layout of the state tables; part of the plan fingerprint, so state of another layout is refused. */
const STATE_FORMAT = 2;

export interface MicroBatchMetrics {
  batchId: number;
  rowsIn: number;
  rowsOut: number;
  /** From reading the input to the commit of state and outbox (the sink write goes on after it). */
  durationMs: number;
  /** From reading the input until the sinks have committed the batch's rows (set on delivery). */
  latencyMs?: number;
  watermarkMs: number | null;
  backlog: number;
  at: number;
}

export interface StreamRunnerOptions {
  jobId: string;
  /** Folder of the job's state (state.duckdb) and savepoints. */
  stateDir: string;
  env: SinkEnv;
  maxBatchRows?: number;
  /** DuckDB threads of the job's session (default 1). */
  threads?: number;
  now?: () => number;
  /** Test hook: runs inside the micro-batch transaction, just before COMMIT. */
  beforeCommit?: (batchId: number) => Promise<void> | void;
  /** Test hook: runs after the state commit, before the outbox is delivered. */
  afterCommit?: (batchId: number) => Promise<void> | void;
  onBatch?: (m: MicroBatchMetrics) => void;
  /** After the sinks have committed a batch (latencyMs set). */
  onDelivered?: (m: MicroBatchMetrics) => void;
}

export class UnsupportedStreamJob extends Error {}

/** Constructs the local stream engine cannot run, found at submit (messages name what to change). */
export function checkStreamJob(job: LocalStreamJob): string[] {
  const problems: string[] = [];
  const scans = job.sources.filter((s) => s.role === "scan");
  if (scans.length !== 1) {
    problems.push(`a local stream job reads exactly one stream source; '${job.name}' reads ${scans.length} (${scans.map((s) => s.name).join(", ") || "none"}). Joins of two streams are not supported: join dimensions with a lookup join (FOR SYSTEM_TIME AS OF)`);
  }
  for (const s of job.sources) {
    const unsupported = s.role === "scan" ? unsupportedStreamSource(s) : undefined;
    if (unsupported) problems.push(unsupported);
    if (s.role === "lookup" && s.table.connection.type !== "filesystem") {
      problems.push(`lookup table '${s.name}' uses connector '${s.table.connection.type}'; the local engine looks up filesystem tables (Parquet or JSON)`);
    }
  }
  if (job.statements.length === 0) problems.push(`job '${job.name}' has no INSERT statement to run`);
  job.statements.forEach((st, i) => {
    const where = `statement ${i + 1} (into '${sinkLabel(st.sink)}')`;
    const p = validateSink(st.sink, "stream");
    if (p) problems.push(`${where}: ${p}`);
    if (st.recompute && st.sink.mode !== "upsert") {
      problems.push(`${where}: its results are replaced or removed as rows arrive (keep-last-row deduplication or a two-level aggregation), so the sink needs a primary key (upsert); '${sinkLabel(st.sink)}' has none`);
    }
    const a = st.aggregation;
    if (!a) return;
    for (const g of a.aggregates) {
      if (!["count", "sum", "min", "max", "count_distinct"].includes(g.fn)) problems.push(`${where}: aggregate ${g.fn} is not supported on the local stream engine; use COUNT, SUM, MIN, MAX or COUNT(DISTINCT ...)`);
      if (g.fn !== "count" && !g.arg) problems.push(`${where}: ${g.fn} needs an argument`);
    }
    if (a.window) {
      if (!(a.window.sizeMs > 0)) problems.push(`${where}: window size must be positive`);
      if (a.window.kind === "hop" && !a.window.bounds && !(a.window.slideMs && a.window.slideMs > 0)) problems.push(`${where}: a HOP window needs a positive slide`);
      if (!job.watermark) problems.push(`${where}: windows need event time: declare a watermark on the stream table`);
    } else {
      if (st.sink.mode !== "upsert") {
        problems.push(`${where}: a GROUP BY without a window updates its results, so the sink needs a primary key (upsert); '${sinkLabel(st.sink)}' has none. Declare primaryKey on it, or aggregate over a TUMBLE/HOP window`);
      }
      if (a.having) problems.push(`${where}: HAVING on an updating aggregate would need retractions, which the local engine does not emit; filter in the dashboard query or use a window`);
    }
    const want = st.recompute?.columns.length ?? st.project?.queryColumns.length ?? st.sink.columns.length;
    if (a.output.length !== want) problems.push(`${where}: the aggregation produces ${a.output.length} columns, ${st.recompute ? "its inner query has" : st.project ? "the query has" : "the sink takes"} ${want}`);
  });
  return problems;
}

interface Prepared {
  st: LocalStreamStatement;
  i: number;
  agg?: StreamAggregation;
  keys: string[];
  /** Key columns of the state: group keys, then ws, we for windows. */
  stateKeys: string[];
  distinct: number[];
  /** Keep-last-row or two-level aggregation: the outer query recomputed over the inner level's state. */
  recompute?: RecomputeSql;
}

export class StreamRunner {
  private offsets: Offsets = {};
  private batchId = 0;
  private watermark: number | null = null;
  private readonly sinks: StreamSinkWriter[] = [];
  private readonly prepared: Prepared[] = [];
  /**
   * Window bounds are the session zone's wall clock while the watermark is an instant (an LTZ event
   * time outside UTC): bounds become instants before they meet the watermark, as Flink fires them.
   */
  private instantWindows = false;
  private lookupSignature = new Map<string, string>();
  /** Per statement: the newest batch its sink has taken; its outbox rows are removed in the next transaction. */
  private readonly delivered: (number | undefined)[] = [];
  /** The sink writes of the last committed batch, running while the next batch is processed. */
  private writing: Promise<void> = Promise.resolve();
  private writeError: { error: unknown } | undefined;
  /** The slice after the batch in progress, read while DuckDB runs that batch. */
  private ahead: { from: string; slice: Promise<InputSlice> } | undefined;
  readonly totals = { rowsIn: 0, rowsOut: 0, batches: 0, lastBatch: undefined as MicroBatchMetrics | undefined };

  private constructor(
    readonly job: LocalStreamJob,
    private readonly s: DuckSession,
    private readonly source: StreamSource,
    private readonly scan: LocalSource,
    private readonly opts: StreamRunnerOptions,
  ) {}

  static statePath(stateDir: string): string {
    return path.join(stateDir, "state.duckdb");
  }

  static async open(job: LocalStreamJob, opts: StreamRunnerOptions): Promise<StreamRunner> {
    const problems = checkStreamJob(job);
    if (problems.length) throw new UnsupportedStreamJob(`cannot run '${job.name}' on the local stream engine:\n  ${problems.join("\n  ")}`);
    const scan = job.sources.find((x) => x.role === "scan");
    if (!scan) throw new UnsupportedStreamJob("no stream source");
    fs.mkdirSync(opts.stateDir, { recursive: true });
    // Micro-batches are small: one thread avoids the scheduling cost of parallel plans for 10k rows.
    const s = await DuckSession.open(StreamRunner.statePath(opts.stateDir), { threads: opts.threads ?? 1, timeZone: job.timeZone });
    let source: StreamSource | undefined;
    try {
      source = openStreamSource(scan, opts.env, opts.now);
      const r = new StreamRunner(job, s, source, scan, opts);
      await r.init();
      return r;
    } catch (e) {
      source?.close();
      s.close();
      throw e;
    }
  }

  /** Profiling (benchmarks): time spent per SQL statement of the job's session. */
  set onStatement(fn: ((sql: string, ms: number) => void) | undefined) {
    this.s.onStatement = fn;
  }

  private get maxRows(): number {
    return this.opts.maxBatchRows ?? 10_000;
  }

  /** A fingerprint of what the state means: a changed plan must not silently reuse old state. */
  private fingerprint(): string {
    // dedup is undefined (so left out by JSON.stringify) for every statement written before it ran.
    const shape = this.job.statements.map((st) => ({ input: st.input, agg: st.aggregation, sink: sinkLabel(st.sink), cols: st.sink.columns, dedup: st.dedup, recompute: st.recompute }));
    // The session zone decides days and hours in the state; UTC adds nothing, so older UTC state still matches.
    const zone = this.job.timeZone && this.job.timeZone !== "UTC" ? { timeZone: this.job.timeZone } : {};
    return crypto.createHash("sha256").update(JSON.stringify({ shape, views: this.job.views, source: this.scan.name, stateFormat: STATE_FORMAT, ...zone })).digest("hex").slice(0, 16);
  }

  private async init(): Promise<void> {
    const s = this.s;
    // Checkpoint (WAL -> database file) when the input is idle, not in the middle of a busy stretch,
    // where it would stall a micro-batch; the WAL keeps every commit durable in between.
    await s.run("SET checkpoint_threshold = '1GB'");
    await s.run("CREATE TABLE IF NOT EXISTS tandem_job (k VARCHAR PRIMARY KEY, v VARCHAR)");
    const meta = new Map((await s.rows("SELECT k, v FROM tandem_job")).map((r) => [String(r.k), String(r.v)]));
    const fp = this.fingerprint();
    if (meta.has("plan") && meta.get("plan") !== fp) {
      throw new UnsupportedStreamJob(`the state in ${this.opts.stateDir} belongs to another version of job '${this.job.name}' (its SQL or sinks changed); start it fresh (tandem run --side stream --reset) or resume from a savepoint of this version`);
    }
    if (!meta.has("plan")) {
      this.offsets = this.source.initialOffsets(this.job.startFrom);
      await s.run(`INSERT INTO tandem_job VALUES ('plan', ${lit(fp)}), ('job', ${lit(this.job.name)}), ('batch', '0'), ('watermark', ''), ('offsets', ${lit(JSON.stringify(this.offsets))})`);
    } else {
      this.offsets = JSON.parse(meta.get("offsets") ?? "{}") as Offsets;
      this.batchId = Number(meta.get("batch") ?? 0);
      const wm = meta.get("watermark");
      this.watermark = wm ? Number(wm) : null;
    }

    // An empty raw table in the source's shape: the source's view over it (with computed columns), the
    // lookups and views let every statement be checked at submit. Batches point the view at their slice.
    const cols = this.scan.table.table.columns.map((c) => `${q(c.name)} ${duckType(c.type)}`).join(", ");
    await s.run(`CREATE OR REPLACE TEMP TABLE ${RAW_TABLE} (${cols})`);
    await s.run(this.scanViewSql(`SELECT * FROM ${RAW_TABLE}`));
    await this.refreshLookups(true);
    for (const v of this.job.views) await s.run(`CREATE OR REPLACE TEMP VIEW ${q(v.name)} AS ${v.sql}`);
    const wm = this.job.watermark;
    if (wm && this.job.timeZone && this.job.timeZone !== "UTC") {
      const [col] = await s.describe(`SELECT ${q(wm.column)} FROM ${q(this.scan.name)}`);
      this.instantWindows = col?.type === "TIMESTAMP WITH TIME ZONE";
    }

    for (const [i, st] of this.job.statements.entries()) {
      const agg = st.aggregation;
      const keys = agg ? agg.groupKeys.map((_, k) => `k${k}`) : [];
      const p: Prepared = {
        st, i, agg, keys,
        stateKeys: agg?.window ? [...keys, "ws", "we"] : keys,
        distinct: agg ? agg.aggregates.flatMap((g, j) => (g.fn === "count_distinct" ? [j] : [])) : [],
        recompute: st.recompute ? new RecomputeSql(i, st.recompute, st.sink.columns, st.sink.table.table.primaryKey ?? []) : undefined,
      };
      this.prepared.push(p);
      // Creating the state tables from the (empty) first batch also checks every query at submit.
      const outCols = st.sink.columns.map((c, k) => `c${k} ${this.sinkType(st, c)}`).join(", ");
      // A recomputed statement's outbox also holds deletes (its results can disappear).
      await s.run(`CREATE TABLE IF NOT EXISTS tandem_outbox_${i} (__batch BIGINT, ${p.recompute ? `${DELETE_COLUMN} BOOLEAN, ` : ""}${outCols})`);
      if (st.dedup) await this.initSeen(st.dedup, i);
      if (agg) {
        await s.run(this.inputSql(p, null));
        if (p.distinct.length) {
          await s.run(`CREATE SEQUENCE IF NOT EXISTS tandem_kid_${i}`);
          // The key ids' shape (the real query joins the aggregate state, which does not exist yet).
          await s.run(`CREATE OR REPLACE TEMP TABLE __k_${i} AS SELECT DISTINCT ${p.stateKeys.join(", ")}, NULL::BIGINT AS __kid FROM __in_${i}`);
        }
        for (const j of p.distinct) {
          await s.run(`CREATE TABLE IF NOT EXISTS tandem_distinct_${i}_${j} AS SELECT 0::BIGINT AS kid, a${j} AS v FROM __in_${i} WHERE false`);
          await s.run(this.newDistinctSql(p, j)[0] ?? "");
        }
        await s.run(`CREATE OR REPLACE TEMP TABLE __p_${p.i} AS ${this.partialSql(p)}`);
        await s.run(`CREATE TABLE IF NOT EXISTS tandem_agg_${i} AS SELECT * FROM __p_${i} WHERE false`);
        const rc = p.recompute;
        if (rc) for (const sql of [this.mergeSql(p)[0] ?? "", rc.touched(this.changedInner(p)), rc.view(this.innerRows(p, `tandem_agg_${i}`, (j) => `g${j}`)), rc.snapshot("before")]) await s.run(sql);
      } else if (p.recompute) {
        const rc = p.recompute;
        await s.run(`CREATE TABLE IF NOT EXISTS tandem_last_${i} AS SELECT * FROM (${st.input}) AS __r WHERE false`);
        for (const sql of [...rc.latestRows(st.input), rc.touched(rc.changedLatest()), rc.view(`SELECT * FROM tandem_last_${i}`), rc.snapshot("before")]) await s.run(sql);
      } else {
        await s.describe(`SELECT * FROM (${st.input}) AS __s`);
      }
    }
    for (const st of this.job.statements) this.sinks.push(await openStreamSink(s, this.opts.jobId, st.sink, this.opts.env));
    await this.deliverPending();
  }

  /**
   * tandem_seen_i: the keys a deduplicating statement has emitted (k0.., o). Its columns take their
   * types from the batch's rows; the relation the input reads stands in untyped until the table exists.
   */
  private async initSeen(d: { seen: string; keys: number; rows: string }, i: number): Promise<void> {
    const exists = Number(await this.s.scalar(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'tandem_seen_${i}' AND NOT temporary`)) > 0;
    if (!exists) {
      const stub = [...Array.from({ length: d.keys }, (_, j) => `NULL AS k${j}`), "NULL AS o"].join(", ");
      await this.s.run(`CREATE OR REPLACE TEMP VIEW ${q(d.seen)} AS SELECT ${stub} WHERE false`);
      await this.s.run(`CREATE TABLE tandem_seen_${i} AS SELECT * FROM (${d.rows}) AS __r WHERE false`);
    }
    await this.s.run(this.seenViewSql(d, i));
  }

  private seenViewSql(d: { seen: string }, i: number): string {
    return `CREATE OR REPLACE TEMP VIEW ${q(d.seen)} AS SELECT * FROM tandem_seen_${i}`;
  }

  /** The stream source's view (with its computed columns) over a query of raw rows. */
  private scanViewSql(rows: string): string {
    const computed = this.scan.computed?.length ? `, ${this.scan.computed.map((c) => `${c.sql} AS ${q(c.name)}`).join(", ")}` : "";
    return `CREATE OR REPLACE TEMP VIEW ${q(this.scan.name)} AS SELECT *${computed} FROM (${rows}) AS __raw`;
  }

  private sinkType(st: LocalStreamStatement, column: string): string {
    const c = st.sink.table.table.columns.find((x) => x.name === column);
    if (!c) throw new UnsupportedStreamJob(`sink '${sinkLabel(st.sink)}' has no column '${column}'`);
    return duckType(c.type);
  }

  /** Lookup tables are loaded into memory and reloaded when their files change. */
  private async refreshLookups(force = false): Promise<void> {
    for (const src of this.job.sources) {
      if (src.role !== "lookup") continue;
      const root = resolvePath(option(src.table, "path") ?? "", this.opts.env);
      const files = fs.existsSync(root) ? listParquetFiles(root).files : [];
      const sig = files.map((f) => `${f}:${fs.statSync(f).mtimeMs}`).join("|") + (fs.existsSync(root) ? `:${fs.statSync(root).mtimeMs}` : "");
      if (!force && this.lookupSignature.get(src.name) === sig) continue;
      await registerBoundedSource(this.s, src, this.opts.env, { materialize: true });
      this.lookupSignature.set(src.name, sig);
    }
  }

  // --- SQL of one aggregate statement ---------------------------------------------------------------

  private keyJoin(a: string, b: string, keys: string[]): string {
    return keys.length ? keys.map((k) => `${a}.${k} IS NOT DISTINCT FROM ${b}.${k}`).join(" AND ") : "true";
  }

  /** __in_i: group keys, window bounds and aggregate arguments of this batch's input rows. */
  private inputSql(p: Prepared, lateBefore: number | null): string {
    const a = p.agg as StreamAggregation;
    const keys = a.groupKeys.map((g, k) => `${g.expr} AS k${k}`);
    const args = a.aggregates.map((g, j) => `${g.arg ?? "NULL"} AS a${j}`);
    const b = a.window?.bounds;
    const time = a.window && !b ? `, epoch_ms(${a.window.timeColumn.startsWith('"') ? a.window.timeColumn : q(a.window.timeColumn)}) AS __t` : "";
    const base = `SELECT ${[...keys, ...args].join(", ")}${time} FROM (${p.st.input}) AS __q`;
    if (!a.window) return `CREATE OR REPLACE TEMP TABLE __in_${p.i} AS ${base}`;
    const size = a.window.sizeMs;
    const names = [...p.keys, ...a.aggregates.map((_, j) => `a${j}`)].join(", ");
    let windowed: string;
    if (b) {
      // Windows assigned by the input (one row per event and window): bounds are two of the keys.
      const bound = (k: string) => (this.instantWindows ? `epoch_ms(CAST(${k} AS TIMESTAMPTZ))` : `epoch_ms(${k})`);
      const start = `k${b.startKey}`;
      const end = b.endKey !== undefined ? `k${b.endKey}` : `(${start} + to_milliseconds(${size}))`;
      windowed = `SELECT ${names}, ${bound(start)} AS ws, ${bound(end)} AS we FROM (${base}) WHERE ${start} IS NOT NULL`;
    } else if (a.window.kind === "tumble") {
      windowed = `SELECT ${names}, (__t // ${size}) * ${size} AS ws, (__t // ${size}) * ${size} + ${size} AS we FROM (${base}) WHERE __t IS NOT NULL`;
    } else {
      const slide = a.window.slideMs ?? size;
      const back = Math.ceil(size / slide) - 1;
      windowed = `SELECT ${names}, ws, ws + ${size} AS we FROM (
        SELECT *, unnest(range((__t // ${slide}) * ${slide} - ${back * slide}, (__t // ${slide}) * ${slide} + 1, ${slide})) AS ws FROM (${base}) WHERE __t IS NOT NULL
      ) WHERE ws + ${size} > __t`;
    }
    // Rows of windows the watermark already closed are late: dropped, as Flink does.
    const late = lateBefore === null ? "" : ` WHERE we - 1 > ${lateBefore}`;
    return `CREATE OR REPLACE TEMP TABLE __in_${p.i} AS SELECT * FROM (${windowed})${late}`;
  }

  /** SELECT of this batch's partial aggregates per key (COUNT DISTINCT: only values new to the state). */
  private partialSql(p: Prepared): string {
    const a = p.agg as StreamAggregation;
    const sk = p.stateKeys;
    const parts = a.aggregates.map((g, j) => {
      switch (g.fn) {
        case "count": return g.arg ? `count(a${j})::BIGINT AS g${j}` : `count(*)::BIGINT AS g${j}`;
        case "sum": return `sum(a${j}) AS g${j}`;
        case "min": return `min(a${j}) AS g${j}`;
        case "max": return `max(a${j}) AS g${j}`;
        case "count_distinct": return `0::BIGINT AS g${j}`;
      }
    });
    const inner = `SELECT ${[...sk, "count(*)::BIGINT AS __n", ...parts].join(", ")} FROM __in_${p.i} ${sk.length ? `GROUP BY ${sk.join(", ")}` : ""} HAVING count(*) > 0`;
    if (p.distinct.length === 0) return inner;
    const cols = [...sk.map((k) => `b.${k}`), "k.__kid", "b.__n", ...a.aggregates.map((g, j) => (g.fn === "count_distinct" ? `coalesce(d${j}.n, 0)::BIGINT AS g${j}` : `b.g${j}`))];
    const joins = p.distinct.map((j) => `LEFT JOIN (SELECT kid, count(*) AS n FROM __new_${p.i}_${j} GROUP BY kid) d${j} ON d${j}.kid = k.__kid`);
    return `SELECT ${cols.join(", ")} FROM (${inner}) b JOIN __k_${p.i} k ON ${this.keyJoin("b", "k", sk)} ${joins.join(" ")}`;
  }

  /**
   * __k_i: an id per key of the batch (state keys -> BIGINT), the one the aggregate state holds or a new
   * one from the statement's sequence. The COUNT DISTINCT state stores (key id, value) pairs: the
   * anti-join below scans all of them every batch, and comparing one BIGINT instead of the group keys
   * (often strings, compared NULL-safely) made a micro-batch a fifth faster (BENCHMARKS.md, Engines).
   */
  private keyIdsSql(p: Prepared): string {
    const sk = p.stateKeys;
    return `CREATE OR REPLACE TEMP TABLE __k_${p.i} AS SELECT ${sk.map((k) => `b.${k}`).join(", ")}, coalesce(s.__kid, nextval('tandem_kid_${p.i}')) AS __kid
      FROM (SELECT DISTINCT ${sk.join(", ")} FROM __in_${p.i}) b LEFT JOIN tandem_agg_${p.i} s ON ${this.keyJoin("b", "s", sk)}`;
  }

  /** __new_i_j: (key id, value) pairs of the batch that the COUNT DISTINCT state has not seen; then stored. */
  private newDistinctSql(p: Prepared, j: number): string[] {
    const sk = p.stateKeys;
    return [
      `CREATE OR REPLACE TEMP TABLE __new_${p.i}_${j} AS SELECT * FROM (SELECT DISTINCT k.__kid AS kid, i.a${j} AS v FROM __in_${p.i} i JOIN __k_${p.i} k ON ${this.keyJoin("i", "k", sk)} WHERE i.a${j} IS NOT NULL) n
        WHERE NOT EXISTS (SELECT 1 FROM tandem_distinct_${p.i}_${j} d WHERE d.kid = n.kid AND d.v = n.v)`,
      `INSERT INTO tandem_distinct_${p.i}_${j} SELECT kid, v FROM __new_${p.i}_${j}`,
    ];
  }

  private mergeSql(p: Prepared): string[] {
    const a = p.agg as StreamAggregation;
    const sk = p.stateKeys;
    const merged = a.aggregates.map((g, j) => {
      switch (g.fn) {
        case "count": case "count_distinct": return `coalesce(s.g${j}, 0) + p.g${j} AS g${j}`;
        case "sum": return `CASE WHEN s.g${j} IS NULL THEN p.g${j} WHEN p.g${j} IS NULL THEN s.g${j} ELSE s.g${j} + p.g${j} END AS g${j}`;
        case "min": return `least(s.g${j}, p.g${j}) AS g${j}`;
        case "max": return `greatest(s.g${j}, p.g${j}) AS g${j}`;
      }
    });
    const old = a.aggregates.map((_, j) => `s.g${j} AS __o${j}`);
    const kid = p.distinct.length ? ["__kid"] : [];
    return [
      `CREATE OR REPLACE TEMP TABLE __m_${p.i} AS SELECT ${[...sk.map((k) => `p.${k}`), ...kid.map((c) => `p.${c}`), "coalesce(s.__n, 0) + p.__n AS __n", ...merged, "s.__n IS NOT NULL AS __had", ...old, "row_number() OVER () AS __row"].join(", ")}
        FROM (${this.partialSql(p)}) p LEFT JOIN tandem_agg_${p.i} s ON ${this.keyJoin("p", "s", sk)}`,
      `DELETE FROM tandem_agg_${p.i} s USING __m_${p.i} p WHERE ${this.keyJoin("s", "p", sk)}`,
      `INSERT INTO tandem_agg_${p.i} SELECT ${[...sk, ...kid, "__n", ...a.aggregates.map((_, j) => `g${j}`)].join(", ")} FROM __m_${p.i}`,
    ];
  }

  /** A two-level aggregation's inner rows (named as the inner query's columns) from aggregate state. */
  private innerRows(p: Prepared, from: string, agg: (j: number) => string): string {
    const cols = p.st.recompute?.columns ?? [];
    return `SELECT ${cols.map((c, k) => `c${k} AS ${q(c)}`).join(", ")} FROM (${this.outputs(p, this.named(p, from, agg))}) WHERE __h`;
  }

  /** The inner rows a batch changes (from __m_i), as they were and as they become. */
  private changedInner(p: Prepared): string {
    return `${this.innerRows(p, `__m_${p.i}`, (j) => `g${j}`)} UNION ALL ${this.innerRows(p, `__m_${p.i} WHERE __had`, (j) => `__o${j}`)}`;
  }

  /** Key and aggregate columns renamed to the names the output expressions use. */
  private named(p: Prepared, from: string, agg: (j: number) => string, extra: string[] = []): string {
    const a = p.agg as StreamAggregation;
    const cols = [
      ...a.groupKeys.map((g, k) => `k${k} AS ${q(g.name)}`),
      ...(a.window && !a.window.bounds ? ["epoch_ms(ws) AS window_start", "epoch_ms(we) AS window_end"] : []),
      ...a.aggregates.map((g, j) => `${agg(j)} AS ${q(g.name)}`),
      ...extra,
    ];
    return `SELECT ${cols.join(", ")} FROM ${from}`;
  }

  private outputs(p: Prepared, named: string, extra: string[] = []): string {
    const a = p.agg as StreamAggregation;
    const outs = a.output.map((e, k) => `${e} AS c${k}`);
    return `SELECT ${[...outs, ...(a.having ? [`(${a.having}) AS __h`] : ["true AS __h"]), ...extra].join(", ")} FROM (${named})`;
  }

  private castOut(p: Prepared, alias: string): string {
    return p.st.sink.columns.map((c, k) => `CAST(${alias}.c${k} AS ${this.sinkType(p.st, c)})`).join(", ");
  }

  /** Rows with query columns c0..cn -> rows with sink columns c0..cm (through the statement's projection). */
  private toSink(p: Prepared, rows: string): string {
    const proj = p.st.project;
    if (!proj) return rows;
    const named = proj.queryColumns.map((c, k) => `c${k} AS ${q(c)}`).join(", ");
    return `(WITH __q AS (SELECT ${named} FROM ${rows} AS __r) SELECT * FROM (${proj.sql}) AS __f(${p.st.sink.columns.map((_, k) => `c${k}`).join(", ")}))`;
  }

  private emitUpdatesSql(p: Prepared, batch: number): string {
    const n = this.outputs(p, this.named(p, `__m_${p.i}`, (j) => `g${j}`, ["__row"]), ["__row"]);
    const o = this.outputs(p, this.named(p, `__m_${p.i} WHERE __had`, (j) => `__o${j}`, ["__row"]), ["__row"]);
    const changed = (p.st.project?.queryColumns ?? p.st.sink.columns).map((_, k) => `nw.c${k} IS DISTINCT FROM od.c${k}`).join(" OR ");
    // Unchanged results are not emitted again: only new keys and keys whose output differs.
    const cols = (p.st.project?.queryColumns ?? p.st.sink.columns).map((_, k) => `nw.c${k}`).join(", ");
    const rows = `(SELECT ${cols} FROM (${n}) nw LEFT JOIN (${o}) od ON nw.__row = od.__row WHERE nw.__h AND (od.__row IS NULL OR ${changed}))`;
    return `INSERT INTO tandem_outbox_${p.i} SELECT ${batch}, ${this.castOut(p, "__o")} FROM ${this.toSink(p, rows)} AS __o`;
  }

  private fireWindowsSql(p: Prepared, batch: number, wm: number): string[] {
    const closed = `we - 1 <= ${wm}`;
    const n = this.outputs(p, this.named(p, `tandem_agg_${p.i} WHERE ${closed}`, (j) => `g${j}`));
    return [
      `INSERT INTO tandem_outbox_${p.i} SELECT ${batch}, ${this.castOut(p, "__o")} FROM ${this.toSink(p, `(SELECT ${(p.st.project?.queryColumns ?? p.st.sink.columns).map((_, k) => `nw.c${k}`).join(", ")} FROM (${n}) nw WHERE nw.__h)`)} AS __o`,
      ...p.distinct.map((j) => `DELETE FROM tandem_distinct_${p.i}_${j} WHERE kid IN (SELECT __kid FROM tandem_agg_${p.i} WHERE ${closed})`),
      `DELETE FROM tandem_agg_${p.i} WHERE ${closed}`,
    ];
  }

  // --- one micro-batch ----------------------------------------------------------------------------

  /** Runs one micro-batch; undefined when there was no new input (and no window to fire). */
  async step(): Promise<MicroBatchMetrics | undefined> {
    const started = performance.now();
    await this.refreshLookups();
    const { rows, next, select } = await this.nextSlice();
    if (rows === 0) {
      await this.flushWrites();
      return undefined;
    }
    // The batch reads its input straight from the slice (a JSON file's new lines, generated rows):
    // the statements parse only the fields they use, and nothing is copied into a table first.
    const view = this.scanViewSql(select);
    const batch = this.batchId + 1;
    let wm = this.watermark;
    let viewReady = false;
    // The watermark only matters to windows; computing it costs a pass over the batch.
    if (this.job.watermark && this.prepared.some((p) => p.agg?.window)) {
      viewReady = true;
      const [row] = await this.s.script([view], `SELECT max(epoch_ms(${q(this.job.watermark.column)})) AS m FROM ${q(this.scan.name)}`);
      const max = row?.m;
      if (max !== null && max !== undefined) {
        const candidate = Number(max) - this.job.watermark.delayMs;
        wm = wm === null ? candidate : Math.max(wm, candidate);
      }
    }
    const prevWm = this.watermark;
    // The whole micro-batch is one transaction, sent as one script.
    const clearing = this.clearDeliveredSql();
    const body = [...(viewReady ? [] : [view]), ...clearing.sql];
    for (const p of this.prepared) {
      const d = p.st.dedup;
      // The statement reads its own seen keys; the batch's new keys join them after it has run.
      if (d) body.push(this.seenViewSql(d, p.i));
      const remember = d ? [`INSERT INTO tandem_seen_${p.i} ${d.rows}`] : [];
      const rc = p.recompute;
      const cast = (alias: string) => this.castOut(p, alias);
      if (rc && !p.agg) {
        // Keep-last-row: the outer query before and after the batch's rows replace their keys' rows.
        body.push(...rc.latestRows(p.st.input), rc.touched(rc.changedLatest()), rc.view(`SELECT * FROM tandem_last_${p.i}`), rc.snapshot("before"),
          ...rc.replaceLatest(), rc.snapshot("after"), ...rc.emit(batch, cast));
        continue;
      }
      if (!p.agg) {
        const cols = p.st.sink.columns.map((_, k) => `c${k}`).join(", ");
        body.push(`INSERT INTO tandem_outbox_${p.i} SELECT ${batch}, ${this.castOut(p, "__s")} FROM (${p.st.input}) AS __s(${cols})`, ...remember);
        continue;
      }
      body.push(this.inputSql(p, p.agg.window ? prevWm : null), ...remember);
      if (p.distinct.length) body.push(this.keyIdsSql(p));
      for (const j of p.distinct) body.push(...this.newDistinctSql(p, j));
      if (rc) {
        // Two levels: the outer query before and after the inner aggregates merge the batch.
        const [merge = "", ...apply] = this.mergeSql(p);
        body.push(merge, rc.touched(this.changedInner(p)), rc.view(this.innerRows(p, `tandem_agg_${p.i}`, (j) => `g${j}`)), rc.snapshot("before"),
          ...apply, rc.snapshot("after"), ...rc.emit(batch, cast));
        continue;
      }
      body.push(...this.mergeSql(p));
      if (!p.agg.window) body.push(this.emitUpdatesSql(p, batch));
      else if (wm !== null) body.push(...this.fireWindowsSql(p, batch, wm));
    }
    body.push(`UPDATE tandem_job SET v = CASE k WHEN 'batch' THEN ${lit(String(batch))} WHEN 'offsets' THEN ${lit(JSON.stringify(next))} WHEN 'watermark' THEN ${lit(wm === null ? "" : String(wm))} END WHERE k IN ('batch', 'offsets', 'watermark')`);
    // BEGIN and COMMIT go in the same script: nothing on the way needs the JS thread, which may be busy
    // with the previous batch's sink write (an in-process PGlite runs on it).
    const hook = this.opts.beforeCommit;
    try {
      const running = this.s.script(hook ? ["BEGIN TRANSACTION", ...body] : ["BEGIN TRANSACTION", ...body, "COMMIT"]);
      this.readAhead(next);
      await running;
      if (hook) {
        await hook(batch);
        await this.s.run("COMMIT");
      }
    } catch (e) {
      // The original error matters more than a failed rollback (the transaction may be gone already).
      await this.s.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
    this.cleared(clearing.upTo);
    this.batchId = batch;
    this.offsets = next;
    this.watermark = wm;
    await this.opts.afterCommit?.(batch);
    // Each sink reads its rows of the batch from the outbox now; statements without rows write nothing.
    let rowsOut = 0;
    const staged: { p: Prepared; write: StagedWrite["write"] }[] = [];
    for (const p of this.prepared) {
      const st = await this.stage(p, batch);
      rowsOut += st.rows;
      if (st.rows > 0) staged.push({ p, write: st.write });
    }
    const m: MicroBatchMetrics = {
      batchId: batch, rowsIn: rows, rowsOut, durationMs: performance.now() - started,
      watermarkMs: wm, backlog: this.source.backlog(next), at: Date.now(),
    };
    // Sinks see batches in order: the previous batch's writes finish before this batch's start. This
    // batch's writes then go on while the caller runs the next batch (the sink database works while
    // DuckDB does); a failed write surfaces at the next step, and its rows stay in the outbox.
    await this.flushWrites();
    this.writing = (async () => {
      for (const { p, write } of staged) {
        await write();
        this.delivered[p.i] = batch;
      }
      m.latencyMs = performance.now() - started;
      this.opts.onDelivered?.(m);
    })().catch((error: unknown) => {
      this.writeError = { error };
    });
    this.totals.rowsIn += rows;
    this.totals.rowsOut += rowsOut;
    this.totals.batches += 1;
    this.totals.lastBatch = m;
    this.opts.onBatch?.(m);
    return m;
  }

  /** The slice after the committed offsets: the one read ahead when it matches, else read now. */
  private async nextSlice(): Promise<InputSlice> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead && ahead.from === JSON.stringify(this.offsets)) {
      const r = await ahead.slice;
      if (r.rows > 0) return r;
    }
    return this.source.slice(this.offsets, this.maxRows);
  }

  /**
   * Reads the slice after `from` (the offsets the running batch will commit) on the JS thread while
   * DuckDB runs the batch. Only committed offsets count: a slice read ahead of a batch that fails is
   * dropped, since it no longer starts where the next batch does.
   */
  private readAhead(from: Offsets): void {
    const slice = this.source.slice(from, this.maxRows);
    slice.catch(() => undefined); // a failed read is raised by nextSlice
    this.ahead = { from: JSON.stringify(from), slice };
  }

  /** Waits for the sink writes in flight; rethrows a failed one (its batch stays in the outbox). */
  async flushWrites(): Promise<void> {
    await this.writing;
    const failed = this.writeError;
    if (failed) {
      this.writeError = undefined;
      throw failed.error;
    }
  }

  /** After a restart: delivers every committed, undelivered outbox batch in order. */
  private async deliverPending(): Promise<void> {
    for (const p of this.prepared) {
      const batches = (await this.s.rows(`SELECT DISTINCT __batch FROM tandem_outbox_${p.i} ORDER BY __batch`)).map((r) => Number(r.__batch));
      for (const b of batches) await this.deliver(p, b);
    }
    await this.clearDelivered();
  }

  /**
   * Removes the outbox rows the sinks have taken. It runs inside the next micro-batch's transaction (or
   * when idle), not as a commit of its own after each delivery: that saves a WAL sync per micro-batch,
   * and rows left until then are only delivered again after a crash, which the sinks skip by batch id.
   */
  private clearDeliveredSql(): { sql: string[]; upTo: (number | undefined)[] } {
    const upTo = [...this.delivered];
    const sql = this.prepared.flatMap((p) => {
      const b = upTo[p.i];
      return b === undefined ? [] : [`DELETE FROM tandem_outbox_${p.i} WHERE __batch <= ${b}`];
    });
    return { sql, upTo };
  }

  /** After the statements of clearDeliveredSql() have run (a write finished since then stays marked). */
  private cleared(upTo: (number | undefined)[]): void {
    upTo.forEach((b, i) => {
      if (b !== undefined && this.delivered[i] === b) this.delivered[i] = undefined;
    });
  }

  private async clearDelivered(): Promise<void> {
    const { sql, upTo } = this.clearDeliveredSql();
    if (sql.length === 0) return;
    await this.s.script(sql);
    this.cleared(upTo);
  }

  /** Reads one committed batch of a statement's outbox for its sink (idempotent by batch id). */
  private async stage(p: Prepared, b: number): Promise<StagedWrite> {
    const sink = this.sinks[p.i];
    if (!sink) return NOTHING_TO_WRITE;
    const from = `FROM tandem_outbox_${p.i} WHERE __batch = ${b}`;
    const cols = p.st.sink.columns;
    if (!p.recompute) return sink.stage(b, `SELECT ${cols.map((c, k) => `c${k} AS ${q(c)}`).join(", ")} ${from}`);
    const pk = p.st.sink.table.table.primaryKey ?? [];
    return sink.stage(b, `SELECT ${cols.map((c, k) => `c${k} AS ${q(c)}`).join(", ")} ${from} AND NOT ${DELETE_COLUMN}`, {
      select: `SELECT ${pk.map((c) => `c${cols.indexOf(c)} AS ${q(c)}`).join(", ")} ${from} AND ${DELETE_COLUMN}`,
      primaryKey: pk,
    });
  }

  /** Delivers one committed batch now (restarts). */
  private async deliver(p: Prepared, b: number): Promise<void> {
    await (await this.stage(p, b)).write();
    this.delivered[p.i] = b;
  }

  /** Runs micro-batches until the signal aborts; sleeps the source's poll interval when idle. */
  async run(signal?: AbortSignal): Promise<void> {
    let sinceCheckpoint = 0;
    while (!signal?.aborted) {
      const m = await this.step();
      if (m) {
        sinceCheckpoint++;
        continue;
      }
      if (sinceCheckpoint > 0) {
        await this.clearDelivered();
        await this.s.run("CHECKPOINT");
        sinceCheckpoint = 0;
      }
      await sleep(this.source.pollMs, signal);
    }
  }

  backlog(): number {
    return this.source.backlog(this.offsets);
  }

  get position(): { batchId: number; offsets: Offsets; watermarkMs: number | null } {
    return { batchId: this.batchId, offsets: { ...this.offsets }, watermarkMs: this.watermark };
  }

  /** Copies the committed state to a savepoint file (between micro-batches, so it is consistent). */
  async savepoint(dir: string): Promise<string> {
    await this.flushWrites();
    await this.clearDelivered();
    await this.s.run("CHECKPOINT");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `savepoint-${this.job.name}-${this.batchId}-${Date.now()}.duckdb`);
    // After CHECKPOINT the WAL is empty and nothing writes between micro-batches: the file is the state.
    fs.copyFileSync(this.s.path, file);
    return file;
  }

  /** Waits for the sink writes in flight, then closes; a failed write is rethrown after closing. */
  async close(): Promise<void> {
    let failed: { error: unknown } | undefined;
    await this.flushWrites().catch((error: unknown) => {
      failed = { error };
    });
    // Rows left in the outbox are delivered again at the next start and skipped by the sinks.
    await this.clearDelivered().catch(() => undefined);
    for (const sink of this.sinks) await sink.close();
    this.source.close();
    this.s.close();
    if (failed) throw failed.error;
  }
}

/** Replaces a job's state with a savepoint (the job must not be running). */
export function restoreSavepoint(stateDir: string, savepointFile: string): void {
  if (!fs.existsSync(savepointFile)) throw new Error(`savepoint ${savepointFile} does not exist`);
  fs.mkdirSync(stateDir, { recursive: true });
  const target = StreamRunner.statePath(stateDir);
  fs.rmSync(`${target}.wal`, { force: true });
  fs.copyFileSync(savepointFile, target);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
