import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type ScheduleSpec } from "@temporalio/client";
import { env } from "../server/env";
import { defaultPayloadConverter } from "@temporalio/common";
import {
  backfillWorkflowId, batchInstanceWorkflowId, jobScheduleId, streamSupervisorWorkflowId,
  type BackfillStatus, type BatchSchedule, type Orchestrator, type StartBackfill, type StartBatchInstance, type StartStream, type StreamRunMetrics, type StreamSupervision,
} from "../server/orchestration";
import type { StreamSupervisorInput } from "./definitions/stream-supervisor";
import type { BackfillInput, BackfillProgress } from "./definitions/backfill";
import { resolveTemporalTarget, temporalClient } from "./client";
import type { ReleasedInstance } from "../server/runs/index";
import type { BatchInstanceInput } from "./definitions/batch-instance";

// The Orchestrator port (server/orchestration.ts) on Temporal: batch instances are workflows whose ids
// are their business keys, woken by a signal when a partition they wait for becomes ready.

export interface TemporalOrchestratorOptions {
  taskQueue: string;
  /** Defaults for new instance workflows (tests shorten them). */
  waitTimeoutMs?: number;
  pollMs?: number;
  /** Clock for scheduledAt of manual starts. */
  now?: () => Date;
  /** Defaults for new stream supervisors (tests shorten them). */
  streamSupervisor?: Pick<StreamSupervisorInput, "restartBackoffMs" | "maxRestartBackoffMs" | "heartbeatTimeoutMs">;
  /** How long stopStream waits for the stream to stop (default 2 min). */
  stopWaitMs?: number;
}

export class TemporalOrchestrator implements Orchestrator {
  constructor(private readonly client: Client, private readonly opts: TemporalOrchestratorOptions) {}

