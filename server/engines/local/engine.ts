import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  JobAlreadyRunningError, MissingPartitionError, UnknownJobError, UnsupportedJobError,
  type Engine, type EngineJobMetrics, type EngineJobStatus, type PhysicalJobSubmission,
} from "../engine";
import { checkBatchJob, runBatchJob, type BatchRunResult } from "./batch";
import { restoreSavepoint, StreamRunner, UnsupportedStreamJob, type MicroBatchMetrics } from "./stream";
import type { SinkEnv } from "./sinks";

// The embedded engine: batch jobs run to completion in this process; stream jobs run their
// micro-batch loop here until cancelled or stopped with a savepoint. A stream job's state lives in
// <dataDir>/engines/local/<job>/state.duckdb, so a restarted process resumes where the last commit was.

export interface LocalEngineOptions {
  /** Tandem's data dir: stream state and savepoints go under <dataDir>/engines/local. */
  dataDir: string;
  env: SinkEnv;
  maxBatchRows?: number;
  /** Stream jobs: stop when the input is drained (one-shot runs, tests) instead of polling forever. */
  stopWhenIdle?: boolean;
  onBatch?: (job: string, m: MicroBatchMetrics) => void;
}

interface Entry {
  status: EngineJobStatus;
  done: Promise<void>;
  abort?: AbortController;
  runner?: StreamRunner;
  recent: MicroBatchMetrics[];
  savepointDir?: string;
  savepoint?: string;
  stopWithSavepoint?: boolean;
}

export class LocalEngine implements Engine {
  readonly kind = "local" as const;
  private readonly jobs = new Map<string, Entry>();

  constructor(private readonly opts: LocalEngineOptions) {}

  /** Where a stream job keeps its state. */
  stateDir(job: string): string {
    return path.join(this.opts.dataDir, "engines", "local", job.replace(/[^A-Za-z0-9_-]/g, "_"));
  }

  /** Forgets a stream job's state (its offsets and aggregates): the next run starts fresh. */
  resetStreamState(job: string): void {
    fs.rmSync(path.join(this.stateDir(job), "state.duckdb"), { force: true });
    fs.rmSync(path.join(this.stateDir(job), "state.duckdb.wal"), { force: true });
  }

  async submit(sub: PhysicalJobSubmission): Promise<{ id: string }> {
    return this.start(sub);
  }

  async resume(sub: PhysicalJobSubmission, savepoint: string): Promise<{ id: string }> {
    if (sub.side !== "stream") throw new UnsupportedJobError("only stream jobs resume from a savepoint");
    const running = [...this.jobs.values()].find((e) => e.status.job === sub.job && e.status.side === "stream" && e.status.state === "running");
    if (running) throw new JobAlreadyRunningError(`stream job '${sub.job}' is running (${running.status.id}); stop it first`);
    restoreSavepoint(this.stateDir(sub.job), savepoint);
    return this.start(sub);
  }

  private async start(sub: PhysicalJobSubmission): Promise<{ id: string }> {
    const plan = sub.local;
    if (!plan) throw new UnsupportedJobError(`job '${sub.job}' (${sub.side}) has no local plan; translate it with local scripts`);
    if (plan.kind !== sub.side) throw new UnsupportedJobError(`job '${sub.job}': a ${plan.kind} plan was submitted as the ${sub.side} side`);
    const id = `${sub.job}:${sub.side}${sub.bizdate && sub.side === "batch" ? `:${sub.bizdate}` : ""}:${crypto.randomBytes(3).toString("hex")}`;
    const status: EngineJobStatus = {
      id, engine: "local", job: sub.job, side: sub.side, state: "running", startedAt: new Date().toISOString(), metrics: { rowsIn: 0, rowsOut: 0 },
    };
    if (plan.kind === "batch") {
      const problems = checkBatchJob(plan);
      if (problems.length) throw new UnsupportedJobError(`cannot run '${sub.job}' on the local engine:\n  ${problems.join("\n  ")}`);
      const entry: Entry = { status, recent: [], done: Promise.resolve() };
      entry.done = runBatchJob(plan, this.opts.env).then(
        (r) => this.finishBatch(entry, r),
        (e: unknown) => this.fail(entry, e),
      );
      this.jobs.set(id, entry);
      return { id };
    }
    if ([...this.jobs.values()].some((e) => e.status.job === sub.job && e.status.side === "stream" && e.status.state === "running")) {
      throw new JobAlreadyRunningError(`stream job '${sub.job}' is already running on this engine`);
    }
    const entry: Entry = { status, recent: [], done: Promise.resolve(), abort: new AbortController() };
    let runner: StreamRunner;
    try {
      runner = await StreamRunner.open(plan, {
        jobId: sub.job, stateDir: this.stateDir(sub.job), env: this.opts.env, maxBatchRows: this.opts.maxBatchRows,
        onBatch: (m) => {
          entry.recent.push(m);
          if (entry.recent.length > 20) entry.recent.shift();
          this.opts.onBatch?.(sub.job, m);
        },
      });
    } catch (e) {
      if (e instanceof UnsupportedStreamJob) throw new UnsupportedJobError(e.message);
      throw e;
    }
    entry.runner = runner;
    entry.done = this.loop(entry, runner).then(
      () => undefined,
      (e: unknown) => this.fail(entry, e),
    );
    this.jobs.set(id, entry);
    return { id };
  }

