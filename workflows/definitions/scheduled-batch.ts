import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";
import { proxyActivities, workflowInfo } from "@temporalio/workflow";
import type { TandemActivities } from "../activities/index";

// What a job's schedule starts at each firing: the batch instance of the day the firing stands for. The
// firing's nominal time (not when a worker got to it) decides the bizdate, so a late or backfilled firing
// still runs its own day.

const SCHEDULED_START = defineSearchAttributeKey("TemporalScheduledStartTime", SearchAttributeType.DATETIME);

const steps = proxyActivities<TandemActivities>({
  startToCloseTimeout: "1 minute",
  retry: { initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "1 minute", maximumAttempts: 20 },
});

export async function scheduledBatch(input: { project: string; job: string }): Promise<{ bizdate: string; started: boolean }> {
  const info = workflowInfo();
  const nominal = info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime;
  return steps.startScheduledInstance({ ...input, scheduledAt: nominal.toISOString() });
}
