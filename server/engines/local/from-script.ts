import type { CatalogSnapshot, JobSpecParsed } from "../../catalog/schemas";
import type { LocalScript, LocalTable } from "../../sql/translate/local";
import { translateJob } from "../../sql/translate/index";
import { aggregateColumn } from "../../sql/translate/incremental";
import { bindTable, type SecretLookup } from "./bind";
import { intervalMs, type LocalBatchJob, type LocalJob, type LocalSink, type LocalSource, type LocalStreamJob, type LocalStreamStatement, type StreamAggregation } from "./plan";

// server/sql's LocalScript -> the engine's plan: connections bound (secrets resolved here, on the
// submit path only), views as SELECTs, sinks with their write mode and rate limit, and for stream
// statements the incremental structure (keys, mergeable aggregates, window bounds, projection).

export class LocalPlanError extends Error {}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface PlanContext {
  catalog: CatalogSnapshot;
  job: JobSpecParsed;
  secret?: SecretLookup;
}

/** Translates a job for one side and bizdate and turns the local script into a runnable plan. */
export function planLocalJob(ctx: PlanContext, side: "stream" | "batch", bizdate: string): LocalJob {
  const t = translateJob(ctx.catalog, ctx.job, { bizdate });
  const errors = [...t.errors, ...(t.local?.errors ?? [])].filter((e) => !e.message.startsWith(side === "stream" ? "batch local script" : "stream local script"));
  const script = t.local?.[side];
  if (errors.length > 0 || !script) {
    const lines = errors.map((e) => `${e.path}${e.line ? `:${e.line}:${e.column ?? 1}` : ""}: ${e.message}`);
    throw new LocalPlanError(`job '${ctx.job.name}' has no ${side} script for the local engine${lines.length ? `:\n  ${lines.join("\n  ")}` : ""}`);
  }
  return side === "stream" ? streamPlan(ctx, script) : batchPlan(ctx, script);
}

function source(ctx: PlanContext, t: LocalTable, role: LocalSource["role"]): LocalSource {
  return {
    name: t.name,
    role,
    table: bindTable(ctx.catalog, t.physical, ctx.secret),
    partitions: t.partition ? { column: t.partition.column, values: t.partition.values ?? undefined, filter: t.partition.filter ?? undefined } : undefined,
    computed: t.computed.map((c) => ({ name: c.name, sql: c.expr })),
  };
}

function views(script: LocalScript): { name: string; sql: string }[] {
  return script.views.map((v) => {
    const m = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:"(?:[^"]|"")+"|\S+)\s+AS\s+([\s\S]*)$/i.exec(v.sql);
    if (!m?.[1]) throw new LocalPlanError(`view '${v.name}' of the local script is not a CREATE VIEW ... AS SELECT`);
    return { name: v.name, sql: m[1] };
  });
}

function sinkOf(ctx: PlanContext, script: LocalScript, st: LocalScript["statements"][number], rateLimit?: number): LocalSink {
  const t = script.sinks.find((s) => s.name === st.sink.table);
  if (!t) throw new LocalPlanError(`statement ${st.statement + 1}: sink '${st.sink.table}' is not among the script's sinks`);
  const partition = st.sink.partition ?? undefined;
  // A static partition's column is the folder (hive) or a constant the sink adds; a day of hours keeps it in the rows.
  const added = partition && "value" in partition ? partition.column : undefined;
  return {
    table: bindTable(ctx.catalog, t.physical, ctx.secret),
    mode: st.sink.mode,
    partition,
    columns: st.sink.columns.filter((c) => c !== added),
    rateLimit,
  };
}

function batchPlan(ctx: PlanContext, script: LocalScript): LocalBatchJob {
  return {
    kind: "batch",
    name: ctx.job.name,
    timeZone: script.timeZone,
    sources: script.sources.map((t) => source(ctx, t, "scan")),
    views: views(script),
    statements: script.statements.map((st) => {
      const sink = sinkOf(ctx, script, st, ctx.job.batch.sinkRateLimit);
      // A static partition's column is not among the sink's columns: select the rest.
      const select = sink.partition && "value" in sink.partition ? `SELECT ${sink.columns.map(q).join(", ")} FROM (${st.select}) AS __a` : st.select;
      return { sink, select };
    }),
  };
}

function streamPlan(ctx: PlanContext, script: LocalScript): LocalStreamJob {
  const sources = script.sources.map((t) => source(ctx, t, t.kind === "stream" ? "scan" : "lookup"));
  const scan = sources.find((s) => s.role === "scan");
  const wm = scan?.table.table.watermark;
  return {
    kind: "stream",
    name: ctx.job.name,
    timeZone: script.timeZone,
    sources,
    views: views(script),
    startFrom: ctx.job.stream.startFrom === "latest" ? "latest" : "earliest",
    watermark: wm ? { column: wm.column, delayMs: intervalMs(wm.delay) } : undefined,
    statements: script.statements.map((st) => {
      const sink = sinkOf(ctx, script, st);
      const inc = st.incremental;
      const dedup = inc?.dedup ? { dedup: inc.dedup } : {};
      const r = inc?.recompute;
      const recompute: Pick<LocalStreamStatement, "recompute"> = r ? {
        recompute: {
          relation: r.relation, columns: r.columns, alias: r.alias, groupKeys: r.groupKeys, select: st.select,
          ...(r.lastRow ? { lastRow: { keys: r.lastRow.keys, order: r.lastRow.order } } : {}),
        },
      } : {};
      if (inc?.kind === "append" && r?.lastRow) return { sink, input: r.lastRow.rows, ...recompute };
      if (!inc || inc.kind === "append") return { sink, input: st.select, ...dedup };
      const keyName = (i: number) => inc.keys[i]?.column ?? `__k${i}`;
      const isKey = (i: number, name: string) => new RegExp(`(^|\\.)"?${name}"?$`, "i").test((inc.keys[i]?.expr ?? "").trim());
      const startKey = inc.keys.findIndex((_, i) => isKey(i, "window_start"));
      const endKey = inc.keys.findIndex((_, i) => isKey(i, "window_end"));
      const aggregation: StreamAggregation = {
        groupKeys: inc.keys.map((k) => ({ name: k.column, expr: q(k.column) })),
        aggregates: inc.aggregates.map((a, j) => ({
          name: aggregateColumn(j),
          fn: a.fn === "COUNT_DISTINCT" ? "count_distinct" : a.fn === "COUNT" ? "count" : a.fn === "SUM" ? "sum" : a.fn === "MIN" ? "min" : "max",
          arg: a.column ? q(a.column) : undefined,
        })),
        having: inc.having,
        output: inc.outputs.map((o) => ("key" in o ? q(keyName(o.key)) : "aggregate" in o ? q(aggregateColumn(o.aggregate)) : o.expr)),
        window: inc.window ? {
          kind: inc.window.kind === "TUMBLE" ? "tumble" : "hop",
          timeColumn: inc.window.timeColumn,
          sizeMs: inc.window.size,
          slideMs: inc.window.slide,
          bounds: startKey >= 0 ? { startKey, endKey: endKey >= 0 ? endKey : undefined } : undefined,
        } : undefined,
      };
      if (inc.window && startKey < 0) throw new LocalPlanError(`statement ${st.statement + 1}: a window aggregation must GROUP BY window_start (and window_end)`);
      // Two levels: the aggregation is the inner one, its output the inner rows the outer query reads.
      if (r) return { sink, input: inc.input, aggregation, ...recompute };
      return { sink, input: inc.input, aggregation, project: { queryColumns: st.queryColumns, sql: st.project }, ...dedup };
    }),
  };
}
