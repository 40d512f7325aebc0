import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { jobDeployments, metricTasks } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import { Name } from "../catalog/schemas";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { ProjectContext } from "../context";
import { ConflictError, NotFoundError } from "../errors";
import { isUniqueViolation, recordDeployment, type Deployment } from "../jobs/deployments";
import { undeployIn } from "../jobs/undeploy";

// A metric task goes online and offline as one (issue #18): its generated jobs (the count/sum job, the
// campaign-to-date job, the split distinct-count sub-task) are deployed in one transaction, so either
// every job gets a new version or, when one of them is refused, none does; undeploying takes every
// deployed job of the task out in one transaction too. Scheduling on the orchestrator follows the commit
// (the API layer calls scheduleDeployment / withdrawFromOrchestrator for each job).

export const MetricTaskDeployInput = z.object({ name: Name, note: z.string().max(500).default("") });
export type MetricTaskDeployInput = z.input<typeof MetricTaskDeployInput>;

async function taskJobs(ctx: ProjectContext, name: string): Promise<string[]> {
  const [row] = await ctx.db.select({ jobs: metricTasks.jobs }).from(metricTasks)
    .where(and(eq(metricTasks.projectId, ctx.project.id), eq(metricTasks.name, name)));
  if (!row) throw new NotFoundError("metric task", name);
  if (row.jobs.length === 0) throw new ConflictError(`metric task '${name}' has no generated jobs: save it first`);
  return row.jobs;
}

/** Deploys every job of the task together; returns their new versions in the task's order. */
export async function deployMetricTask(ctx: ProjectContext, input: MetricTaskDeployInput, now = new Date()): Promise<Deployment[]> {
  const { name, note } = MetricTaskDeployInput.parse(input);
  const jobNames = await taskJobs(ctx, name);
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  const missing = jobNames.filter((j) => !catalog.jobs.has(j));
  if (missing.length > 0) throw new NotFoundError("job", missing.join(", "), `metric task '${name}' generated ${missing.map((j) => `'${j}'`).join(", ")}, which no longer exist${missing.length === 1 ? "s" : ""}: save the task again`);
  const taskNote = note || `metric task ${name}`;
  try {
    return await ctx.db.transaction(async (tx) => {
      const out: Deployment[] = [];
      for (const job of jobNames) out.push(await recordDeployment(tx, ctx, catalog.jobs.get(job)!, { note: taskNote, rollbackOf: null }, now));
      await recordAudit(tx, ctx.actor, ctx.project, {
        action: "metricTask.deploy", entity: "metricTask", name, details: { versions: Object.fromEntries(out.map((d) => [d.job, d.version])) },
      });
      return out;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`a job of metric task '${name}' was deployed by someone else at the same moment; reload and try again`);
    throw e;
  }
}

export interface TaskUndeployment {
  /** The jobs taken out, with the version that was in production. */
  undeployed: { job: string; version: number }[];
  /** Jobs of the task that were not deployed (never, or already undeployed): left as they are. */
  notDeployed: string[];
}

/** Undeploys every deployed job of the task in one transaction; refuses when none of them is deployed. */
export async function undeployMetricTask(ctx: ProjectContext, input: MetricTaskDeployInput, now = new Date()): Promise<TaskUndeployment> {
  const { name, note } = MetricTaskDeployInput.parse(input);
  const jobNames = await taskJobs(ctx, name);
  return ctx.db.transaction(async (tx) => {
    // Which jobs are in production: the newest version of each, without its frozen scripts and catalog.
    const rows = await tx.selectDistinctOn([jobDeployments.jobName], { job: jobDeployments.jobName, undeployedAt: jobDeployments.undeployedAt })
      .from(jobDeployments).where(and(eq(jobDeployments.projectId, ctx.project.id), inArray(jobDeployments.jobName, jobNames)))
      .orderBy(jobDeployments.jobName, desc(jobDeployments.version));
    const live = new Set(rows.filter((r) => !r.undeployedAt).map((r) => r.job));
    if (live.size === 0) throw new ConflictError(`no job of metric task '${name}' is deployed (${jobNames.join(", ")})`);
    const undeployed: TaskUndeployment["undeployed"] = [];
    for (const job of jobNames.filter((j) => live.has(j))) {
      const u = await undeployIn(tx, ctx, job, note, now, { metricTask: name });
      undeployed.push({ job, version: u.version });
    }
    await recordAudit(tx, ctx.actor, ctx.project, { action: "metricTask.undeploy", entity: "metricTask", name, details: { jobs: undeployed.map((u) => u.job) } });
    return { undeployed, notDeployed: jobNames.filter((j) => !live.has(j)) };
  });
}
