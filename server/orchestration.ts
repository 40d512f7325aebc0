import type { InstanceTrigger, ReleasedInstance } from "./runs/index";

// The one port through which server/ reaches the orchestrator (Temporal). Declared here, implemented in
// workflows/orchestrator.ts, handed in by whoever composes the process (the tRPC route handler, the CLI,
// the worker's activities); server/ never imports Temporal.

export interface StartBatchInstance {
  project: string;
  job: string;
  /** yyyyMMdd */
  bizdate: string;
  trigger: InstanceTrigger;
  /** The deployment version; the newest by default. */
  version?: number;
  /** When the schedule meant it for (default: now). */
  scheduledAt?: Date;
}

export interface BatchSchedule {
  /** Croner syntax: 5 fields, or 6 with seconds first. */
  cron: string;
  timezone: string;
}

export interface Orchestrator {
  /** Starts the instance workflow of a job for a day, or finds the one already running (one per job and day). */
  startBatchInstance(input: StartBatchInstance): Promise<{ workflowId: string; started: boolean }>;
  /** Wakes the workflows of instances that partitions just released (or brought closer to release). */
  notifyReleased(project: string, released: readonly ReleasedInstance[]): Promise<void>;
  /** Cancels the instance workflow of a job for a day (the instance becomes cancelled). */
  cancelBatchInstance(project: string, job: string, bizdate: string): Promise<void>;
  /** Creates or updates the job's daily schedule: each firing starts the instance of its bizdate. */
  scheduleJob(project: string, job: string, schedule: BatchSchedule): Promise<void>;
  /** Removes the job's schedule (nothing happens when there is none). */
  unscheduleJob(project: string, job: string): Promise<void>;
  /** Starts a backfill (one per job and range at a time); its progress is queryable by the returned id. */
  startBackfill(input: StartBackfill): Promise<{ workflowId: string; started: boolean }>;
  /** Where a backfill stands; `finished` once its workflow closed. */
  backfillStatus(workflowId: string): Promise<BackfillStatus>;
  cancelBackfill(workflowId: string): Promise<void>;
  /**
   * Runs the version's stream side under its supervisor (one per job): starts it, or when it already runs
   * stops it with a savepoint and resumes the new version from that savepoint.
   */
  startStream(input: StartStream): Promise<{ workflowId: string; started: boolean }>;
  /** Stops the job's stream side with a savepoint and ends its supervisor (waiting a while for it); false when none was running. */
  stopStream(project: string, job: string): Promise<boolean>;
  /** Where the job's supervised stream stands (restarts, lag, last checkpoint); undefined when none ever ran. */
  streamStatus(project: string, job: string): Promise<StreamSupervision | undefined>;
}

export interface StartStream {
  project: string;
  job: string;
  version: number;
}

export type StreamSupervisorState = "starting" | "running" | "restarting" | "stopping" | "stopped" | "failed";

/** What the stream supervisor knows: answered by its query while it runs, its result once it ended. */
export interface StreamSupervision {
  version: number;
  state: StreamSupervisorState;
  /** Starts after a failure (the first start and a redeploy's resume are not restarts). */
  restarts: number;
  lastError: string | null;
  /** The savepoint of the last stop (redeploy or undeploy). */
  savepoint: string | null;
  /** From the running engine job's last heartbeat. */
  metrics: StreamRunMetrics | null;
}

export interface StreamRunMetrics {
  rowsIn: number;
  rowsOut: number;
  lag: number | null;
  lagUnit: string | null;
  /** The job's event-time watermark (epoch ms), when the engine reports one: day D is final once it passes D's end. */
  watermarkMs?: number | null;
  lastCheckpoint: { id: string; at: string } | null;
}

export function streamSupervisorWorkflowId(project: string, job: string): string {
  return `stream/${project}/${job}`;
}

export interface StartBackfill {
  project: string;
  job: string;
  /** yyyyMMdd, both included. */
  from: string;
  to: string;
  downstream: boolean;
  concurrency: number;
}

export interface BackfillStatus {
  finished: boolean;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  busy: number;
  running: string[];
  failures: { job: string; bizdate: string; error: string }[];
}

export function backfillWorkflowId(input: Pick<StartBackfill, "project" | "job" | "from" | "to">): string {
  return `backfill/${input.project}/${input.job}/${input.from}-${input.to}`;
}

export function jobScheduleId(project: string, job: string): string {
  return `schedule/${project}/${job}`;
}

/** Workflow ids derive from business keys, so one job and day never runs twice at once. */
export function batchInstanceWorkflowId(project: string, job: string, bizdate: string): string {
  return `batch/${project}/${job}/${bizdate}`;
}
