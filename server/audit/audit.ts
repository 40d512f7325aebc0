import { and, desc, eq, like, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database, Tx } from "../../db/client";
import { auditEvents } from "../../db/schema/index";
import { actorLabel, type Actor, type ProjectContext, type ProjectRef } from "../context";

// The audit trail. Writers call recordAudit with the transaction handle of the change itself, so a change
// and its audit row commit or roll back together. Details say what changed (field names, secret KEYS),
// never secret values.

export interface AuditEntry {
  /** `<entity>.<verb>`, e.g. connection.create, metaTable.delete, job.deploy, member.update, token.revoke. */
  action: string;
  entity: string;
  name: string;
  details?: Record<string, unknown>;
}

function actorColumns(actor: Actor): { actorKind: string; actorId: string | null; actorLabel: string } {
  switch (actor.kind) {
    case "user": return { actorKind: "user", actorId: actor.userId, actorLabel: actor.email };
    case "apiToken": return { actorKind: "apiToken", actorId: actor.tokenId, actorLabel: actorLabel(actor) };
    case "system": return { actorKind: "system", actorId: actor.reason, actorLabel: actorLabel(actor) };
    case "local": return { actorKind: "local", actorId: null, actorLabel: "local" };
  }
}

export async function recordAudit(db: Database | Tx, actor: Actor, project: ProjectRef | undefined, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const who = actorColumns(actor);
  const rows = entries.map((e) => ({
    projectId: project?.id ?? null,
    projectName: project?.name ?? null,
    ...who,
    action: e.action,
    entity: e.entity,
    entityName: e.name,
    details: e.details ?? {},
  }));
  // Bulk applies may write thousands of rows: insert in chunks to stay under the parameter limit.
  for (let i = 0; i < rows.length; i += 500) await db.insert(auditEvents).values(rows.slice(i, i + 500));
}

export const ListAuditEventsInput = z.object({
  /** Only events of this action (`connection.create`) or action prefix (`connection.`). */
  action: z.string().max(100).optional(),
  entityName: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).default(100),
  /** Keyset cursor: the `cursor` of the previous page. */
  cursor: z.object({ at: z.date(), id: z.uuid() }).optional(),
});
export type ListAuditEventsInput = z.input<typeof ListAuditEventsInput>;

export interface AuditEventView {
  id: string;
  at: Date;
  actor: { kind: string; id: string | null; label: string };
  action: string;
  entity: string;
  name: string;
  details: Record<string, unknown>;
}

/** The project's audit trail, newest first, paged with a keyset cursor. */
export async function listAuditEvents(
  ctx: ProjectContext,
  input: ListAuditEventsInput = {},
): Promise<{ rows: AuditEventView[]; cursor?: { at: Date; id: string } }> {
  const q = ListAuditEventsInput.parse(input);
  const where: SQL[] = [eq(auditEvents.projectId, ctx.project.id)];
  if (q.action) {
    where.push(q.action.endsWith(".") ? like(auditEvents.action, `${q.action.replace(/[\\%_]/g, "\\$&")}%`) : eq(auditEvents.action, q.action));
  }
  if (q.entityName) where.push(eq(auditEvents.entityName, q.entityName));
  if (q.cursor) {
    where.push(or(lt(auditEvents.at, q.cursor.at), and(eq(auditEvents.at, q.cursor.at), lt(auditEvents.id, q.cursor.id))) as SQL);
  }
  const rows = await ctx.db.select().from(auditEvents).where(and(...where))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit).map((r) => ({
    id: r.id, at: r.at, actor: { kind: r.actorKind, id: r.actorId, label: r.actorLabel },
    action: r.action, entity: r.entity, name: r.entityName, details: r.details,
  }));
  const last = page[page.length - 1];
  return rows.length > q.limit && last ? { rows: page, cursor: { at: last.at, id: last.id } } : { rows: page };
}
