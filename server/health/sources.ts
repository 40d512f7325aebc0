import { and, desc, eq, gte, inArray } from "drizzle-orm";
import { alertEvents, batchInstances } from "../../db/schema/index";
import { DEFAULT_LATE_AFTER_MINUTES, lagThresholdOf } from "../alerts/checks";
import type { ProjectContext } from "../context";
import type { StreamSupervision } from "../orchestration";
import { Bizdate } from "../scheduling/index";
import type { FindingTarget, HealthFinding, Risk } from "./score";

// Where findings come from. Each source reads one thing (the instances, the stream supervisor, recorded
// events) and says what it found; DEFAULT_HEALTH_SOURCES lists them. A new kind of check (the quality rules'
// own results, for instance) is one more HealthSource in that list.

export interface HealthInput {
  ctx: ProjectContext;
  job: string;
  now: Date;
  /** The supervised stream's state; undefined when the job has no stream side running or no orchestrator answered. */
  stream: StreamSupervision | undefined;
  /** How far back to look at batch days (default 7 days) and at events (24 hours). */
  batchWindowDays: number;
  eventWindowHours: number;
}

export interface HealthSource {
  name: string;
  findings(input: HealthInput): Promise<HealthFinding[]>;
}

const day = (bizdate: string) => {
  try {
    return Bizdate.parse(bizdate).format("yyyy-MM-dd");
  } catch {
    return bizdate;
  }
};
const hoursBetween = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 360_000) / 10;

/** Failed days, and days that were (or are) late, in the batch window. */
export const instancesSource: HealthSource = {
  name: "instances",
  async findings({ ctx, job, now, batchWindowDays }) {
    const since = new Date(now.getTime() - batchWindowDays * 86_400_000);
    const rows = await ctx.db.select().from(batchInstances)
      .where(and(eq(batchInstances.projectId, ctx.project.id), eq(batchInstances.jobName, job), gte(batchInstances.scheduledAt, since)))
      .orderBy(desc(batchInstances.bizdate)).limit(500);
    const out: HealthFinding[] = [];
    const lateAfterMs = DEFAULT_LATE_AFTER_MINUTES * 60_000;
    for (const r of rows) {
      const d = day(r.bizdate);
      const ref = `--job ${job} --bizdate ${d}`;
      const target: FindingTarget = { kind: "instance", job, bizdate: r.bizdate };
      if (r.state === "failed") {
        out.push({
          source: "instances", code: "instance_failed", risk: "high", at: r.endedAt ?? r.updatedAt, target,
          message: `${d} failed (attempt ${r.attempt}): ${(r.error ?? "no error recorded").slice(0, 300)}`,
          action: `Look at the failed instance's log: tandem logs ${ref}; fix the cause, then tandem rerun ${ref}`,
        });
      } else if (["waiting", "queued", "running"].includes(r.state) && now.getTime() - r.scheduledAt.getTime() > lateAfterMs) {
        const what = r.state === "waiting" && r.waitingFor.length > 0 ? `waiting for ${r.waitingFor.map((k) => `${k.table}/${k.partition}`).join(", ")}` : r.state;
        out.push({
          source: "instances", code: "instance_late", risk: "medium", at: r.scheduledAt, target,
          message: `${d} is ${hoursBetween(r.scheduledAt, now)} h past its schedule and still ${what}`,
          action: r.state === "waiting"
            ? `See what it waits for: tandem logs ${ref}; when the upstream data is there, tandem mark-ready --table ${r.waitingFor[0]?.table ?? "<table>"} --partition ${r.waitingFor[0] ? day(r.waitingFor[0].partition) : d}`
            : `Look at the instance: tandem logs ${ref}`,
        });
      } else if (r.state === "succeeded" && r.endedAt && r.endedAt.getTime() - r.scheduledAt.getTime() > lateAfterMs) {
        out.push({
          source: "instances", code: "instance_late", risk: "low", at: r.endedAt, target,
          message: `${d} succeeded ${hoursBetween(r.scheduledAt, r.endedAt)} h after its schedule`,
          action: `See where the time went (waiting or running): tandem logs ${ref}`,
        });
      }
    }
    return out;
  },
};