  private async loop(entry: Entry, runner: StreamRunner): Promise<void> {
    const signal = entry.abort?.signal;
    try {
      if (this.opts.stopWhenIdle) {
        while (!signal?.aborted && (await runner.step())) { /* drain */ }
      } else {
        await runner.run(signal);
      }
      if (entry.stopWithSavepoint && entry.savepointDir) entry.savepoint = await runner.savepoint(entry.savepointDir);
      this.snapshot(entry);
    } finally {
      await runner.close();
    }
    if (entry.status.state === "running") {
      entry.status.state = entry.stopWithSavepoint ? "stopped" : signal?.aborted ? "cancelled" : "finished";
      entry.status.endedAt = new Date().toISOString();
    }
  }

  private finishBatch(entry: Entry, r: BatchRunResult): void {
    entry.status.metrics = {
      rowsIn: r.rowsIn, rowsOut: r.rowsOut,
      throughputPerSec: r.durationMs > 0 ? Math.round((r.rowsIn / r.durationMs) * 1000) : undefined,
      scans: r.scans.map((s) => ({ source: s.source, files: s.files.length, partitionsRead: s.partitionsRead, partitionsMissing: s.partitionsMissing })),
    };
    entry.status.state = "finished";
    entry.status.endedAt = new Date().toISOString();
  }

  private fail(entry: Entry, e: unknown): void {
    entry.status.state = "failed";
    entry.status.error = e instanceof Error ? e.message : String(e);
    if (e instanceof MissingPartitionError) entry.status.missingPartitions = e.missing;
    entry.status.endedAt = new Date().toISOString();
  }

  /** Copies the runner's live counters into the status. */
  private snapshot(entry: Entry): void {
    const r = entry.runner;
    if (!r) return;
    const recent = entry.recent;
    const first = recent[0];
    const last = recent[recent.length - 1];
    const rows = recent.reduce((a, m) => a + m.rowsIn, 0);
    const span = first && last ? (last.at - first.at) + first.durationMs : 0;
    const m: EngineJobMetrics = {
      rowsIn: r.totals.rowsIn,
      rowsOut: r.totals.rowsOut,
      lag: r.backlog(),
      lagUnit: entry.runner?.job.sources.find((x) => x.role === "scan")?.table.connection.type === "datagen" ? "rows" : "bytes",
      throughputPerSec: span > 0 ? Math.round((rows / span) * 1000) : undefined,
      watermarkMs: r.position.watermarkMs,
      lastCheckpoint: last ? { id: String(r.position.batchId), at: new Date(last.at).toISOString(), position: r.position.offsets } : undefined,
    };
    entry.status.metrics = m;
  }

  private entry(id: string): Entry {
    const e = this.jobs.get(id);
    if (!e) throw new UnknownJobError(id);
    return e;
  }

  async status(id: string): Promise<EngineJobStatus> {
    const e = this.entry(id);
    if (e.status.state === "running") this.snapshot(e);
    return structuredClone(e.status);
  }

  async wait(id: string, opts: { timeoutMs?: number } = {}): Promise<EngineJobStatus> {
    const e = this.entry(id);
    if (opts.timeoutMs === undefined) await e.done;
    else await Promise.race([e.done, new Promise((r) => setTimeout(r, opts.timeoutMs))]);
    return this.status(id);
  }

  async cancel(id: string): Promise<void> {
    const e = this.entry(id);
    if (e.status.state !== "running") return;
    if (!e.abort) throw new UnsupportedJobError("a running local batch job cannot be cancelled halfway; its partition is replaced atomically when it ends");
    e.abort.abort();
    await e.done;
  }

  async stopWithSavepoint(id: string, opts: { targetDirectory?: string } = {}): Promise<{ savepoint: string }> {
    const e = this.entry(id);
    if (e.status.side !== "stream" || !e.abort) throw new UnsupportedJobError("only stream jobs stop with a savepoint");
    if (e.status.state !== "running") throw new UnsupportedJobError(`job ${id} is ${e.status.state}`);
    e.stopWithSavepoint = true;
    e.savepointDir = opts.targetDirectory ?? path.join(this.stateDir(e.status.job), "savepoints");
    e.abort.abort();
    await e.done;
    if (!e.savepoint) throw new Error(`job ${id} stopped without a savepoint: ${e.status.error ?? "unknown error"}`);
    return { savepoint: e.savepoint };
  }

  async close(): Promise<void> {
    for (const e of this.jobs.values()) {
      e.abort?.abort();
      await e.done;
    }
  }
}
