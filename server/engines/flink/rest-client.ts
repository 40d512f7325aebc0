import { flinkRequest } from "./gateway-client";

// A client of the Flink JobManager REST API, v1 (docs/static/generated/rest_v1_dispatcher.yml in
// apache/flink): job details, checkpoints, cancel, savepoints and stop-with-savepoint.

export type FlinkJobState =
  | "INITIALIZING" | "CREATED" | "RUNNING" | "FAILING" | "FAILED" | "CANCELLING" | "CANCELED"
  | "FINISHED" | "RESTARTING" | "SUSPENDED" | "RECONCILING";

export interface IOMetricsInfo {
  "read-bytes"?: number;
  "write-bytes"?: number;
  "read-records"?: number;
  "write-records"?: number;
}

export interface JobDetailsInfo {
  jid: string;
  name: string;
  isStoppable?: boolean;
  state: FlinkJobState;
  "start-time"?: number;
  "end-time"?: number;
  duration?: number;
  now?: number;
  vertices?: {
    id: string;
    name: string;
    parallelism?: number;
    /** Newer Flink versions aggregate the subtasks' I/O metrics per vertex. */
    metrics?: IOMetricsInfo;
    subtasks?: { subtask: number; status?: string; metrics?: IOMetricsInfo }[];
  }[];
}

export interface CheckpointingStatistics {
  counts?: { restored?: number; total?: number; in_progress?: number; completed?: number; failed?: number };
  latest?: {
    completed?: { id: number; status?: string; latest_ack_timestamp?: number; external_path?: string; is_savepoint?: boolean } | null;
    savepoint?: { id: number; latest_ack_timestamp?: number; external_path?: string } | null;
  };
}

export interface AsynchronousOperationResult {
  status: { id: "IN_PROGRESS" | "COMPLETED" };
  operation?: { location?: string; "failure-cause"?: { "serialized-throwable"?: string; class?: string; "stack-trace"?: string } };
}

export class FlinkRestClient {
  constructor(readonly baseUrl: string, private readonly fetchImpl: typeof fetch = fetch) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return flinkRequest<T>(this.baseUrl, method, `/v1${path}`, body, this.fetchImpl);
  }

  job(jobId: string): Promise<JobDetailsInfo> {
    return this.call("GET", `/jobs/${jobId}`);
  }

  checkpoints(jobId: string): Promise<CheckpointingStatistics> {
    return this.call("GET", `/jobs/${jobId}/checkpoints`);
  }

  async cancel(jobId: string): Promise<void> {
    await this.call("PATCH", `/jobs/${jobId}?mode=cancel`);
  }

  async stopWithSavepoint(jobId: string, body: { targetDirectory?: string; drain?: boolean }): Promise<string> {
    return (await this.call<{ "request-id": string }>("POST", `/jobs/${jobId}/stop`, body))["request-id"];
  }

  async triggerSavepoint(jobId: string, body: { "target-directory"?: string; "cancel-job"?: boolean }): Promise<string> {
    return (await this.call<{ "request-id": string }>("POST", `/jobs/${jobId}/savepoints`, body))["request-id"];
  }

  savepointStatus(jobId: string, triggerId: string): Promise<AsynchronousOperationResult> {
    return this.call("GET", `/jobs/${jobId}/savepoints/${triggerId}`);
  }
}
