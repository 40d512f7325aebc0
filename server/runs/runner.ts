import path from "node:path";
import { asc, desc, eq } from "drizzle-orm";
import { jobDeployments } from "../../db/schema/index";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { SecretBox } from "../catalog/secrets";
import type { CatalogSnapshot } from "../catalog/schemas";
import type { ProjectContext } from "../context";
import { catalogSecrets } from "../engines/catalog-secrets";
import type { EngineJobStatus } from "../engines/engine";
import { presentOnDisk } from "../engines/local/partition-sensor";
import type { EngineRegistry } from "../engines/registry";
import { runJobSide, submissionFor, type RunSideOptions } from "../engines/run-side";
import { getDeployment, type RunnableDeployment } from "../jobs/deployments";
import type { OpenLineageSink } from "../lineage/openlineage";
import { runNotifier } from "../lineage/run-hook";
import { Bizdate, partitionKeyText, type PartitionKey } from "../scheduling/index";
import {
  createInstance, finishInstance, getInstance, noteInstance, startInstance, stopInstance,
  type BatchInstance, type InstanceRef, type InstanceTrigger, type RunMetrics,
} from "./instances";
import { checkPartition, describeFailures, hasReconcileRules, reconcile, type QualityDeps, type QualityResultRecord } from "../quality/index";
import { dailyPartitions, upstreamOf } from "./io";
import { markPartitionReady, type ReleasedInstance } from "./partitions";

// The scheduler's operations on batch instances, for the workflow activities, the CLI and the API alike:
// create a deployed job's instance for a day (waiting for its upstream partitions), notice external
// partitions that arrived on disk, and run a queued instance on the engine, publishing its output.

export interface RunnerDeps {
  engines: EngineRegistry;
  secretBox: SecretBox;
  /** Tandem's data folder (relative table paths of the local engine). */
  dataDir: string;
  /**
   * Whether the stream side of a job is final for a day (its watermark passed the day's end). When it
   * says so right after the batch instance succeeded, the day is reconciled at once; otherwise the day
   * waits for `reconcile` (the API's quality.reconcile, docs/quality.md).
   */
  streamFinal?: (job: string, bizdate: Bizdate, timeZone: string) => Promise<boolean>;
  /** Where OpenLineage run events of batch instances go (none: not sent). */
  openLineage?: OpenLineageSink;
}

async function catalogOf(ctx: ProjectContext, d: RunnableDeployment): Promise<CatalogSnapshot> {
  // Versions deployed before catalogs were frozen run against today's catalog.
  return d.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
}

export interface ScheduleInstanceInput {
  job: string;
  bizdate: Bizdate;
  trigger: InstanceTrigger;
  scheduledAt: Date;
  /** The deployment version; the newest by default. */
  version?: number;
}

/** The instance of a deployed job for a day, waiting for the daily partitions it reads (idempotent). */
export async function scheduleInstance(ctx: ProjectContext, input: ScheduleInstanceInput): Promise<BatchInstance> {
  const d = await getDeployment(ctx, input.job, input.version);
  const upstream = upstreamOf(await catalogOf(ctx, d), d, input.bizdate);
  const { instance } = await createInstance(ctx, { job: input.job, bizdate: input.bizdate, deploymentVersion: d.version, scheduledAt: input.scheduledAt, trigger: input.trigger, upstream });
  return instance;
}

/** Physical tables whose partitions a deployed job of the project writes (their producer marks them ready). */
async function producedTables(ctx: ProjectContext, catalog: CatalogSnapshot): Promise<Set<string>> {
  const rows = await ctx.db.select({ job: jobDeployments.jobName, sinks: jobDeployments.sinks }).from(jobDeployments)
    .where(eq(jobDeployments.projectId, ctx.project.id)).orderBy(asc(jobDeployments.jobName), desc(jobDeployments.version));
  const newest = new Map<string, string[]>();
  for (const r of rows) if (!newest.has(r.job)) newest.set(r.job, r.sinks);
  const epoch = Bizdate.parse("19700101");
  return new Set(dailyPartitions(catalog, [...newest.values()].flat(), epoch).map((k) => k.table));
}

/**
 * For a waiting instance: the upstream partitions that no deployed job produces and that are on disk now
 * are marked ready (by `system:file-sensor`), releasing whatever waits for them.
 */
export async function senseUpstream(ctx: ProjectContext, deps: Pick<RunnerDeps, "dataDir">, ref: InstanceRef): Promise<ReleasedInstance[]> {
  return (await senseUpstreamFiles(ctx, deps, ref)).released;
}

/**
 * `senseUpstream`, also saying which external partitions (no deployed job produces them) are still not on
 * disk: an instance that waits for none has nothing to look for, and only its producers' signals wake it.
 */
export async function senseUpstreamFiles(ctx: ProjectContext, deps: Pick<RunnerDeps, "dataDir">, ref: InstanceRef): Promise<{ released: ReleasedInstance[]; externalMissing: PartitionKey[] }> {
  const instance = await getInstance(ctx, ref);
  if (instance.state !== "waiting") return { released: [], externalMissing: [] };
  const catalog = await catalogOf(ctx, await getDeployment(ctx, ref.job, instance.deploymentVersion));
  const produced = await producedTables(ctx, catalog);
  const external = instance.waitingFor.filter((k) => !produced.has(k.table));
  const present = presentOnDisk(catalog, external, { baseDir: path.dirname(deps.dataDir), dataDir: deps.dataDir });
  const sensor = { ...ctx, actor: { kind: "system", reason: "file-sensor" } as const };
  const released: ReleasedInstance[] = [];
  for (const key of present) released.push(...(await markPartitionReady(sensor, key)).instances);
  const landed = new Set(present.map(partitionKeyText));
  return { released, externalMissing: external.filter((k) => !landed.has(partitionKeyText(k))) };
}

