import type { LocalJob } from "./local/plan";

// One interface for every engine: submit a physical job (the stream or the batch side of a Tandem job),
// read its status and metrics, cancel it, and for stream jobs stop with a savepoint and resume from one.
// `local` runs DuckDB in this process; `flink` talks to a Flink SQL Gateway and the Flink REST API.

export type EngineKind = "local" | "flink";
export type JobSide = "stream" | "batch";
export type EngineJobState = "running" | "finished" | "failed" | "cancelled" | "stopped";

export interface PhysicalJobSubmission {
  /** Tandem job name. */
  job: string;
  side: JobSide;
  /** The bizdate the script was translated for (batch: the partition). */
  bizdate?: string;
  /** The side's Flink SQL script (SET lines, DDL, views, statements): what the flink engine runs. */
  flinkScript?: string;
  /** The side's local plan: what the local engine runs. */
  local?: LocalJob;
}

export interface EngineJobMetrics {
  rowsIn: number;
  rowsOut: number;
  /** Input not yet processed (local: bytes of the topic files or datagen rows; flink: as reported). */
  lag?: number;
  lagUnit?: "bytes" | "rows" | "records" | "ms";
  /** Input rows per second over the recent micro-batches (or as Flink reports it). */
  throughputPerSec?: number;
  /** Stream: the last committed checkpoint — micro-batch id, when, source position. */
  lastCheckpoint?: { id: string; at: string; position?: unknown };
  /** Event-time watermark (epoch ms) of stream jobs. */
  watermarkMs?: number | null;
  /** Batch: files and partitions read (pruning is visible here). */
  scans?: { source: string; files: number; partitionsRead: string[]; partitionsMissing: string[] }[];
}

export interface EngineJobStatus {
  id: string;
  engine: EngineKind;
  job: string;
  side: JobSide;
  state: EngineJobState;
  error?: string;
  /** Batch: the job failed because these input partitions do not exist (the scheduler may wait for them). */
  missingPartitions?: MissingPartition[];
  startedAt: string;
  endedAt?: string;
  metrics: EngineJobMetrics;
  /** The engine's own id (Flink job id) when it differs from ours. */
  engineJobId?: string;
}

export interface Engine {
  readonly kind: EngineKind;
  /** Starts a job; constructs the engine cannot run are rejected here, with a message. */
  submit(job: PhysicalJobSubmission): Promise<{ id: string }>;
  status(id: string): Promise<EngineJobStatus>;
  /** Resolves when the job is no longer running (batch: finished or failed). */
  wait(id: string, opts?: { timeoutMs?: number }): Promise<EngineJobStatus>;
  cancel(id: string): Promise<void>;
  /** Stream jobs: stops after a consistent point and returns where the savepoint is. */
  stopWithSavepoint(id: string, opts?: { targetDirectory?: string }): Promise<{ savepoint: string }>;
  /** Stream jobs: starts the job again from a savepoint. */
  resume(job: PhysicalJobSubmission, savepoint: string): Promise<{ id: string }>;
  close(): Promise<void>;
}

export class EngineError extends Error {}
/** The job uses something this engine cannot run; raised at submit. */
export class UnsupportedJobError extends EngineError {}
/** The stream job already runs on this engine (an earlier run not yet stopped): trying again later may work. */
export class JobAlreadyRunningError extends EngineError {}
export interface MissingPartition {
  /** The physical table. */
  table: string;
  column: string;
  values: string[];
}

/** A batch job's input partition does not exist: the run fails instead of writing an empty result. */
export class MissingPartitionError extends EngineError {
  constructor(readonly job: string, readonly missing: MissingPartition[]) {
    super(`job '${job}' cannot run: ${missing.map((m) => `partition ${m.values.map((v) => `${m.column}=${v}`).join(", ")} of table '${m.table}'`).join("; ")} does not exist`);
  }
}

export class UnknownJobError extends EngineError {
  constructor(id: string) {
    super(`no job '${id}' on this engine`);
  }
}
