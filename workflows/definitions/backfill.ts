import { ChildWorkflowCancellationType, defineQuery, executeChild, isCancellation, ParentClosePolicy, proxyActivities, setHandler, workflowInfo } from "@temporalio/workflow";
import type { TandemActivities } from "../activities/index";
import type { InstanceProgress } from "../activities/scheduler";
import type { BackfillStatus } from "../../server/orchestration";
import { batchInstance } from "./batch-instance";
import { backfillTaskQueue } from "./task-queues";

// A backfill: a job's days over a range (and optionally its downstream jobs), each day run as its ordinary
// batch instance workflow (id batch/<project>/<job>/<day>, so a day never runs twice at once), at most
// `concurrency` at a time, in plan order: day by day, upstream jobs first, so a downstream day only ever
// waits for an upstream day that already has a slot. Each day's engine run goes to the backfill task queue
// (task-queues.ts), so the backfill's slots are its own. `progress` is queryable while it runs; cancelling the
// backfill cancels the days in flight.

export interface BackfillInput {
  project: string;
  job: string;
  /** yyyyMMdd, both included. */
  from: string;
  to: string;
  downstream: boolean;
  concurrency: number;
  /** For each day's wait for its inputs (default: the instance's own). */
  waitTimeoutMs?: number;
  pollMs?: number;
}

/** What the `progress` query answers: the port's status without `finished` (the workflow is running). */
export type BackfillProgress = Omit<BackfillStatus, "finished">;

export const backfillProgress = defineQuery<BackfillProgress>("progress");

const steps = proxyActivities<TandemActivities>({
  startToCloseTimeout: "2 minutes",
  retry: { initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "1 minute", maximumAttempts: 10 },
});

export async function backfill(input: BackfillInput): Promise<BackfillProgress> {
  // Answerable from the first moment (total 0 until the plan is made).
  const progress: BackfillProgress = { total: 0, done: 0, succeeded: 0, failed: 0, busy: 0, running: [], failures: [] };
  setHandler(backfillProgress, () => progress);
  const days = await steps.planBackfill(input);
  progress.total = days.length;
  const prefix = `batch/${input.project}/`;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < days.length) {
      const day = days[next++];
      if (!day) break;
      const label = `${day.job} ${day.bizdate}`;
      progress.running.push(label);
      try {
        if ((await steps.prepareBackfillDay({ ...day, project: input.project })) === "busy") {
          progress.busy++;
          continue;
        }
        const result: InstanceProgress = await executeChild(batchInstance, {
          workflowId: `${prefix}${day.job}/${day.bizdate}`,
          args: [{
            project: input.project, job: day.job, bizdate: day.bizdate, trigger: "backfill", scheduledAt: workflowInfo().startTime.toISOString(),
            // Its engine run takes a backfill slot, never one a scheduled day needs (task-queues.ts).
            runTaskQueue: backfillTaskQueue(workflowInfo().taskQueue),
            ...(input.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: input.waitTimeoutMs }),
            ...(input.pollMs === undefined ? {} : { pollMs: input.pollMs }),
          }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        });
        if (result.state === "succeeded") progress.succeeded++;
        else {
          progress.failed++;
          progress.failures.push({ job: day.job, bizdate: day.bizdate, error: result.error ?? result.state });
        }
      } catch (e) {
        if (isCancellation(e)) throw e;
        // One day's workflow failing (its run out of attempts) does not stop the others.
        progress.failed++;
        progress.failures.push({ job: day.job, bizdate: day.bizdate, error: e instanceof Error ? e.message : String(e) });
      } finally {
        progress.done++;
        progress.running = progress.running.filter((r) => r !== label);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, days.length)) }, () => lane()));
  return progress;
}
