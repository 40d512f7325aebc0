import type { PhysicalTableSpecParsed } from "../../catalog/schemas";
import { ident, physicalTableDdl, sqlString, type SecretResolver } from "../ddl";
import { partitionFilterSql, partitionLogicalColumn, bizdatePartitionValue } from "../partitions";
import { addDays } from "../variables";
import type { CompiledSide } from "../validate";
import {
  applyEdits, batchPartitions, bindingFor, columnExpr, ddlNamer, header, physical, sinkEdits, statementSetEdits, terminate,
  viewSelect, type Edit, type Side, type TranslateContext,
} from "./common";

// Assembles a Flink SQL script for one side: SET lines, physical DDL, per-side views, then the user's
// statements with only the sink references rewritten.

export type ScriptKind = "stream" | "batch" | "hybrid";

export interface FlinkScriptOptions {
  resolveSecret?: SecretResolver;
}

export interface FlinkScript {
  script: string;
  /** The script's statements in groups (SET lines, each DDL, each view, the job script), for re-validation. */
  pieces: string[];
}

export function buildFlinkScript(ctx: TranslateContext, compiled: CompiledSide, kind: ScriptKind, opts: FlinkScriptOptions = {}): FlinkScript {
  const sinkSide: Side = kind === "batch" ? "batch" : "stream";
  const sources = [...new Map(compiled.analysis.metaRefs.map((r) => [r.meta.name, r.meta])).values()];
  const inserts = compiled.analysis.statements.flatMap((s) => s.inserts);
  const ddlName = ddlNamer(sources.map((m) => m.name));
  const tables = new Map<string, { table: PhysicalTableSpecParsed; extra: Record<string, string> }>();
  const use = (name: string | undefined, role: "source" | "sink", side: Side) => {
    const t = name ? physical(ctx, name) : undefined;
    if (!t || tables.has(t.name)) return;
    tables.set(t.name, { table: t, extra: role === "source" && side === "stream" ? startupOptions(ctx, t, kind) : {} });
  };
  for (const m of sources) {
    if (kind === "hybrid" && !m.source) {
      use(m.batch?.table, "source", "batch");
      use(m.stream?.table, "source", "stream");
    } else {
      use(bindingFor(m, sinkSide)?.table, "source", sinkSide);
    }
  }
  for (const ins of inserts) if (ins.meta) use(bindingFor(ins.meta, sinkSide)?.table, "sink", sinkSide);

  const partitions = kind === "batch" ? batchPartitions(ctx, compiled) : undefined;
  const views: string[] = [];
  for (const m of sources) {
    let body: string | undefined;
    if (kind === "hybrid" && !m.source && m.stream && m.batch) {
      body = hybridView(ctx, m.name, ddlName);
    } else {
      const b = bindingFor(m, sinkSide);
      if (!b) continue;
      const p = partitions?.get(m.name);
      const filter = p ? partitionFilterSql(ident(p.column), p.set, sqlString) : undefined;
      body = viewSelect(m, b, ddlName(b.table), sinkSide, filter);
    }
    if (body) views.push(`CREATE TEMPORARY VIEW ${ident(m.name)} AS\n${body};`);
  }

  // Sink edits first: at the end of a statement, the CTE wrap closes before the statement set's END.
  const edits: Edit[] = inserts.flatMap((ins) => sinkEdits(ctx, compiled, ins, sinkSide, ddlName));
  edits.push(...statementSetEdits(compiled));
  const userText = terminate(applyEdits(compiled.parsed.text, edits));

  const sets: [string, string][] = [
    ["execution.runtime-mode", kind === "batch" ? "batch" : "streaming"],
    ["pipeline.name", `tandem:${ctx.job.name}:${kind}${kind === "stream" ? "" : `:${ctx.bizdate}`}`],
  ];
  if (ctx.job.timeZone) sets.push(["table.local-time-zone", ctx.job.timeZone]);
  if (kind !== "batch") {
    sets.push(["parallelism.default", String(ctx.job.stream.parallelism)]);
    sets.push(["execution.checkpointing.interval", `${ctx.job.stream.checkpointIntervalMs} ms`]);
  }
  const ddl = [...tables.values()].map(({ table, extra }) =>
    physicalTableDdl(table, ctx.catalog.connections.get(table.connection), ddlName(table.name), { resolveSecret: opts.resolveSecret, extraOptions: extra }));
  const sideLabel = kind === "hybrid" ? "batch history + stream" : `${sinkSide} side`;
  const head = header(kind, ctx, sets);
  const script = [
    head,
    `-- Physical tables (${sideLabel})`,
    ddl.join("\n\n"),
    `-- Meta-table views: logical columns from the ${sideLabel}`,
    views.join("\n\n"),
    "-- Job script",
    userText,
  ].filter((s) => s !== "").join("\n\n") + "\n";
  return { script, pieces: [head, ...ddl, ...views, userText] };
}

