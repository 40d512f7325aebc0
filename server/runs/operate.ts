import { recordAudit } from "../audit/audit";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { ProjectContext } from "../context";
import { NotFoundError, PreconditionFailedError } from "../errors";
import { getDeployment } from "../jobs/deployments";
import { backfillWorkflowId, type BackfillStatus, type Orchestrator } from "../orchestration";
import { partitionKeyText, type Bizdate, type PartitionKey } from "../scheduling/index";
import { getInstance, listInstances, markInstanceSucceeded, rerunInstance, stopInstance, type BatchInstance } from "./instances";
import { dailyPartitions, upstreamOf } from "./io";
import { markPartitionReady, missingPartitions, type PartitionRecord } from "./partitions";
import { scheduleInstance } from "./runner";
import { planBackfill } from "./backfill";
import { isFinished } from "./states";

// What people do to instances (the CLI and the API): rerun a day, cancel it, mark a partition ready. Each
// is audited and handed to the orchestrator when there is one; without one (no Temporal configured for a
// CLI command) the database change stands and the next worker picks it up.

export interface OperateResult {
  instance: BatchInstance;
  /** False when no orchestrator was reachable: the instance waits for a worker to pick it up. */
  orchestrated: boolean;
}

/** Runs a job's day again (a new attempt of a finished instance, or its first run), as `version` or the newest. */
export async function rerunDay(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: { job: string; bizdate: Bizdate; version?: number; reason?: string }): Promise<OperateResult> {
  const ref = { job: input.job, bizdate: input.bizdate };
  const existing = await getInstance(ctx, ref).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  let instance: BatchInstance;
  if (!existing) {
    instance = await scheduleInstance(ctx, { ...ref, trigger: "manual", scheduledAt: new Date(), version: input.version });
  } else {
    const d = await getDeployment(ctx, input.job, input.version);
    const catalog = d.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
    instance = await rerunInstance(ctx, ref, { deploymentVersion: d.version, upstream: upstreamOf(catalog, d, input.bizdate), reason: input.reason ?? "" });
  }
  await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "instance.rerun", entity: "job", name: input.job, details: { bizdate: input.bizdate.toString(), attempt: instance.attempt, version: instance.deploymentVersion, ...(input.reason ? { reason: input.reason } : {}) } });
  if (!orchestrator) return { instance, orchestrated: false };
  await orchestrator.startBatchInstance({ project: ctx.project.name, job: input.job, bizdate: input.bizdate.toString(), trigger: existing ? "rerun" : "manual", version: instance.deploymentVersion });
  return { instance, orchestrated: true };
}

/** Cancels a job's day: its workflow when one runs, else the instance itself. */
export async function cancelDay(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: { job: string; bizdate: Bizdate; reason?: string }): Promise<OperateResult> {
  const ref = { job: input.job, bizdate: input.bizdate };
  const before = await getInstance(ctx, ref);
  if (isFinished(before.state)) return { instance: await stopInstance(ctx, ref, "cancel", input.reason ?? ""), orchestrated: false }; // refused with the reason
  await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "instance.cancel", entity: "job", name: input.job, details: { bizdate: input.bizdate.toString(), ...(input.reason ? { reason: input.reason } : {}) } });
  if (orchestrator) {
    try {
      await orchestrator.cancelBatchInstance(ctx.project.name, input.job, input.bizdate.toString());
      return { instance: before, orchestrated: true };
    } catch {
      // No workflow runs it (never started, or its worker is gone): cancel the instance directly below.
    }
  }
  return { instance: await stopInstance(ctx, ref, "cancel", input.reason ?? `cancelled by ${ctx.actor.kind}`), orchestrated: false };
}

/** Marks a table's partition ready by hand, waking the instances it releases. */
export async function markReady(ctx: ProjectContext, orchestrator: Orchestrator | undefined, key: PartitionKey, rows?: number): Promise<{ partition: PartitionRecord; released: string[]; orchestrated: boolean }> {
  const { partition, instances } = await markPartitionReady(ctx, key, { rows });
  await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "partition.mark-ready", entity: "table", name: key.table, details: { partition: key.partition } });
  if (orchestrator && instances.length > 0) await orchestrator.notifyReleased(ctx.project.name, instances);
  return {
    partition,
    released: instances.filter((i) => i.released).map((i) => `${i.job} ${i.bizdate}`),
    orchestrated: orchestrator !== undefined,
  };
}


