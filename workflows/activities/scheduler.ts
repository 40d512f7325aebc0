import { Context } from "@temporalio/activity";
import { streamFinalForDay } from "../../server/quality/index";
import type { Database } from "../../db/client";
import type { SecretBox } from "../../server/catalog/secrets";
import type { ProjectContext, ProjectRef } from "../../server/context";
import type { EngineRegistry } from "../../server/engines/registry";
import type { OpenLineageSink } from "../../server/lineage/openlineage";
import type { Orchestrator } from "../../server/orchestration";
import { getDeployment } from "../../server/jobs/deployments";
import { getProject } from "../../server/projects/projects";
import {
  executeInstance, failWaiting, getInstance, isFinished, planBackfill, prepareBackfillDay, scheduleInstance, senseUpstreamFiles, stopInstance,
  type BackfillDay, type InstanceState, type InstanceTrigger,
} from "../../server/runs/index";
import { Bizdate, bizdateFor, type PartitionKey } from "../../server/scheduling/index";

// The batch instance workflow's activities: each loads the project and calls one server/runs operation as
// the scheduler (the `system` actor). The engine run heartbeats its progress and stops when Temporal
// cancels the activity.

export interface SchedulerDeps {
  db: Database;
  secretBox: SecretBox;
  engines: EngineRegistry;
  dataDir: string;
  orchestrator: Orchestrator;
  /** OpenLineage run events of instances and stream jobs (TANDEM_OPENLINEAGE_URL / _FILE); none: not sent. */
  openLineage?: OpenLineageSink;
}

const PROJECT_MEMORY_MS = 5_000;

export interface InstanceKey {
  project: string;
  job: string;
  /** yyyyMMdd */
  bizdate: string;
}

export interface InstanceProgress {
  state: InstanceState;
  waitingFor: PartitionKey[];
  error: string | null;
  /** Set by a file-sensor pass: some of what it waits for is external and not on disk yet (worth looking again). */
  watchesFiles?: boolean;
}

