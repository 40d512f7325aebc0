import { DuckSession, lit, q } from "./duck";
import type { LocalBatchJob } from "./plan";
import { registerBoundedSource, type EngineEnv } from "./sources";

// Step-by-step preview of a batch job on the local engine, for debugging in the studio: the first rows and
// the row count of every step the data goes through — each physical source (its pruned partitions), each
// meta-table's generated view, each CTE and named subquery of each statement, and what each statement would write — so a
// developer sees where a number goes wrong. Nothing is written: sinks are never opened.

export type PreviewStepKind = "source" | "view" | "cte" | "subquery" | "output";

export interface PreviewStep {
  kind: PreviewStepKind;
  /** The source, view or CTE name; for an output, the sink table. */
  name: string;
  /** 0-based statement index, for CTEs and outputs. */
  statement?: number;
  columns: string[];
  /** The first rows, each cell as display text (null stays null). */
  rows: (string | null)[][];
  /** All rows of the step. */
  total: number;
  /** Why the step could not be computed; the steps after it may still run. */
  error?: string;
}

export interface BatchPreview {
  steps: PreviewStep[];
  durationMs: number;
}

export async function previewBatchJob(job: LocalBatchJob, env: EngineEnv, opts: { limit: number; signal?: AbortSignal }): Promise<BatchPreview> {
  const started = performance.now();
  const s = await DuckSession.open(":memory:", { timeZone: job.timeZone });
  const interrupt = () => s.connection.interrupt();
  opts.signal?.addEventListener("abort", interrupt, { once: true });
  const steps: PreviewStep[] = [];
  const check = () => opts.signal?.throwIfAborted();
  try {
    for (const src of job.sources) {
      check();
      try {
        const scan = await registerBoundedSource(s, src, env, { materialize: false });
        const missing = scan.partitionsMissing;
        steps.push(missing.length > 0
          ? { kind: "source", name: src.table.table.name, columns: [], rows: [], total: 0, error: `partition${missing.length === 1 ? "" : "s"} ${missing.map((m) => `${src.partitions?.column ?? "dt"}=${m}`).join(", ")} of ${src.table.table.name} ${missing.length === 1 ? "does" : "do"} not exist` }
          : await step(s, "source", src.table.table.name, `SELECT * FROM ${q(src.name)}`, opts.limit));
      } catch (e) {
        steps.push(failed("source", src.table.table.name, e));
      }
    }
    for (const v of job.views) {
      check();
      try {
        await s.run(`CREATE OR REPLACE TEMP VIEW ${q(v.name)} AS ${v.sql}`);
        steps.push(await step(s, "view", v.name, `SELECT * FROM ${q(v.name)}`, opts.limit));
      } catch (e) {
        steps.push(failed("view", v.name, e));
      }
    }
    for (const [i, st] of job.statements.entries()) {
      for (const inner of await innerStepsOf(s, st.select)) {
        check();
        steps.push({ ...(await step(s, inner.kind, inner.name, inner.sql, opts.limit).catch((e: unknown) => failed(inner.kind, inner.name, e))), statement: i });
      }
      check();
      const sink = st.sink.table.table.name;
      steps.push({ ...(await step(s, "output", sink, st.select, opts.limit).catch((e: unknown) => failed("output", sink, e))), statement: i });
    }
    return { steps, durationMs: performance.now() - started };
  } finally {
    opts.signal?.removeEventListener("abort", interrupt);
    s.close();
  }
}

export async function step(s: DuckSession, kind: PreviewStepKind, name: string, select: string, limit: number): Promise<PreviewStep> {
  const [first, count] = [await s.rows(`SELECT * FROM (${select}) AS __step LIMIT ${limit}`), await s.scalar(`SELECT count(*) FROM (${select}) AS __step`)];
  const columns = first[0] ? Object.keys(first[0]) : (await s.describe(`SELECT * FROM (${select}) AS __step`)).map((c) => c.name);
  return { kind, name, columns, rows: first.map((r) => columns.map((c) => display(r[c]))), total: Number(count) };
}