/** Kafka sources of the stream side start where the job's stream settings say (the hybrid: at the bizdate). */
function startupOptions(ctx: TranslateContext, t: PhysicalTableSpecParsed, kind: ScriptKind): Record<string, string> {
  const conn = ctx.catalog.connections.get(t.connection);
  if (conn?.type !== "kafka" || t.kind !== "stream") return {};
  if (kind === "hybrid") {
    return { "scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": String(startOfDayMillis(ctx.bizdate, ctx.job.batch.timezone)) };
  }
  const s = ctx.job.stream;
  if (s.startFrom === "earliest") return { "scan.startup.mode": "earliest-offset" };
  if (s.startFrom === "latest") return { "scan.startup.mode": "latest-offset" };
  const ms = s.startTimestamp ? Date.parse(s.startTimestamp) : NaN;
  return Number.isNaN(ms) ? {} : { "scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": String(ms) };
}

/** Epoch millis of 00:00 of a date in a time zone. */
export function startOfDayMillis(date: string, timeZone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(utc));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const asLocal = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
    return utc - (asLocal - utc);
  } catch {
    return utc; // unknown zone: the catalog validates zones; UTC is the documented default
  }
}

/**
 * Hybrid view: the batch history (startDate .. bizdate-1) UNION ALL the stream from the bizdate on.
 * Both halves split on the logical column mapped to the batch partition column, so no day is counted
 * twice or missed.
 */
function hybridView(ctx: TranslateContext, metaName: string, ddlName: (p: string) => string): string | undefined {
  const m = ctx.catalog.metaTables.get(metaName);
  const start = ctx.job.hybrid?.startDate;
  if (!m?.stream || !m.batch || !start) return undefined;
  const bt = physical(ctx, m.batch.table);
  const part = bt?.partition;
  const logical = part ? partitionLogicalColumn(m.batch, part) : undefined;
  if (!bt || !part || !logical) {
    ctx.issues.push({ path: ctx.path, message: `hybrid: cannot split '${m.name}' into history and live data: no logical column maps to the partition column of its batch table '${m.batch.table}'` });
    return undefined;
  }
  const to = bizdatePartitionValue(addDays(ctx.bizdate, -1), part.format);
  const from = bizdatePartitionValue(start, part.format);
  const today = bizdatePartitionValue(ctx.bizdate, part.format);
  if (from === undefined || to === undefined || today === undefined) {
    ctx.issues.push({ path: ctx.path, message: `hybrid: '${m.batch.table}' is partitioned by hour ('${part.format}'); the hybrid script needs daily partitions` });
    return undefined;
  }
  const pc = ident(part.column);
  const streamDay = columnExpr(m.stream, logical) ?? "NULL";
  // The hybrid script *is* the stream job, with its history read from the warehouse instead of replayed
  // from the topic: `__mode` is 'stream' on both halves, so the job's stream branch applies to all rows.
  const history = viewSelect(m, m.batch, ddlName(m.batch.table), "stream", `${pc} >= ${sqlString(from)} AND ${pc} <= ${sqlString(to)}`);
  const live = viewSelect(m, m.stream, ddlName(m.stream.table), "stream", `${streamDay} >= ${sqlString(today)}`);
  return `${history}\nUNION ALL\n${live}`;
}