  async startBatchInstance(input: StartBatchInstance): Promise<{ workflowId: string; started: boolean }> {
    const workflowId = batchInstanceWorkflowId(input.project, input.job, input.bizdate);
    const { scheduledAt, ...rest } = input;
    const args: BatchInstanceInput = {
      ...rest,
      scheduledAt: (scheduledAt ?? this.opts.now?.() ?? new Date()).toISOString(),
      ...(this.opts.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: this.opts.waitTimeoutMs }),
      ...(this.opts.pollMs === undefined ? {} : { pollMs: this.opts.pollMs }),
    };
    try {
      await this.client.workflow.start("batchInstance", { taskQueue: this.opts.taskQueue, workflowId, args: [args] });
      return { workflowId, started: true };
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
      throw e;
    }
  }

  async notifyReleased(project: string, released: readonly ReleasedInstance[]): Promise<void> {
    await Promise.all(released.map(async (r) => {
      try {
        await this.client.workflow.getHandle(batchInstanceWorkflowId(project, r.job, r.bizdate)).signal("partitionsReady");
      } catch (e) {
        // No workflow waits for it (created by hand, or closed): the next start or sensor pass finds it ready.
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      }
    }));
  }

  async cancelBatchInstance(project: string, job: string, bizdate: string): Promise<void> {
    await this.client.workflow.getHandle(batchInstanceWorkflowId(project, job, bizdate)).cancel();
  }

  async scheduleJob(project: string, job: string, schedule: BatchSchedule): Promise<void> {
    const scheduleId = jobScheduleId(project, job);
    const spec: ScheduleSpec = { cronExpressions: [schedule.cron], timezone: schedule.timezone };
    const action = { type: "startWorkflow" as const, workflowType: "scheduledBatch", taskQueue: this.opts.taskQueue, args: [{ project, job }] };
    try {
      // A firing only starts the day's instance workflow (which then waits on its own): firings never overlap.
      await this.client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      await this.client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    }
  }

  async startBackfill(input: StartBackfill): Promise<{ workflowId: string; started: boolean }> {
    const workflowId = backfillWorkflowId(input);
    const args: BackfillInput = {
      ...input,
      ...(this.opts.waitTimeoutMs === undefined ? {} : { waitTimeoutMs: this.opts.waitTimeoutMs }),
      ...(this.opts.pollMs === undefined ? {} : { pollMs: this.opts.pollMs }),
    };
    try {
      await this.client.workflow.start("backfill", { taskQueue: this.opts.taskQueue, workflowId, args: [args] });
      return { workflowId, started: true };
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
      throw e;
    }
  }

  async backfillStatus(workflowId: string): Promise<BackfillStatus> {
    const handle = this.client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name === "RUNNING") return { finished: false, ...(await handle.query<BackfillProgress>("progress")) };
    if (status.name === "COMPLETED") return { finished: true, ...((await handle.result()) as BackfillProgress) };
    return { finished: true, total: 0, done: 0, succeeded: 0, failed: 0, busy: 0, running: [], failures: [{ job: "", bizdate: "", error: `the backfill ${status.name.toLowerCase()}` }] };
  }

  async cancelBackfill(workflowId: string): Promise<void> {
    await this.client.workflow.getHandle(workflowId).cancel();
  }

  async startStream(input: StartStream): Promise<{ workflowId: string; started: boolean }> {
    const workflowId = streamSupervisorWorkflowId(input.project, input.job);
    const args: StreamSupervisorInput = { ...input, ...this.opts.streamSupervisor };
    try {
      await this.client.workflow.start("streamSupervisor", { taskQueue: this.opts.taskQueue, workflowId, args: [args] });
      return { workflowId, started: true };
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
    // Running: it stops the old version with a savepoint and resumes the new one from it.
    await this.client.workflow.getHandle(workflowId).signal("redeploy", input.version);
    return { workflowId, started: false };
  }

  async stopStream(project: string, job: string): Promise<boolean> {
    const handle = this.client.workflow.getHandle(streamSupervisorWorkflowId(project, job));
    try {
      if ((await handle.describe()).status.name !== "RUNNING") return false;
      await handle.signal("stop");
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return false;
      throw e;
    }
    // It ends once the job stopped with its savepoint; with no worker polling that waits for one, so the
    // caller is not held longer than stopWaitMs (the stop stays requested).
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.opts.stopWaitMs ?? 120_000); });
    try {
      await Promise.race([handle.result(), patience]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  }

  async streamStatus(project: string, job: string): Promise<StreamSupervision | undefined> {
    const handle = this.client.workflow.getHandle(streamSupervisorWorkflowId(project, job));
    let description;
    try {
      description = await handle.describe();
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    }
    if (description.status.name === "COMPLETED") return (await handle.result()) as StreamSupervision;
    if (description.status.name !== "RUNNING") {
      return { version: 0, state: "failed", restarts: 0, lastError: `the supervisor ${description.status.name.toLowerCase()}`, savepoint: null, metrics: null };
    }
    const supervision = await handle.query<StreamSupervision>("supervision");
    // The running job's metrics are the details of its activity's last heartbeat (not in the workflow's history).
    const details = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
    const metrics = details ? defaultPayloadConverter.fromPayload<StreamRunMetrics>(details) : null;
    return { ...supervision, metrics };
  }

  async unscheduleJob(project: string, job: string): Promise<void> {
    try {
      await this.client.schedule.getHandle(jobScheduleId(project, job)).delete();
    } catch (e) {
      if (!(e instanceof ScheduleNotFoundError)) throw e;
    }
  }
}

/**
 * The process's orchestrator on the configured Temporal (TEMPORAL_ADDRESS, or the embedded service that
 * `tandem dev` registered for the data folder), or undefined when neither is reachable.
 */
export async function configuredOrchestrator(): Promise<Orchestrator | undefined> {
  const target = resolveTemporalTarget();
  if (!target) return undefined;
  try {
    return new TemporalOrchestrator(await temporalClient({ target }), { taskQueue: env().TEMPORAL_TASK_QUEUE });
  } catch {
    return undefined;
  }
}
