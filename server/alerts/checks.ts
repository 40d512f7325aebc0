import { and, eq, inArray, isNotNull, lt } from "drizzle-orm";
import { alertChannels, batchInstances } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import type { StreamRunMetrics } from "../orchestration";
import { partitionKeyText } from "../scheduling/index";
import { emitAlertEvent, type EmitContext } from "./events";

// Checks that find events nobody emits as they happen: a day whose output is late (its instance has not
// succeeded some time after its schedule) and a stream whose lag is above its threshold. The worker runs
// the late check every few minutes (loop.ts); the stream activity checks lag from its heartbeats.

/** A day is late when its instance has not succeeded this long after its schedule (default). */
export const DEFAULT_LATE_AFTER_MINUTES = 120;
/** Lag above this (in the engine's unit: rows, bytes, records or ms) is alerted when a channel sets none. */
export const DEFAULT_LAG_THRESHOLD = 100_000;

const UNFINISHED = ["waiting", "queued", "running"];

/**
 * Emits `late_partition` for every unfinished instance whose schedule is more than `lateAfterMinutes` ago:
 * its output partitions are not ready when expected. Once per instance attempt (the key).
 */
export async function checkLatePartitions(ctx: ProjectContext, opts: { now?: Date; lateAfterMinutes?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const lateAfter = opts.lateAfterMinutes ?? DEFAULT_LATE_AFTER_MINUTES;
  const rows = await ctx.db.select().from(batchInstances).where(and(
    eq(batchInstances.projectId, ctx.project.id), inArray(batchInstances.state, UNFINISHED),
    lt(batchInstances.scheduledAt, new Date(now.getTime() - lateAfter * 60_000)),
  ));
  let emitted = 0;
  for (const r of rows) {
    const hours = Math.round((now.getTime() - r.scheduledAt.getTime()) / 360_000) / 10;
    const why = r.state === "waiting" && r.waitingFor.length > 0 ? `still waiting for ${r.waitingFor.map(partitionKeyText).join(", ")}` : `still ${r.state}`;
    const e = await emitAlertEvent(ctx, {
      kind: "late_partition", job: r.jobName, bizdate: r.bizdate, discriminator: `attempt-${r.attempt}`,
      reason: `the output of ${r.jobName} for ${r.bizdate} is not ready ${hours} h after its schedule (${r.scheduledAt.toISOString()}): ${why}`,
      data: { state: r.state, waitingFor: r.waitingFor, scheduledAt: r.scheduledAt.toISOString(), lateAfterMinutes: lateAfter },
    });
    if (e.created) emitted++;
  }
  return emitted;
}

/** The lag threshold of a job: the lowest one set by a channel that wants stream_lag for it, else the default. */
export async function lagThresholdOf(ctx: EmitContext, job: string): Promise<number> {
  const rows = await ctx.db.select({ kinds: alertChannels.kinds, jobs: alertChannels.jobs, threshold: alertChannels.lagThreshold }).from(alertChannels)
    .where(and(eq(alertChannels.projectId, ctx.project.id), eq(alertChannels.enabled, true), isNotNull(alertChannels.lagThreshold)));
  const set = rows.filter((r) => r.kinds.includes("stream_lag") && (r.jobs.length === 0 || r.jobs.includes(job))).map((r) => r.threshold ?? DEFAULT_LAG_THRESHOLD);
  return set.length > 0 ? Math.min(...set) : DEFAULT_LAG_THRESHOLD;
}

/** Emits `stream_lag` when the heartbeat's lag is above the job's threshold (at most once an hour per job). */
export async function checkStreamLag(ctx: EmitContext, job: string, metrics: StreamRunMetrics, now = new Date()): Promise<boolean> {
  if (metrics.lag === null) return false;
  const threshold = await lagThresholdOf(ctx, job);
  if (metrics.lag <= threshold) return false;
  const unit = metrics.lagUnit ?? "";
  const e = await emitAlertEvent(ctx, {
    kind: "stream_lag", job, discriminator: now.toISOString().slice(0, 13),
    reason: `the stream side of ${job} lags ${metrics.lag} ${unit} behind its sources (threshold ${threshold})`.replace("  ", " "),
    data: { lag: metrics.lag, lagUnit: metrics.lagUnit, threshold },
  });
  return e.created;
}
