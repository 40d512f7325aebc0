import type { ProjectContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { backfillPlan, Bizdate } from "../scheduling/index";
import { deployedJobGraph, neverDeployed } from "../jobs/deployments";
import { getInstance } from "./instances";
import { rerunDay } from "./operate";
import { isFinished } from "./states";

// Backfills: a job's days over a range (optionally with the jobs downstream of it, in dependency order),
// each day run as its ordinary batch instance. A day already waiting, queued or running (today's scheduled
// run, say) is left to finish on its own; a finished day runs again as its next attempt.

export interface BackfillDay {
  job: string;
  /** yyyyMMdd */
  bizdate: string;
}

/** Day by day; within a day upstream jobs first. Refuses a job that was never deployed, or a range too long. */
export async function planBackfill(ctx: ProjectContext, input: { job: string; from: Bizdate; to: Bizdate; downstream: boolean }): Promise<BackfillDay[]> {
  const jobs = await deployedJobGraph(ctx.db, ctx.project.id);
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
