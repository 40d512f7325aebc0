import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { alertChannels } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import { Name } from "../catalog/schemas";
import type { ProjectContext } from "../context";
import { NotFoundError, ValidationError, type Issue } from "../errors";
import { ALERT_KINDS, type AlertKind } from "./events";
import { templateProblems } from "./template";

// A project's alert channels: where alerts go (a webhook URL, optionally with a text template) and which
// kinds of events (and jobs) each wants. Managed through the API (alerts.*), audited; not in the project
// file yet.

export const AlertChannelInput = z.object({
  name: Name,
  url: z.string().max(2000),
  template: z.string().max(4000).nullish(),
  kinds: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length),
  jobs: z.array(Name).max(500).default([]),
  lagThreshold: z.number().int().min(1).nullish(),
  enabled: z.boolean().default(true),
});
export type AlertChannelInput = z.input<typeof AlertChannelInput>;

export interface AlertChannel {
  id: string;
  name: string;
  /** Scheme, host and port; the path and query (which may hold a token) masked. */
  url: string;
  template: string | null;
  kinds: AlertKind[];
  jobs: string[];
  lagThreshold: number | null;
  enabled: boolean;
  updatedAt: Date;
}

/** The URL without what may be a secret: IM webhooks put their token in the path or the query. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === "/" && !u.search ? `${u.origin}/` : `${u.origin}/…`;
  } catch {
    return "…";
  }
}

/** Every problem of a channel, by field, in one error (a bad URL, an unknown kind, a wrong template). */
export function parseAlertChannel(input: unknown): z.output<typeof AlertChannelInput> {
  const parsed = AlertChannelInput.safeParse(input);
  const issues: Issue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join(".") || "channel", message: i.message }));
  if (parsed.success) {
    const c = parsed.data;
    let url: URL | undefined;
    try {
      url = new URL(c.url);
    } catch {
      issues.push({ path: "url", message: `'${c.url.slice(0, 100)}' is not a URL; give the webhook's http:// or https:// address` });
    }
    if (url && url.protocol !== "http:" && url.protocol !== "https:") issues.push({ path: "url", message: `must be an http:// or https:// address, not ${url.protocol}` });
    if (c.kinds.length === 0) issues.push({ path: "kinds", message: `name at least one kind of event: ${ALERT_KINDS.join(", ")}` });
    for (const p of c.template ? templateProblems(c.template) : []) issues.push({ path: "template", message: p });
  }
  if (issues.length > 0 || !parsed.success) {
    const name = typeof input === "object" && input !== null && typeof (input as { name?: unknown }).name === "string" ? (input as { name: string }).name : "";
    throw new ValidationError(issues, `alert channel${name ? ` '${name}'` : ""} is not valid:\n  ${issues.map((i) => `${i.path}: ${i.message}`).join("\n  ")}`);
  }
  return parsed.data;
}

type Row = typeof alertChannels.$inferSelect;
function toChannel(r: Row): AlertChannel {
  return {
    id: r.id, name: r.name, url: maskUrl(r.url), template: r.template, kinds: r.kinds as AlertKind[], jobs: r.jobs,
    lagThreshold: r.lagThreshold, enabled: r.enabled, updatedAt: r.updatedAt,
  };
}

export async function listAlertChannels(ctx: ProjectContext): Promise<AlertChannel[]> {
  const rows = await ctx.db.select().from(alertChannels).where(eq(alertChannels.projectId, ctx.project.id)).orderBy(asc(alertChannels.name));
  return rows.map(toChannel);
}

/** Creates the channel, or replaces the one of the same name. */
export async function upsertAlertChannel(ctx: ProjectContext, input: unknown): Promise<{ channel: AlertChannel; created: boolean }> {
  const c = parseAlertChannel(input);
  return ctx.db.transaction(async (tx) => {
    const values = { url: c.url, template: c.template ?? null, kinds: c.kinds, jobs: c.jobs, lagThreshold: c.lagThreshold ?? null, enabled: c.enabled };
    const [existing] = await tx.select({ id: alertChannels.id }).from(alertChannels)
      .where(and(eq(alertChannels.projectId, ctx.project.id), eq(alertChannels.name, c.name))).for("update");
    const [row] = existing
      ? await tx.update(alertChannels).set({ ...values, updatedAt: sql`now()` }).where(eq(alertChannels.id, existing.id)).returning()
      : await tx.insert(alertChannels).values({ projectId: ctx.project.id, name: c.name, ...values }).returning();
    if (!row) throw new Error(`the alert channel '${c.name}' was not saved`);
    // The URL is not in the audit trail (it may carry a token); that it changed is.
    await recordAudit(tx, ctx.actor, ctx.project, {
      action: existing ? "alertChannel.update" : "alertChannel.create", entity: "alertChannel", name: c.name,
      details: { kinds: c.kinds, jobs: c.jobs, template: c.template ? true : false, lagThreshold: c.lagThreshold ?? null, enabled: c.enabled },
    });
    return { channel: toChannel(row), created: !existing };
  });
}

/** Deletes the channel; its history of sent alerts stays (under its name). */
export async function deleteAlertChannel(ctx: ProjectContext, name: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.delete(alertChannels).where(and(eq(alertChannels.projectId, ctx.project.id), eq(alertChannels.name, name))).returning({ id: alertChannels.id });
    if (!row) throw new NotFoundError("alert channel", name);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "alertChannel.delete", entity: "alertChannel", name });
  });
}
