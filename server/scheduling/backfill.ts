import { bizdateRange, type Bizdate } from "./bizdate";
import { downstreamOf, type ScheduledJob } from "./dependencies";

export interface BackfillStep {
  job: string;
  bizdate: Bizdate;
}

export interface BackfillRequest {
  job: string;
  from: Bizdate;
  to: Bizdate;
  downstream: boolean;
}

/** Most days one backfill may cover; a typo in a year should not enqueue a century. */
export const MAX_BACKFILL_DAYS = 3_660;

/**
 * The instances of a backfill, day by day; within a day, jobs in dependency order, so a downstream
 * day is never planned before the upstream day it waits for.
 */
export function backfillPlan(request: BackfillRequest, jobs: ScheduledJob[]): BackfillStep[] {
  const days = bizdateRange(request.from, request.to);
  if (days.length > MAX_BACKFILL_DAYS) {
    throw new Error(`A backfill covers at most ${MAX_BACKFILL_DAYS} days; ${days.length} were asked for.`);
  }
  const chain = [request.job, ...(request.downstream ? downstreamOf(request.job, jobs) : [])];
  if (!request.downstream && !jobs.some((j) => j.name === request.job)) {
    throw new Error(`Job ${request.job} is not deployed.`);
  }
  return days.flatMap((bizdate) => chain.map((job) => ({ job, bizdate })));
}
