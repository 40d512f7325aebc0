import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { jobDeployments } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import { Name } from "../catalog/schemas";
import { actorLabel, type ProjectContext } from "../context";
import { ConflictError } from "../errors";
import type { Orchestrator } from "../orchestration";
import { neverDeployed } from "./deployments";

// Taking a job out of production: its newest version is marked undeployed (the history stays, and a
// later deploy appends a live version), audited as `job.undeploy` in the same transaction; then the
// orchestrator removes its batch schedule and stops its stream side with a savepoint. Instances already
// created keep their history. Who may do this is the policy's `job.deploy` (owners).

export const UndeployJobInput = z.object({
  job: Name,
  note: z.string().max(500).default(""),
});
export type UndeployJobInput = z.input<typeof UndeployJobInput>;

export interface Undeployment {
  job: string;
  /** The version that was in production. */
  version: number;
  undeployedAt: Date;
  undeployedBy: string;
}

/** Marks the job undeployed; refuses a job never deployed, or already undeployed (saying since when). */
export async function undeployJob(ctx: ProjectContext, input: UndeployJobInput, now = new Date()): Promise<Undeployment> {
  const { job, note } = UndeployJobInput.parse(input);
  return ctx.db.transaction((tx) => undeployIn(tx, ctx, job, note, now));
}

/**
 * undeployJob's work inside the caller's transaction (several jobs taken out together, a metric task's,
 * share one): locks the newest version, refuses as undeployJob does, marks it and audits `job.undeploy`.
 */
export async function undeployIn(tx: Tx, ctx: ProjectContext, job: string, note: string, now: Date, details: Record<string, unknown> = {}): Promise<Undeployment> {
  const [newest] = await tx.select({ id: jobDeployments.id, version: jobDeployments.version, undeployedAt: jobDeployments.undeployedAt, undeployedBy: jobDeployments.undeployedBy })
    .from(jobDeployments)
    .where(and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, job)))
    .orderBy(desc(jobDeployments.version)).limit(1).for("update");
  if (!newest) throw neverDeployed(job);
  if (newest.undeployedAt) {
    throw new ConflictError(`job '${job}' is not deployed: it was undeployed at ${newest.undeployedAt.toISOString()} by ${newest.undeployedBy ?? "someone"} (v${newest.version} was the last version)`);
  }
  const by = actorLabel(ctx.actor);
  await tx.update(jobDeployments).set({ undeployedAt: now, undeployedBy: by }).where(eq(jobDeployments.id, newest.id));
  await recordAudit(tx, ctx.actor, ctx.project, {
    action: "job.undeploy", entity: "job", name: job, details: { version: newest.version, ...details, ...(note ? { note } : {}) },
  });
  return { job, version: newest.version, undeployedAt: now, undeployedBy: by };
}

/**
 * Takes an undeployed job off the orchestrator: no more scheduled days, and its stream side stopped with a
 * savepoint. False when no orchestrator is configured (nothing can be running without one).
 */
export async function withdrawFromOrchestrator(orchestrator: Orchestrator | undefined, ctx: ProjectContext, job: string): Promise<{ withdrawn: boolean; streamStopped: boolean }> {
  if (!orchestrator) return { withdrawn: false, streamStopped: false };
  await orchestrator.unscheduleJob(ctx.project.name, job);
  const streamStopped = await orchestrator.stopStream(ctx.project.name, job);
  return { withdrawn: true, streamStopped };
}
