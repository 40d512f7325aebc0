import { asc, desc, eq } from "drizzle-orm";
import { jobDeployments } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { backfillPlan, Bizdate, type ScheduledJob } from "../scheduling/index";
import { neverDeployed } from "../jobs/deployments";
import { getInstance } from "./instances";
import { rerunDay } from "./operate";
import { isFinished } from "./states";

// Backfills: a job's days over a range (optionally with the jobs downstream of it, in dependency order),
// each day run as its ordinary batch instance. A day already waiting, queued or running (today's scheduled
// run, say) is left to finish on its own; a finished day runs again as its next attempt.

/** The newest deployment of every job of the project, as the dependency resolver sees it. */
async function deployedJobs(ctx: ProjectContext): Promise<ScheduledJob[]> {
  const rows = await ctx.db.select({ job: jobDeployments.jobName, sources: jobDeployments.sources, sinks: jobDeployments.sinks, undeployedAt: jobDeployments.undeployedAt })
    .from(jobDeployments).where(eq(jobDeployments.projectId, ctx.project.id)).orderBy(asc(jobDeployments.jobName), desc(jobDeployments.version));
  const jobs = new Map<string, ScheduledJob | null>();
  // A job's newest version decides; an undeployed job is not backfilled (nor pulled in as downstream).
  for (const r of rows) if (!jobs.has(r.job)) jobs.set(r.job, r.undeployedAt ? null : { name: r.job, reads: r.sources, writes: r.sinks });
  return [...jobs.values()].filter((j): j is ScheduledJob => j !== null);
}

export interface BackfillDay {
  job: string;
  /** yyyyMMdd */
  bizdate: string;
}

/** Day by day; within a day upstream jobs first. Refuses a job that was never deployed, or a range too long. */
export async function planBackfill(ctx: ProjectContext, input: { job: string; from: Bizdate; to: Bizdate; downstream: boolean }): Promise<BackfillDay[]> {
  const jobs = await deployedJobs(ctx);
  if (!jobs.some((j) => j.name === input.job)) throw neverDeployed(input.job);
  try {
    return backfillPlan(input, jobs).map((s) => ({ job: s.job, bizdate: s.bizdate.toString() }));
  } catch (e) {
    // An inverted or too long range, or two producers of a table: the user's request, said as it is.
    const message = e instanceof Error ? e.message : String(e);
    throw new ValidationError([{ path: "backfill", message }], message);
  }
}

/** Readies one day for its instance workflow: `run` (new or rerun) or `busy` (it is already on its way). */
export async function prepareBackfillDay(ctx: ProjectContext, day: BackfillDay): Promise<"run" | "busy"> {
  const ref = { job: day.job, bizdate: Bizdate.parse(day.bizdate) };
  const existing = await getInstance(ctx, ref).catch((e: unknown) => {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  });
  if (!existing) return "run"; // the instance workflow creates it
  if (!isFinished(existing.state)) return "busy";
  await rerunDay(ctx, undefined, { ...ref, reason: "backfill" });
  return "run";
}
