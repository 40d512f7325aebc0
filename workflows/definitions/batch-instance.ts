import { CancellationScope, condition, defineSignal, isCancellation, patched, proxyActivities, proxyLocalActivities, setHandler, sleep } from "@temporalio/workflow";
import type { TandemActivities } from "../activities/index";
import type { InstanceKey, InstanceProgress } from "../activities/scheduler";
import type { InstanceTrigger } from "../../server/runs/index";

// One batch instance: a job's run for one day (workflow id batch/<project>/<job>/<yyyyMMdd>, so a day never
// runs twice at once). It waits durably for its upstream partitions — woken by `partitionsReady` when a
// producer finishes, and looking for external files every `pollMs` — until `waitTimeoutMs`, then fails
// naming what is missing; it then runs on the engine with heartbeats (retried with backoff, as the job's
// batch settings say), publishes its output partition and wakes what that releases. Cancelling the
// workflow cancels the instance.

export interface BatchInstanceInput extends InstanceKey {
  trigger: InstanceTrigger;
  /** ISO time the schedule meant it for. */
  scheduledAt: string;
  version?: number;
  /** How long to wait for upstream partitions (default 24 h). */
  waitTimeoutMs?: number;
  /** How often to look for external partitions on disk while waiting (default 60 s). */
  pollMs?: number;
  /** The task queue of its engine run (a backfill's days: the backfill queue); default the workflow's own. */
  runTaskQueue?: string;
}

export const partitionsReady = defineSignal("partitionsReady");

const steps = proxyActivities<TandemActivities>({
  startToCloseTimeout: "2 minutes",
  retry: { initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "1 minute", maximumAttempts: 10 },
});

// The bookkeeping steps as local activities: they run inside the workflow task that asks for them and are
// recorded as markers, so a day's instance costs the service two or three workflow tasks and one activity
// task (its engine run) instead of six and four. Instances started before this change replay the old way.
const quickSteps = proxyLocalActivities<TandemActivities>({
  startToCloseTimeout: "1 minute",
  localRetryThreshold: "10s",
  retry: { initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "1 minute", maximumAttempts: 10 },
});

export async function batchInstance(input: BatchInstanceInput): Promise<InstanceProgress> {
  const key: InstanceKey = { project: input.project, job: input.job, bizdate: input.bizdate };
  let nudged = false;
  setHandler(partitionsReady, () => { nudged = true; });
  if (patched("instance-steps-local")) {
    try {
      const opened = await quickSteps.openBatchInstance({ ...key, trigger: input.trigger, scheduledAt: input.scheduledAt, version: input.version });
      const run = engineRun(input, opened);
      let p: InstanceProgress = opened;
      const deadline = { passed: false }; // an object: the checker cannot see the timer set it
      // A durable timer: the wait survives worker and service restarts. (Cancelled with the workflow.)
      if (p.state === "waiting") void sleep(input.waitTimeoutMs ?? 86_400_000).then(() => { deadline.passed = true; }, () => undefined);
      // Instances waiting only for partitions other jobs produce are woken by those jobs' signals (or
      // `mark-ready`), and look where they stand every 15 poll intervals in case a signal was lost; only
      // those waiting for external files look for them on disk at every poll interval.
      const pollMs = input.pollMs ?? 60_000;
      let watchesFiles = p.watchesFiles ?? true;
      while (p.state === "waiting") {
        const woken = await condition(() => nudged || deadline.passed, watchesFiles ? pollMs : pollMs * 15);
        nudged = false;
        if (deadline.passed || (watchesFiles && !woken)) {
          p = await quickSteps.senseBatchInstance(key);
          watchesFiles = p.watchesFiles ?? true;
        } else {
          // Woken by a producer: its partition is marked ready already, so only ask where the instance stands.
          p = await quickSteps.batchInstanceProgress(key);
        }
        if (p.state === "waiting" && deadline.passed) return await quickSteps.failWaitingBatchInstance(key);
      }
      if (p.state === "queued" || p.state === "running") p = await run.runBatchInstance(key);
      return p;
    } catch (e) {
      if (isCancellation(e)) {
        await CancellationScope.nonCancellable(() => quickSteps.cancelBatchInstance({ ...key, reason: "the instance's workflow was cancelled" }));
      }
      throw e;
    }
  }
  try {
    const scheduled = await steps.scheduleBatchInstance({ ...key, trigger: input.trigger, scheduledAt: input.scheduledAt, version: input.version });
    // The run follows its version's batch settings: attempts (1 + retries, with backoff) and a timeout each.
    const run = engineRun(input, scheduled);
    let p: InstanceProgress = scheduled;
    const deadline = { passed: false }; // an object: the checker cannot see the timer set it
    if (p.state === "waiting") {
      // A durable timer: the wait survives worker and service restarts. (Cancelled with the workflow.)
      void sleep(input.waitTimeoutMs ?? 86_400_000).then(() => { deadline.passed = true; }, () => undefined);
    }
    while (p.state === "waiting") {
      // Look first (the files may already be there), then sleep until nudged, the next pass, or the deadline.
      p = await steps.senseBatchInstance(key);
      if (p.state !== "waiting") break;
      if (deadline.passed) return await steps.failWaitingBatchInstance(key);
      await condition(() => nudged || deadline.passed, input.pollMs ?? 60_000);
      nudged = false;
    }
    if (p.state === "queued" || p.state === "running") p = await run.runBatchInstance(key);
    return p;
  } catch (e) {
    if (isCancellation(e)) {
      await CancellationScope.nonCancellable(() => steps.cancelBatchInstance({ ...key, reason: "the instance's workflow was cancelled" }));
    }
    throw e;
  }
}

/** The engine run: its version's batch settings give the attempts (1 + retries, with backoff) and a timeout each. */
function engineRun(input: BatchInstanceInput, settings: { retries: number; timeoutMinutes: number }) {
  return proxyActivities<TandemActivities>({
    ...(input.runTaskQueue === undefined ? {} : { taskQueue: input.runTaskQueue }),
    startToCloseTimeout: `${settings.timeoutMinutes} minutes`,
    heartbeatTimeout: "1 minute",
    retry: { initialInterval: "5s", backoffCoefficient: 2, maximumInterval: "10 minutes", maximumAttempts: settings.retries + 1 },
  });
}