export function createSchedulerActivities(deps: SchedulerDeps | undefined) {
  const need = (): SchedulerDeps => {
    if (!deps) throw new Error("this worker was started without the scheduler's dependencies (database, engines)");
    return deps;
  };
  // Every activity names its project; a day's instances ask for the same one thousands of times in a
  // minute. A few seconds' memory spares those reads and is short enough for a deleted project to be noticed.
  const projects = new Map<string, { ref: Promise<ProjectRef>; until: number }>();
  const projectRef = (name: string): Promise<ProjectRef> => {
    const now = Date.now();
    const known = projects.get(name);
    if (known && known.until > now) return known.ref;
    const ref = getProject(need().db, name);
    projects.set(name, { ref, until: now + PROJECT_MEMORY_MS });
    ref.catch(() => projects.delete(name));
    return ref;
  };
  const context = async (project: string): Promise<ProjectContext> => {
    const d = need();
    return { db: d.db, actor: { kind: "system", reason: "scheduler" }, project: await projectRef(project) };
  };
  const ref = (k: InstanceKey) => ({ job: k.job, bizdate: Bizdate.parse(k.bizdate) });
  const progress = (i: { state: InstanceState; waitingFor: PartitionKey[]; error: string | null }): InstanceProgress => ({ state: i.state, waitingFor: i.waitingFor, error: i.error });
  const sense = async (ctx: ProjectContext, key: InstanceKey): Promise<InstanceProgress> => {
    const { released, externalMissing } = await senseUpstreamFiles(ctx, { dataDir: need().dataDir }, ref(key));
    const others = released.filter((r) => !(r.job === key.job && r.bizdate === key.bizdate));
    if (others.length > 0) await need().orchestrator.notifyReleased(key.project, others);
    return { ...progress(await getInstance(ctx, ref(key))), watchesFiles: externalMissing.length > 0 };
  };

  return {
    /** A schedule fired: start the instance of the day it stands for (the job's time zone and bizdate offset). */
    async startScheduledInstance(input: { project: string; job: string; scheduledAt: string }): Promise<{ bizdate: string; started: boolean }> {
      const ctx = await context(input.project);
      const d = await getDeployment(ctx, input.job);
      const at = new Date(input.scheduledAt);
      const bizdate = bizdateFor(at, { timezone: d.spec.batch.timezone, bizdateOffsetDays: d.spec.batch.bizdateOffsetDays }).toString();
      const r = await need().orchestrator.startBatchInstance({ project: input.project, job: input.job, bizdate, trigger: "schedule", scheduledAt: at, version: d.version });
      return { bizdate, started: r.started };
    },

    /** Creates (or finds) the instance; with the job's retry and timeout settings of its version. */
    async scheduleBatchInstance(input: InstanceKey & { trigger: InstanceTrigger; scheduledAt: string; version?: number }): Promise<InstanceProgress & { retries: number; timeoutMinutes: number }> {
      const ctx = await context(input.project);
      const instance = await scheduleInstance(ctx, { ...ref(input), trigger: input.trigger, scheduledAt: new Date(input.scheduledAt), version: input.version });
      const { spec } = await getDeployment(ctx, input.job, instance.deploymentVersion);
      return { ...progress(instance), retries: spec.batch.retries, timeoutMinutes: spec.batch.timeoutMinutes };
    },

    /**
     * Creates (or finds) the instance and, when it waits, looks once for its external partitions on disk:
     * the first step of a batch instance, run as a local activity (no task round trip of its own).
     */
    async openBatchInstance(input: InstanceKey & { trigger: InstanceTrigger; scheduledAt: string; version?: number }): Promise<InstanceProgress & { retries: number; timeoutMinutes: number }> {
      const ctx = await context(input.project);
      const instance = await scheduleInstance(ctx, { ...ref(input), trigger: input.trigger, scheduledAt: new Date(input.scheduledAt), version: input.version });
      const { spec } = await getDeployment(ctx, input.job, instance.deploymentVersion);
      const settings = { retries: spec.batch.retries, timeoutMinutes: spec.batch.timeoutMinutes };
      if (instance.state !== "waiting") return { ...progress(instance), ...settings };
      return { ...(await sense(ctx, input)), ...settings };
    },

    /** Where the instance stands (a producer's signal woke it: its partition is marked ready already). */
    async batchInstanceProgress(key: InstanceKey): Promise<InstanceProgress> {
      return progress(await getInstance(await context(key.project), ref(key)));
    },

    /** Looks for external partitions on disk, wakes whatever they released, and says where this instance is. */
    async senseBatchInstance(key: InstanceKey): Promise<InstanceProgress> {
      return sense(await context(key.project), key);
    },

    async failWaitingBatchInstance(key: InstanceKey): Promise<InstanceProgress> {
      return progress(await failWaiting(await context(key.project), ref(key)));
    },

    async runBatchInstance(key: InstanceKey): Promise<InstanceProgress> {
      const ctx = await context(key.project);
      const activity = Context.current();
      const deps = need();
      // Day D is reconciled right after its batch instance when the stream side's watermark already passed D's end.
      const streamFinal = async (job: string, bizdate: Bizdate, zone: string) =>
        streamFinalForDay((await deps.orchestrator.streamStatus(key.project, job).catch(() => undefined))?.metrics?.watermarkMs, bizdate, zone);
      const { instance, released } = await executeInstance(ctx, { ...deps, streamFinal }, ref(key), {
        onStatus: (s) => activity.heartbeat({ rowsIn: s.metrics.rowsIn, rowsOut: s.metrics.rowsOut }),
        signal: activity.cancellationSignal,
      });
      if (released.length > 0) await need().orchestrator.notifyReleased(key.project, released);
      return progress(instance);
    },

    async planBackfill(input: { project: string; job: string; from: string; to: string; downstream: boolean }): Promise<BackfillDay[]> {
      return planBackfill(await context(input.project), { job: input.job, from: Bizdate.parse(input.from), to: Bizdate.parse(input.to), downstream: input.downstream });
    },

    async prepareBackfillDay(input: BackfillDay & { project: string }): Promise<"run" | "busy"> {
      return prepareBackfillDay(await context(input.project), { job: input.job, bizdate: input.bizdate });
    },

    /** The workflow was cancelled: so is the instance, unless it already finished. */
    async cancelBatchInstance(key: InstanceKey & { reason: string }): Promise<InstanceProgress> {
      const ctx = await context(key.project);
      const current = await getInstance(ctx, ref(key));
      if (isFinished(current.state)) return progress(current);
      return progress(await stopInstance(ctx, ref(key), "cancel", key.reason));
    },
  };
}

export type SchedulerActivities = ReturnType<typeof createSchedulerActivities>;
