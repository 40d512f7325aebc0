import { and, asc, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { dashboards } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import type { ProjectContext, ProjectRef } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { DashboardSpec, type DashboardSpecParsed } from "./schema";

// Dashboards in the database (the project file's `dashboards:` is applied into the same table). Every
// write is validated like the project file, bumps the version, and is audited in its transaction.

export interface DashboardRecord {
  name: string;
  spec: DashboardSpecParsed;
  version: number;
  updatedAt: Date;
}

type Ctx = { db: Database | Tx; project: ProjectRef };

export async function listDashboards(ctx: Ctx): Promise<DashboardRecord[]> {
  const rows = await ctx.db.select().from(dashboards).where(eq(dashboards.projectId, ctx.project.id)).orderBy(asc(dashboards.name));
  return rows.map(toRecord);
}

export async function getDashboard(ctx: Ctx, name: string): Promise<DashboardRecord> {
  const [row] = await ctx.db.select().from(dashboards).where(and(eq(dashboards.projectId, ctx.project.id), eq(dashboards.name, name)));
  if (!row) throw new NotFoundError("dashboard", name, `dashboard '${name}' not found in project '${ctx.project.name}'`);
  return toRecord(row);
}

export function parseDashboard(input: unknown): DashboardSpecParsed {
  const parsed = DashboardSpec.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: ["dashboard", ...i.path.map(String)].join("."), message: i.message })));
  return parsed.data;
}

/**
 * Creates or replaces the dashboard of that name. `expectedVersion` (the version the editor loaded) makes
 * a concurrent edit fail with a conflict instead of silently overwriting it.
 */
export async function upsertDashboard(ctx: ProjectContext, input: unknown, expectedVersion?: number): Promise<DashboardRecord> {
  const spec = parseDashboard(input);
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx.select().from(dashboards).where(and(eq(dashboards.projectId, ctx.project.id), eq(dashboards.name, spec.name))).for("update");
    if (expectedVersion !== undefined && (before?.version ?? 0) !== expectedVersion) {
      throw new ConflictError(`dashboard '${spec.name}' was changed by someone else (version ${before?.version ?? "none"}, you edited ${expectedVersion}); reload it`);
    }
    const [row] = before
      ? await tx.update(dashboards).set({ spec, version: sql`${dashboards.version} + 1`, updatedAt: sql`now()` }).where(eq(dashboards.id, before.id)).returning()
      : await tx.insert(dashboards).values({ projectId: ctx.project.id, name: spec.name, spec }).returning();
    if (!row) throw new Error("dashboard write returned no row");
    await recordAudit(tx, ctx.actor, ctx.project, { action: before ? "dashboard.update" : "dashboard.create", entity: "dashboard", name: spec.name, details: { widgets: spec.widgets.length } });
    return toRecord(row);
  });
}

export async function deleteDashboard(ctx: ProjectContext, name: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const gone = await tx.delete(dashboards).where(and(eq(dashboards.projectId, ctx.project.id), eq(dashboards.name, name))).returning({ id: dashboards.id });
    if (gone.length === 0) throw new NotFoundError("dashboard", name, `dashboard '${name}' not found in project '${ctx.project.name}'`);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "dashboard.delete", entity: "dashboard", name });
  });
}

function toRecord(r: typeof dashboards.$inferSelect): DashboardRecord {
  return { name: r.name, spec: DashboardSpec.parse(r.spec), version: r.version, updatedAt: r.updatedAt };
}
