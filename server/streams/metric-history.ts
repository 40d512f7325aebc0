import { and, asc, eq, gte, lt } from "drizzle-orm";
import { streamMetricSamples } from "../../db/schema";
import type { ProjectContext } from "../context";
import type { StreamRunMetrics } from "../orchestration";

// A stream side's metrics over time. The supervisor's activity records a sample every SAMPLE_EVERY_MS while
// the job runs; samples older than RETAIN_MS are pruned as new ones arrive (at most once per PRUNE_EVERY_MS
// per job, so pruning costs nothing per sample). Throughput is derived from consecutive samples' row counters.

export const SAMPLE_EVERY_MS = 10_000;
export const RETAIN_MS = 48 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
const prunedAt = new Map<string, number>();

export async function recordStreamSample(ctx: ProjectContext, job: string, version: number, m: StreamRunMetrics, at = new Date()): Promise<void> {
  await ctx.db.insert(streamMetricSamples).values({ projectId: ctx.project.id, job, version, at, rowsIn: m.rowsIn, rowsOut: m.rowsOut, lag: m.lag, lagUnit: m.lagUnit });
  const key = `${ctx.project.id}/${job}`;
  if (at.getTime() - (prunedAt.get(key) ?? 0) < PRUNE_EVERY_MS) return;
  prunedAt.set(key, at.getTime());
  await ctx.db.delete(streamMetricSamples).where(and(eq(streamMetricSamples.projectId, ctx.project.id), eq(streamMetricSamples.job, job), lt(streamMetricSamples.at, new Date(at.getTime() - RETAIN_MS))));
}

export interface StreamHistoryPoint {
  at: Date;
  version: number;
  lag: number | null;
  lagUnit: string | null;
  rowsOut: number;
  /** Rows in per second since the previous sample of the same run; null for a run's first sample or after a restart reset the counters. */
  inPerSecond: number | null;
  outPerSecond: number | null;
}

/** The job's samples over the last `minutes` (oldest first), with throughput between consecutive samples. */
export async function streamHistory(ctx: ProjectContext, job: string, minutes: number, now = new Date()): Promise<StreamHistoryPoint[]> {
  const rows = await ctx.db.select().from(streamMetricSamples)
    .where(and(eq(streamMetricSamples.projectId, ctx.project.id), eq(streamMetricSamples.job, job), gte(streamMetricSamples.at, new Date(now.getTime() - minutes * 60_000))))
    .orderBy(asc(streamMetricSamples.at), asc(streamMetricSamples.id))
    .limit(20_000);
  return rows.map((r, i) => {
    const prev = rows[i - 1];
    const seconds = prev ? (r.at.getTime() - prev.at.getTime()) / 1000 : 0;
    // A restart or a new version starts its counters again: no rate across that boundary.
    const comparable = prev !== undefined && prev.version === r.version && seconds > 0 && r.rowsIn >= prev.rowsIn && r.rowsOut >= prev.rowsOut;
    return {
      at: r.at, version: r.version, lag: r.lag, lagUnit: r.lagUnit, rowsOut: r.rowsOut,
      inPerSecond: comparable ? (r.rowsIn - prev.rowsIn) / seconds : null,
      outPerSecond: comparable ? (r.rowsOut - prev.rowsOut) / seconds : null,
    };
  });
}