/** The supervised stream: restarts in the last hours, a failed supervisor, lag above the threshold, no checkpoint. */
export const streamSource: HealthSource = {
  name: "stream",
  async findings({ ctx, job, now, stream, eventWindowHours }) {
    const out: HealthFinding[] = [];
    const since = new Date(now.getTime() - eventWindowHours * 3_600_000);
    // Restarts are recorded as stream_restart events (the supervisor's count is since its start, not per day).
    const restarts = await ctx.db.select({ at: alertEvents.at, reason: alertEvents.reason }).from(alertEvents)
      .where(and(eq(alertEvents.projectId, ctx.project.id), eq(alertEvents.jobName, job), eq(alertEvents.kind, "stream_restart"), gte(alertEvents.at, since)))
      .orderBy(desc(alertEvents.at));
    if (restarts.length > 0) {
      const last = restarts[0];
      out.push({
        source: "stream", code: "stream_restarts", risk: restarts.length >= 3 ? "high" : "medium", at: last?.at, target: { kind: "job", job },
        message: `the stream side restarted ${restarts.length} time${restarts.length === 1 ? "" : "s"} in the last ${eventWindowHours} h; last: ${last?.reason ?? ""}`,
        action: "Read the last error (the job page, or the API's jobs.streamStatus) and fix its cause; each restart replays from the last checkpoint",
      });
    }
    if (!stream) return out;
    if (stream.state === "failed") {
      out.push({
        source: "stream", code: "stream_failed", risk: "high", target: { kind: "job", job },
        message: `the stream side is not running: ${stream.lastError ?? "its supervisor failed"}`,
        action: `Fix the cause and deploy again: tandem deploy --job ${job}`,
      });
    }
    const m = stream.metrics;
    if (stream.state === "running" && m) {
      const threshold = await lagThresholdOf(ctx, job);
      if (m.lag !== null && m.lag > threshold) {
        out.push({
          source: "stream", code: "stream_lag", risk: "medium", target: { kind: "job", job },
          message: `the stream side lags ${m.lag}${m.lagUnit ? ` ${m.lagUnit}` : ""} behind its sources (threshold ${threshold})`,
          action: `Give the job more parallelism or resources, or look for a slow sink; the lag should fall once it keeps up`,
        });
      }
      const checkpointAge = m.lastCheckpoint ? now.getTime() - Date.parse(m.lastCheckpoint.at) : null;
      if (checkpointAge === null || checkpointAge > NO_CHECKPOINT_AFTER_MS) {
        out.push({
          source: "stream", code: "no_checkpoint", risk: "medium", target: { kind: "job", job },
          message: checkpointAge === null ? "the running stream side has taken no checkpoint" : `the last checkpoint is ${Math.round(checkpointAge / 60_000)} min old`,
          action: "Check the job's checkpoint settings and the state backend's storage: a restart now would replay everything since the last checkpoint",
        });
      }
    }
    return out;
  },
};

/** A running stream without a checkpoint for this long is a finding. */
export const NO_CHECKPOINT_AFTER_MS = 10 * 60_000;

/**
 * Findings from recorded alert events of the given kinds (in the event window): how quality results and
 * reconciliation drift reach the score, whatever emitted them (emitAlertEvent in server/alerts).
 */
export function eventsSource(name: string, kinds: Record<string, { risk: Risk; action: (e: { job: string; bizdate: string | null; rule: string | null }) => string }>): HealthSource {
  return {
    name,
    async findings({ ctx, job, now, eventWindowHours }) {
      const since = new Date(now.getTime() - eventWindowHours * 3_600_000);
      const rows = await ctx.db.select().from(alertEvents)
        .where(and(eq(alertEvents.projectId, ctx.project.id), eq(alertEvents.jobName, job), inArray(alertEvents.kind, Object.keys(kinds)), gte(alertEvents.at, since)))
        .orderBy(desc(alertEvents.at)).limit(200);
      return rows.flatMap((r) => {
        const k = kinds[r.kind];
        if (!k) return [];
        return [{ source: name, code: r.kind, risk: k.risk, at: r.at, message: r.reason, action: k.action({ job: r.jobName, bizdate: r.bizdate ? day(r.bizdate) : null, rule: r.rule }), target: targetOf(r) }];
      });
    },
  };
}

/** A quality event names its table and partition in its data; else the job's day. */
function targetOf(r: { jobName: string; bizdate: string | null; rule: string | null; data: unknown }): FindingTarget {
  const data = typeof r.data === "object" && r.data !== null ? (r.data as { table?: unknown; partition?: unknown }) : {};
  if (typeof data.table === "string") {
    return { kind: "quality", table: data.table, ...(typeof data.partition === "string" ? { partition: data.partition } : {}), ...(r.rule ? { rule: r.rule } : {}) };
  }
  return r.bizdate ? { kind: "instance", job: r.jobName, bizdate: r.bizdate } : { kind: "job", job: r.jobName };
}

export const qualitySource = eventsSource("quality", {
  quality_blocking: { risk: "high", action: (e) => `Look at the failed rule${e.rule ? ` '${e.rule}'` : ""}'s result and offending rows, fix the data upstream, then tandem rerun --job ${e.job} --bizdate ${e.bizdate ?? "<day>"}` },
  quality_warning: { risk: "low", action: (e) => `Look at the rule${e.rule ? ` '${e.rule}'` : ""}'s result for ${e.bizdate ?? "the day"}; tighten or fix the data before it becomes blocking` },
});

export const reconciliationSource = eventsSource("reconciliation", {
  reconciliation_drift: { risk: "high", action: (e) => `Compare the differing keys of ${e.bizdate ?? "the day"} between the stream and the batch sink; the batch result is the exact one` },
});

/** The sources every health check reads; add one here to score a new kind of finding. */
export const DEFAULT_HEALTH_SOURCES: readonly HealthSource[] = [instancesSource, streamSource, qualitySource, reconciliationSource];
