import { and, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { alertChannels, alertDeliveries, alertEvents } from "../../db/schema/index";
import type { ProjectRef } from "../context";

// What can be alerted on, and emitting it. An event is recorded once per key (emitting the same key again
// does nothing), and queued in the outbox for every enabled channel that wants its kind and job, in the
// caller's transaction: the instance that failed and its alert commit together, and delivery (deliver.ts)
// happens later, apart, so a webhook that is down never fails what emitted the event.

export const ALERT_KINDS = [
  "instance_failed",
  "late_partition",
  /** A quality rule of severity `blocking` failed (server/quality emits it). */
  "quality_blocking",
  /** A quality rule of severity `warning` failed. */
  "quality_warning",
  "reconciliation_drift",
  "stream_restart",
  "stream_lag",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** How bad: the health score uses the same scale (high −5, medium −3, low −1). */
export type AlertSeverity = "high" | "medium" | "low";

export const DEFAULT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  instance_failed: "high",
  late_partition: "medium",
  quality_blocking: "high",
  quality_warning: "low",
  reconciliation_drift: "high",
  stream_restart: "medium",
  stream_lag: "medium",
};

export interface AlertEvent {
  kind: AlertKind;
  job: string;
  /** yyyyMMdd, for events about a day. */
  bizdate?: string | null;
  /** The quality rule (or other rule) that fired, when there is one. */
  rule?: string | null;
  /** One sentence a person reads in the alert. */
  reason: string;
  /** Default: DEFAULT_SEVERITY[kind]. */
  severity?: AlertSeverity;
  /** Told apart from an otherwise equal event (an attempt, a restart's number); part of the key. */
  discriminator?: string;
  /** Extra facts for the payload (table, partition, differing keys, lag...). */
  data?: Record<string, unknown>;
}

export interface EmitContext {
  db: Database | Tx;
  project: ProjectRef;
}

/** The de-duplication key: the same job, day, kind, rule (and discriminator) is one event. */
export function alertEventKey(e: AlertEvent): string {
  return [e.kind, e.job, e.bizdate ?? "-", e.rule ?? "-", ...(e.discriminator ? [e.discriminator] : [])].join("/");
}

/**
 * Records the event and queues it for the channels that want it. Returns whether it was new (false: the
 * same key was emitted before, and nothing more is sent).
 */
export async function emitAlertEvent(ctx: EmitContext, event: AlertEvent): Promise<{ key: string; created: boolean; queued: number }> {
  const key = alertEventKey(event);
  // The event and its deliveries together (a savepoint inside the caller's transaction): an event recorded
  // without its deliveries would never be sent, since its key is then taken.
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(alertEvents).values({
      projectId: ctx.project.id, key, kind: event.kind, jobName: event.job, bizdate: event.bizdate ?? null, rule: event.rule ?? null,
      severity: event.severity ?? DEFAULT_SEVERITY[event.kind], reason: event.reason, data: event.data ?? {},
    }).onConflictDoNothing().returning({ id: alertEvents.id });
    if (!row) return { key, created: false, queued: 0 };
    const channels = await tx.select({ id: alertChannels.id, name: alertChannels.name, kinds: alertChannels.kinds, jobs: alertChannels.jobs })
      .from(alertChannels).where(and(eq(alertChannels.projectId, ctx.project.id), eq(alertChannels.enabled, true)));
    const wanting = channels.filter((c) => c.kinds.includes(event.kind) && (c.jobs.length === 0 || c.jobs.includes(event.job)));
    if (wanting.length > 0) {
      await tx.insert(alertDeliveries).values(wanting.map((c) => ({ projectId: ctx.project.id, eventId: row.id, channelId: c.id, channelName: c.name })));
    }
    return { key, created: true, queued: wanting.length };
  });
}

/**
 * emitAlertEvent for callers whose own change must not fail because of it (an instance finishing): its
 * savepoint is rolled back, the failure logged, and the caller's transaction goes on.
 */
export async function emitAlertEventSafely(ctx: EmitContext, event: AlertEvent): Promise<void> {
  try {
    await emitAlertEvent(ctx, event);
  } catch (e) {
    // The driver's cause, not the query text (whose parameters are the alert's contents).
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    console.error(`[alerts] could not record the ${event.kind} alert of ${event.job}: ${why}`);
  }
}
