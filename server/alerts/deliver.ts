import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { alertChannels, alertDeliveries, alertEvents, projects } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import type { AlertKind, AlertSeverity } from "./events";
import { payloadBizdate, renderTemplate, type AlertPayload } from "./template";

// Delivery from the outbox: due deliveries are leased (so two deliverers never send one twice at once),
// POSTed with a timeout, and then marked delivered, or given another attempt after a backoff (doubling,
// capped), or given up after the last attempt. Every attempt's outcome stays in the row: the history.

export interface DeliverOptions {
  /** Default: the global fetch. Tests and proxies hand in their own. */
  fetch?: typeof fetch;
  now?: () => Date;
  /** Per POST (default 10 s). */
  timeoutMs?: number;
  /** Attempts before giving up (default 6). */
  maxAttempts?: number;
  /** The first retry's delay (default 30 s), doubled per attempt up to maxBackoffMs (default 1 h). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Deliveries per call (default 50). */
  batch?: number;
  /** Only this project's deliveries (default: every project's). */
  projectId?: string;
}

export interface DeliverResult {
  delivered: number;
  retrying: number;
  failed: number;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelayMs(attempts: number, opts: Pick<DeliverOptions, "backoffMs" | "maxBackoffMs"> = {}): number {
  const base = opts.backoffMs ?? 30_000;
  return Math.min(base * 2 ** Math.max(0, attempts - 1), opts.maxBackoffMs ?? 3_600_000);
}

async function lease(db: Database, now: Date, until: Date, batch: number, projectId: string | undefined): Promise<number[]> {
  return db.transaction(async (tx) => {
    const due = await tx.select({ id: alertDeliveries.id }).from(alertDeliveries)
      .where(and(
        eq(alertDeliveries.status, "pending"), lte(alertDeliveries.nextAttemptAt, now),
        or(isNull(alertDeliveries.leaseUntil), lt(alertDeliveries.leaseUntil, now)),
        ...(projectId ? [eq(alertDeliveries.projectId, projectId)] : []),
      ))
      .orderBy(asc(alertDeliveries.nextAttemptAt)).limit(batch).for("update", { skipLocked: true });
    const ids = due.map((d) => d.id);
    if (ids.length > 0) await tx.update(alertDeliveries).set({ leaseUntil: until }).where(inArray(alertDeliveries.id, ids));
    return ids;
  });
}

async function post(doFetch: typeof fetch, url: string, payload: AlertPayload, timeoutMs: number): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  try {
    const res = await doFetch(url, {
      method: "POST", headers: { "content-type": "application/json", "user-agent": "tandem-alerts" },
      body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs), redirect: "error",
    });
    if (res.ok) return { ok: true, status: res.status, error: null };
    const body = (await res.text().catch(() => "")).slice(0, 300);
    return { ok: false, status: res.status, error: `HTTP ${res.status}${body ? `: ${body}` : ""}` };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return { ok: false, status: null, error: timedOut ? `no answer within ${timeoutMs} ms` : e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e) };
  }
}

/** Sends what is due now, once. The worker calls it every few seconds (loop.ts). */
export async function deliverDueAlerts(db: Database, opts: DeliverOptions = {}): Promise<DeliverResult> {
  const now = (opts.now ?? (() => new Date()))();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxAttempts = opts.maxAttempts ?? 6;
  const doFetch = opts.fetch ?? fetch;
  const result: DeliverResult = { delivered: 0, retrying: 0, failed: 0 };
  const ids = await lease(db, now, new Date(now.getTime() + timeoutMs + 30_000), opts.batch ?? 50, opts.projectId);
  if (ids.length === 0) return result;
  const rows = await db.select({ delivery: alertDeliveries, event: alertEvents, channel: alertChannels, project: projects.name })
    .from(alertDeliveries)
    .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
    .innerJoin(projects, eq(projects.id, alertDeliveries.projectId))
    .leftJoin(alertChannels, eq(alertChannels.id, alertDeliveries.channelId))
    .where(inArray(alertDeliveries.id, ids)).orderBy(asc(alertDeliveries.id));
  for (const { delivery, event, channel, project } of rows) {
    const attempts = delivery.attempts + 1;
    if (!channel || !channel.enabled) {
      await db.update(alertDeliveries).set({ status: "failed", leaseUntil: null, lastError: channel ? "the channel was disabled" : "the channel was deleted" })
        .where(eq(alertDeliveries.id, delivery.id));
      result.failed++;
      continue;
    }
    const base: Omit<AlertPayload, "text"> = {
      kind: event.kind as AlertKind, severity: event.severity as AlertSeverity, project, job: event.jobName, bizdate: payloadBizdate(event.bizdate),
      rule: event.rule, reason: event.reason, key: event.key, at: event.at.toISOString(), data: event.data,
    };
    const payload: AlertPayload = channel.template ? { text: renderTemplate(channel.template, base), ...base } : base;
    const sent = await post(doFetch, channel.url, payload, timeoutMs);
    if (sent.ok) {
      await db.update(alertDeliveries).set({ status: "delivered", attempts, lastStatusCode: sent.status, deliveredAt: sql`now()`, leaseUntil: null })
        .where(eq(alertDeliveries.id, delivery.id));
      result.delivered++;
    } else if (attempts >= maxAttempts) {
      await db.update(alertDeliveries).set({ status: "failed", attempts, lastStatusCode: sent.status, lastError: `gave up after ${attempts} attempts: ${sent.error ?? ""}`, leaseUntil: null })
        .where(eq(alertDeliveries.id, delivery.id));
      result.failed++;
    } else {
      const next = new Date(now.getTime() + retryDelayMs(attempts, opts));
      await db.update(alertDeliveries).set({ attempts, lastStatusCode: sent.status, lastError: sent.error, nextAttemptAt: next, leaseUntil: null })
        .where(eq(alertDeliveries.id, delivery.id));
      result.retrying++;
    }
  }
  return result;
}

export interface AlertHistoryEntry {
  id: number;
  channel: string;
  kind: AlertKind;
  job: string;
  bizdate: string | null;
  rule: string | null;
  key: string;
  reason: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  eventAt: Date;
}

/** Sent (and still pending) alerts, newest first. */
export async function listAlertHistory(ctx: ProjectContext, input: { job?: string; limit?: number } = {}): Promise<AlertHistoryEntry[]> {
  const where = [eq(alertDeliveries.projectId, ctx.project.id), ...(input.job ? [eq(alertEvents.jobName, input.job)] : [])];
  const rows = await ctx.db.select({ d: alertDeliveries, e: alertEvents }).from(alertDeliveries)
    .innerJoin(alertEvents, eq(alertEvents.id, alertDeliveries.eventId))
    .where(and(...where)).orderBy(desc(alertDeliveries.id)).limit(Math.min(input.limit ?? 100, 1000));
  return rows.map(({ d, e }) => ({
    id: d.id, channel: d.channelName, kind: e.kind as AlertKind, job: e.jobName, bizdate: e.bizdate, rule: e.rule, key: e.key, reason: e.reason,
    status: d.status as AlertHistoryEntry["status"], attempts: d.attempts, lastStatusCode: d.lastStatusCode, lastError: d.lastError,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt : null, deliveredAt: d.deliveredAt, eventAt: e.at,
  }));
}