export interface BackfillRequest {
  job: string;
  from: Bizdate;
  to: Bizdate;
  downstream: boolean;
  concurrency: number;
}

function needOrchestrator(o: Orchestrator | undefined): Orchestrator {
  if (!o) throw new PreconditionFailedError("backfills run on Temporal, and none is reachable: start `tandem dev`, or set TEMPORAL_ADDRESS");
  return o;
}

/** Plans (so a bad range or an undeployed job is refused at once), audits and starts a backfill. */
export async function startBackfill(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: BackfillRequest): Promise<{ workflowId: string; started: boolean; days: number }> {
  // The request is checked first: a bad range or job says so, whether or not Temporal is up.
  const days = await planBackfill(ctx, input);
  const o = needOrchestrator(orchestrator);
  const key = { project: ctx.project.name, job: input.job, from: input.from.toString(), to: input.to.toString() };
  const r = await o.startBackfill({ ...key, downstream: input.downstream, concurrency: input.concurrency });
  if (r.started) {
    await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "instance.backfill", entity: "job", name: input.job, details: { from: key.from, to: key.to, downstream: input.downstream, days: days.length } });
  }
  return { ...r, days: days.length };
}

export async function backfillStatus(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: { job: string; from: Bizdate; to: Bizdate }): Promise<BackfillStatus> {
  return needOrchestrator(orchestrator).backfillStatus(backfillWorkflowId({ project: ctx.project.name, job: input.job, from: input.from.toString(), to: input.to.toString() }));
}

export async function cancelBackfill(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: { job: string; from: Bizdate; to: Bizdate }): Promise<void> {
  await needOrchestrator(orchestrator).cancelBackfill(backfillWorkflowId({ project: ctx.project.name, job: input.job, from: input.from.toString(), to: input.to.toString() }));
  await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "instance.backfill-cancel", entity: "job", name: input.job, details: { from: input.from.toString(), to: input.to.toString() } });
}

/** Marks a failed, cancelled or skipped day successful by hand (its output ready, what waits released). */
export async function markSuccess(ctx: ProjectContext, orchestrator: Orchestrator | undefined, input: { job: string; bizdate: Bizdate; reason?: string }): Promise<OperateResult & { released: string[] }> {
  const ref = { job: input.job, bizdate: input.bizdate };
  const before = await getInstance(ctx, ref);
  const d = await getDeployment(ctx, input.job, before.deploymentVersion);
  const catalog = d.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
  const { instance, released } = await markInstanceSucceeded(ctx, ref, { output: dailyPartitions(catalog, d.sinks, input.bizdate), reason: input.reason ?? "" });
  await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "instance.mark-success", entity: "job", name: input.job, details: { bizdate: input.bizdate.toString(), attempt: instance.attempt, ...(input.reason ? { reason: input.reason } : {}) } });
  if (orchestrator && released.length > 0) await orchestrator.notifyReleased(ctx.project.name, released);
  return { instance, orchestrated: orchestrator !== undefined, released: released.filter((r) => r.released).map((r) => `${r.job} ${r.bizdate}`) };
}

export interface UpstreamPartition extends PartitionKey {
  ready: boolean;
}

/** What a day of a job reads from others (its deployed version's upstream partitions), each with its readiness. */
export async function instanceUpstream(ctx: ProjectContext, input: { job: string; bizdate: Bizdate; version?: number }): Promise<UpstreamPartition[]> {
  const d = await getDeployment(ctx, input.job, input.version);
  const catalog = d.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
  const keys = upstreamOf(catalog, d, input.bizdate);
  const missing = new Set((await missingPartitions(ctx, keys)).map(partitionKeyText));
  return keys.map((k) => ({ ...k, ready: !missing.has(partitionKeyText(k)) }));
}

/** The instances a backfill would run, day by day, upstream jobs first — nothing is created. */
export async function previewBackfill(ctx: ProjectContext, input: { job: string; from: Bizdate; to: Bizdate; downstream: boolean }): Promise<{ job: string; bizdate: string; state: string | null }[]> {
  const days = await planBackfill(ctx, input);
  const existing = new Map<string, string>();
  for (const job of new Set(days.map((d) => d.job))) {
    for (const i of await listInstances(ctx, { job, from: input.from, to: input.to, limit: 5000 })) existing.set(`${i.job} ${i.bizdate}`, i.state);
  }
  return days.map((d) => ({ ...d, state: existing.get(`${d.job} ${d.bizdate}`) ?? null }));
}
