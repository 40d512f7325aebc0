import { proxyActivities } from "@temporalio/workflow";
import type { TandemActivities } from "../activities/index";

// Tandem's workflows (deterministic: only @temporalio/workflow and activity types); the worker registers this module.
export { batchInstance, partitionsReady, type BatchInstanceInput } from "./batch-instance";
export { scheduledBatch } from "./scheduled-batch";
export { streamSupervisor, streamSupervision, redeployStream, stopStream, type StreamSupervisorInput } from "./stream-supervisor";
export { backfill, backfillProgress, type BackfillInput, type BackfillProgress } from "./backfill";

const { recordHeartbeat } = proxyActivities<TandemActivities>({
  startToCloseTimeout: "30s",
  retry: { initialInterval: "1s", maximumAttempts: 5 },
});

export interface HealthCheckOptions {
  /** Free text echoed back: shows the round trip through a worker. */
  note: string;
}

/** Round trip through the worker: proves the orchestration path (client → service → worker) works. */
export async function healthCheck(opts: HealthCheckOptions): Promise<string> {
  return recordHeartbeat(opts.note);
}