function missingJdbc(): never {
  throw new Error("this engine registry has no jdbc databases");
}

function metricsOf(status: EngineJobStatus): RunMetrics {
  const durationMs = status.endedAt ? Date.parse(status.endedAt) - Date.parse(status.startedAt) : 0;
  return {
    rowsIn: status.metrics.rowsIn, rowsOut: status.metrics.rowsOut, durationMs,
    partitionsRead: (status.metrics.scans ?? []).flatMap((s) => s.partitionsRead.map((p) => `${s.source}/${p}`)),
    ...(status.error ? { logExcerpt: status.error.slice(0, 2000) } : {}),
  };
}

/**
 * Runs a queued instance (or one left running by a worker that died: the run starts again; the engine
 * overwrites the output partition atomically, so it holds one copy) and finishes it: succeeded with its
 * output partitions marked ready, or failed with the engine's error. Returns what the output released.
 */
export async function executeInstance(ctx: ProjectContext, deps: RunnerDeps, ref: InstanceRef, opts: RunSideOptions = {}): Promise<{ instance: BatchInstance; released: ReleasedInstance[] }> {
  let instance = await getInstance(ctx, ref);
  if (instance.state === "queued") instance = await startInstance(ctx, ref);
  if (instance.state !== "running") return { instance, released: [] };
  const d = await getDeployment(ctx, ref.job, instance.deploymentVersion);
  const catalog = await catalogOf(ctx, d);
  const bizdate = ref.bizdate.format("yyyy-MM-dd");
  const notify = runNotifier(deps.openLineage, { project: ctx.project.name, job: ref.job, version: d.version, side: "batch", sql: d.spec.sql, lineage: d.lineage, bizdate, key: [bizdate, instance.attempt] });
  notify("START");
  const engine = deps.engines.engine();
  let status: EngineJobStatus;
  try {
    const submission = submissionFor(engine.kind, { catalog, job: d.spec, secret: await catalogSecrets(ctx.db, ctx.project.id, deps.secretBox), side: "batch", bizdate });
    status = await runJobSide(engine, submission, opts);
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    notify("FAIL", { error });
    return finishInstance(ctx, ref, { outcome: "failed", error });
  }
  if (status.state === "cancelled") {
    notify("ABORT");
    return { instance: await stopInstance(ctx, ref, "cancel", "the engine job was cancelled"), released: [] };
  }
  if (status.state !== "finished") {
    const missing = status.missingPartitions?.map((m) => `${m.table}/${m.values.join(",")}`);
    const error = missing?.length ? `input partitions do not exist: ${missing.join("; ")}` : (status.error ?? `the engine job ended ${status.state}`);
    notify("FAIL", { error });
    return finishInstance(ctx, ref, { outcome: "failed", error, metrics: metricsOf(status) });
  }
  const outputs: PartitionKey[] = dailyPartitions(catalog, d.sinks, ref.bizdate);
  const rows = outputs.length === 1 ? status.metrics.rowsOut : null;
  // The output's quality rules run before its partitions are marked ready: a failed blocking rule fails
  // the instance, so the partition stays not ready and the instances downstream keep waiting.
  const engines = deps.engines;
  const quality: QualityDeps = { dataDir: deps.dataDir, jdbc: engines.jdbc ? (t) => engines.jdbc?.(t) ?? missingJdbc() : undefined };
  const zone = d.spec.batch.timezone;
  const blocking: QualityResultRecord[] = [];
  const assertions: { table: string; assertions: { assertion: string; success: boolean }[] }[] = [];
  for (const key of outputs) {
    const checked = await checkPartition(ctx, quality, { table: key.table, bizdate: ref.bizdate, catalog, instanceId: instance.id, job: ref.job, timeZone: zone });
    if (checked.results.length === 0) continue;
    const failed = [...checked.blocking, ...checked.warnings];
    await noteInstance(ctx, ref, "quality", failed.length === 0
      ? `${key.table}/${key.partition}: ${checked.results.length} quality rule${checked.results.length === 1 ? "" : "s"} passed`
      : `${key.table}/${key.partition}: ${describeFailures(failed)}`,
    { results: checked.results.map((r) => ({ id: r.id, rule: r.rule, severity: r.severity, passed: r.passed, observed: r.observed })) });
    blocking.push(...checked.blocking);
    assertions.push({ table: key.table, assertions: checked.results.map((r) => ({ assertion: r.rule, success: r.passed })) });
  }
  if (blocking.length > 0) {
    notify("FAIL", { error: `blocking quality rules failed: ${describeFailures(blocking)}`, assertions });
    return finishInstance(ctx, ref, { outcome: "failed", error: `blocking quality rule${blocking.length === 1 ? "" : "s"} failed: ${describeFailures(blocking)}`, metrics: metricsOf(status) });
  }
  const done = await finishInstance(ctx, ref, { outcome: "succeeded", metrics: metricsOf(status), output: outputs.map((key) => ({ key, rows })) });
  notify("COMPLETE", { assertions });
  if (deps.streamFinal) {
    for (const key of outputs) {
      if (!(await hasReconcileRules(ctx, key.table)) || !(await deps.streamFinal(ref.job, ref.bizdate, zone))) continue;
      const r = await reconcile(ctx, quality, { table: key.table, bizdate: ref.bizdate, catalog, instanceId: instance.id, job: ref.job });
      const failed = [...r.blocking, ...r.warnings];
      await noteInstance(ctx, ref, "reconciled", failed.length === 0 ? `${key.table}/${key.partition}: stream and batch agree` : describeFailures(failed), { results: r.results.map((x) => ({ id: x.id, rule: x.rule, passed: x.passed })) });
    }
  }
  return done;
}
