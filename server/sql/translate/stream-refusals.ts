import type { Issue } from "../../errors";
import type { InsertInfo } from "../analyze";
import { LocalTranslationError } from "../duckdb/convert";
import type { CompiledSide } from "../validate";
import { bindingFor, sinkTarget, type TranslateContext } from "./common";
import { span } from "../tree";
import { TIME_ZONE_KEY } from "../time-zone";
import { incrementalPlan, type IncrementalPlan } from "./incremental";

// What the local stream engine refuses in a job's SQL, found while validating, so `tandem validate`,
// the editor's Check and `apply` name the construct at its line and column instead of the engine
// failing at submit. The table of refusals and their reasons is in docs/engines.md.

/**
 * The sink's write mode decides whether the stream side can deliver the statement: an aggregate
 * without a window updates rows it has emitted, which only an upsert (primary key) sink can take, and
 * a filesystem sink takes no updates at all. Throws at the INSERT's target.
 */
export function checkStreamSink(ctx: TranslateContext, compiled: CompiledSide, ins: InsertInfo, plan: IncrementalPlan): void {
  const target = sinkTarget(ctx, ins, "stream");
  if (!target) return;
  const at = compiled.sub.map.position(ins.intoToken.start);
  const where = `(line ${at.line}, column ${at.column})`;
  const table = target.table;
  const hasKey = (table.primaryKey ?? []).length > 0;
  const connection = ctx.catalog.connections.get(table.connection)?.type;
  const updating = plan.kind === "aggregate" && !plan.window;
  if (updating && !hasKey) {
    throw new LocalTranslationError(`the local stream engine cannot write a GROUP BY without a window into '${table.name}': its results update, and the sink has no primary key to upsert on; declare primaryKey on it or aggregate over a TUMBLE/HOP window ${where}`, at);
  }
  if (hasKey && connection === "filesystem") {
    throw new LocalTranslationError(`the local stream engine cannot upsert into the filesystem sink '${table.name}' (it has a primary key, and files take no updates); write to a jdbc or duckdb sink ${where}`, at);
  }
}

/** Every stream refusal of the job's statements, one per INSERT, at the construct's position. */
export function streamRefusals(ctx: TranslateContext, compiled: CompiledSide, zone: string): Issue[] {
  const issues: Issue[] = [];
  // The local script is a query per micro-batch and per partition, on both sides; VALUES has none.
  for (const ins of compiled.analysis.statements.flatMap((st) => st.inserts)) {
    if (ins.query) continue;
    const at = compiled.sub.map.position(span(ins.node).start);
    issues.push({ path: ctx.path, ...at, message: `the local engine runs INSERT ... SELECT; write INSERT INTO ${ins.target} SELECT ... instead of VALUES (line ${at.line}, column ${at.column})` });
  }
  // A job that reads no stream table has no stream side to run (a batch-only job): nothing to refuse.
  const readsStream = compiled.analysis.metaRefs.some((r) => {
    const table = r.systemTime ? undefined : bindingFor(r.meta, "stream")?.table;
    return table !== undefined && ctx.catalog.physicalTables.get(table)?.kind === "stream";
  });
  if (!readsStream) return issues;
  // One stream job tails one stream table: its offsets, watermark and micro-batches are that source's.
  let source: string | undefined;
  for (const st of compiled.analysis.statements) {
    for (const ins of st.inserts) {
      if (!ins.query) continue;
      try {
        const plan = incrementalPlan(ctx, compiled, ins, zone);
        checkStreamSink(ctx, compiled, ins, plan);
        for (const name of plan.streamSources) {
          const meta = ctx.catalog.metaTables.get(name);
          const table = meta ? bindingFor(meta, "stream")?.table : undefined;
          if (!table || table === source) continue;
          if (source === undefined) {
            source = table;
            continue;
          }
          const at = compiled.sub.map.position(span(ins.query).start);
          throw new LocalTranslationError(`the local stream engine runs one stream source per job; this statement reads '${table}' where an earlier one reads '${source}': split the job (line ${at.line}, column ${at.column})`, at);
        }
      } catch (e) {
        if (!(e instanceof LocalTranslationError)) throw e;
        issues.push({ path: ctx.path, ...e.at, message: e.message });
      }
    }
  }
  return issues;
}

/**
 * A session zone DuckDB's ICU cannot apply (a fixed offset with minutes) refuses the whole job on the
 * local engine, both sides: at the `SET 'table.local-time-zone'` that names it, else at the job.
 */
export function zoneRefusal(ctx: TranslateContext, compiled: CompiledSide, zone: string): Issue {
  const message = `the local engine cannot apply the session time zone '${zone}': DuckDB's ICU has no zone with that offset (use an IANA name such as Asia/Kolkata); run this job on Flink`;
  const names = (st: { start: number; end: number }) => compiled.parsed.text.slice(st.start, st.end + 1).toLowerCase().includes(`'${TIME_ZONE_KEY}'`);
  const set = compiled.analysis.statements.filter((st) => st.kind === "set" && names(st)).pop();
  return set ? { path: ctx.path, ...compiled.sub.map.position(set.start), message } : { path: ctx.path, message };
}