export function failed(kind: PreviewStepKind, name: string, e: unknown): PreviewStep {
  const message = e instanceof Error ? e.message : String(e);
  // DuckDB errors quote the whole statement after the reason; the reason is what helps.
  return { kind, name, columns: [], rows: [], total: 0, error: message.split("\n")[0] ?? message };
}

function display(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "");
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v.toString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/**
 * The CTEs and named subqueries of a SELECT, each as a runnable query, in the order they appear:
 * a CTE as `WITH <its WITH list> SELECT * FROM <cte>`, a subquery as itself (with the CTEs in scope).
 * DuckDB's own parser does the work (json_serialize_sql / json_deserialize_sql), so quoting, nesting and
 * comments are handled as DuckDB reads them. The translator's own wrappers (`__q`, `__a`) are skipped.
 */
export async function innerStepsOf(s: DuckSession, select: string): Promise<{ kind: "cte" | "subquery"; name: string; sql: string }[]> {
  const parsed = await serialized(s, select);
  const root = parsed?.statements?.[0]?.node;
  if (!root) return [];
  const found: { kind: "cte" | "subquery"; name: string; node: JsonObject }[] = [];
  const walk = (value: unknown, scope: JsonObject[]): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, scope);
      return;
    }
    if (!isObject(value)) return;
    let inner = scope;
    const entries = cteEntries(value);
    if (entries.length > 0) {
      inner = [...scope, ...entries];
      for (const entry of entries) {
        found.push({ kind: "cte", name: String(entry.key), node: { type: "SELECT_NODE", __cteProbe: String(entry.key), cte_map: { map: inner } } });
      }
    }
    if (value.type === "SUBQUERY" && typeof value.alias === "string" && value.alias !== "" && !value.alias.startsWith("__")) {
      const sub = isObject(value.subquery) && isObject(value.subquery.node) ? value.subquery.node : undefined;
      if (sub) found.push({ kind: "subquery", name: value.alias, node: withScope(sub, inner) });
    }
    for (const [k, v] of Object.entries(value)) if (k !== "cte_map") walk(v, inner);
    for (const entry of entries) walk(entry.value, inner);
  };
  walk(root, []);
  const out: { kind: "cte" | "subquery"; name: string; sql: string }[] = [];
  for (const f of found) {
    let node = f.node;
    if (typeof node.__cteProbe === "string") {
      const probe = (await serialized(s, `SELECT * FROM ${q(node.__cteProbe)}`))?.statements?.[0]?.node;
      if (!probe) continue;
      node = withScope(probe, (node.cte_map as { map: JsonObject[] }).map);
    }
    const sql = await s.scalar(`SELECT json_deserialize_sql(${lit(JSON.stringify({ error: false, statements: [{ node, named_param_map: [] }] }))}::JSON)`);
    if (typeof sql === "string") out.push({ kind: f.kind, name: f.name, sql });
  }
  return out;
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cteEntries(node: JsonObject): JsonObject[] {
  const map = isObject(node.cte_map) ? node.cte_map.map : undefined;
  return Array.isArray(map) ? map.filter(isObject) : [];
}

/** A copy of a query node with the CTEs of its scope attached, so it runs on its own. */
function withScope(node: JsonObject, scope: JsonObject[]): JsonObject {
  if (scope.length === 0) return node;
  const own = cteEntries(node);
  return { ...node, cte_map: { map: [...scope.filter((e) => !own.some((o) => o.key === e.key)), ...own] } };
}

interface SerializedSql {
  error?: boolean;
  statements?: { node?: JsonObject }[];
}

async function serialized(s: DuckSession, sql: string): Promise<SerializedSql | undefined> {
  const json = await s.scalar(`SELECT json_serialize_sql(${lit(sql)})`);
  if (typeof json !== "string") return undefined;
  const parsed = JSON.parse(json) as SerializedSql;
  return parsed.error ? undefined : parsed;
}
