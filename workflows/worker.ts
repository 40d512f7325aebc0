import { fileURLToPath } from "node:url";
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from "@temporalio/worker";
import { startAlertLoop } from "../server/alerts/index";
import { env } from "../server/env";
import { createActivities, type ActivityDeps } from "./activities/index";
import type { TemporalTarget } from "./client";
import { backfillTaskQueue } from "./definitions/task-queues";

// The worker entry: Tandem's workflows (workflows/definitions) and activities on Tandem's task queue, and
// the backfill days' engine runs on the backfill queue with slots of their own, against whatever Temporal
// the target names (a cluster, or the embedded dev service).

export const DEFAULT_WORKFLOWS_PATH = fileURLToPath(new URL("./definitions/index.ts", import.meta.url));

export interface StartWorkerOptions {
  /** Where to connect (see resolveTemporalTarget / ensureTemporalTarget in client.ts). */
  target: TemporalTarget;
  /** Defaults to TEMPORAL_TASK_QUEUE ("tandem"). */
  taskQueue?: string;
  /** Workflow code: a module path (bundled at start) or a prebuilt bundle. Defaults to Tandem's workflows. */
  workflowsPath?: string;
  workflowBundle?: WorkerOptions["workflowBundle"];
  /** Activity implementations. Defaults to createActivities(activityDeps). */
  activities?: object;
  activityDeps?: ActivityDeps;
  identity?: string;
  /** Extra SDK options (concurrency, shutdown grace time, ...). */
  workerOptions?: Partial<WorkerOptions>;
  /** Engine runs of backfill days at once, on the backfill task queue. Defaults to TANDEM_BACKFILL_SLOTS (2). */
  backfillSlots?: number;
  /** Deliver the alert outbox from this process (needs activityDeps.scheduler's database). */
  deliverAlerts?: boolean;
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  /** Serves only the backfill days' engine runs, with `backfillSlots` slots (task-queues.ts). */
  backfillWorker: Worker;
  /** Settles when the worker stops (rejects if it crashed). */
  done: Promise<void>;
  /** Graceful shutdown: finish in-flight tasks (up to the grace time), then close the connection. */
  stop(): Promise<void>;
}

/** Bundles the workflow code; webpack's module listing (logged at INFO) is dropped, its warnings and errors kept. */
function bundle(workflowsPath: string): ReturnType<typeof bundleWorkflowCode> {
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger("WARN") });
}

export async function startWorker(opts: StartWorkerOptions): Promise<RunningWorker> {
  const taskQueue = opts.taskQueue ?? env().TEMPORAL_TASK_QUEUE;
  const workflowBundle = opts.workflowBundle ?? (await bundle(opts.workflowsPath ?? DEFAULT_WORKFLOWS_PATH));
  const connection = await NativeConnection.connect({ address: opts.target.address, tls: opts.target.tls, apiKey: opts.target.apiKey });
  const activities = opts.activities ?? createActivities(opts.activityDeps);
  let worker: Worker;
  let backfillWorker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: opts.target.namespace,
      taskQueue,
      workflowBundle,
      activities,
      ...(opts.identity ? { identity: opts.identity } : {}),
      shutdownGraceTime: "10s",
      // A cancellation reaches a running activity only with the answer to one of its heartbeats, and the SDK
      // sends heartbeats at most every 80% of the heartbeat timeout by default (48 s for a stream job): an
      // undeploy then waited that long for its stream to stop. Tandem's activities heartbeat about once a
      // second; sending one every 2 s costs nothing at this scale.
      maxHeartbeatThrottleInterval: "2s",
      defaultHeartbeatThrottleInterval: "2s",
      ...opts.workerOptions,
    });
    // Activities only (no workflow code): the backfill queue's slots are bounded apart from the main
    // queue's, so a long backfill leaves the main queue's slots to scheduled days.
    backfillWorker = await Worker.create({
      connection,
      namespace: opts.target.namespace,
      taskQueue: backfillTaskQueue(taskQueue),
      activities,
      maxConcurrentActivityTaskExecutions: opts.backfillSlots ?? env().TANDEM_BACKFILL_SLOTS,
      ...(opts.identity ? { identity: `${opts.identity}-backfill` } : {}),
      shutdownGraceTime: "10s",
      maxHeartbeatThrottleInterval: "2s", // as above: a cancelled backfill stops its days promptly
      defaultHeartbeatThrottleInterval: "2s",
    });
  } catch (e) {
    await connection.close();
    throw e;
  }
  // The alert outbox is delivered by the workers asked to (several may: deliveries are leased).
  const scheduler = opts.activityDeps?.scheduler;
  const alerts = opts.deliverAlerts && scheduler ? startAlertLoop(scheduler.db, { retainDays: env().TANDEM_RETAIN_DAYS }) : undefined;
  const done = Promise.all([worker.run(), backfillWorker.run()]).then(() => undefined).finally(async () => {
    await alerts?.stop();
    await connection.close();
  });
  let stopping: Promise<void> | undefined;
  return {
    worker,
    backfillWorker,
    taskQueue,
    done,
    stop() {
      stopping ??= (async () => {
        for (const w of [worker, backfillWorker]) if (w.getState() === "RUNNING") w.shutdown();
        await done;
      })();
      return stopping;
    },
  };
}
