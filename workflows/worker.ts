import { fileURLToPath } from "node:url";
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkerOptions } from "@temporalio/worker";
import { env } from "../server/env";
import { createActivities, type ActivityDeps } from "./activities/index";
import type { TemporalTarget } from "./client";

// The worker entry: Tandem's workflows (workflows/definitions) and activities on Tandem's task queue,
// against whatever Temporal the target names (a cluster, or the embedded dev service).

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
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
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
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace: opts.target.namespace,
      taskQueue,
      workflowBundle,
      activities: opts.activities ?? createActivities(opts.activityDeps),
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
  } catch (e) {
    await connection.close();
    throw e;
  }
  const done = worker.run().finally(() => connection.close());
  let stopping: Promise<void> | undefined;
  return {
    worker,
    taskQueue,
    done,
    stop() {
      stopping ??= (async () => {
        if (worker.getState() === "RUNNING") worker.shutdown();
        await done;
      })();
      return stopping;
    },
  };
}
