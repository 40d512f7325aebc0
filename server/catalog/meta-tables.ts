import { and, asc, count, eq, ilike, inArray, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { connections, metaTables, physicalTables } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { ConflictError, NotFoundError, ValidationError } from "../errors";
import { parseWith } from "./parse";
import { metaTableRow } from "./rows";
import { ConnectionSpec, MetaTableSpec, PhysicalTableSpec, type MetaTableSpecParsed, type PhysicalTableSpecParsed } from "./schemas";
import { validateMetaTable } from "./validate";
import { recordAudit } from "../audit/audit";
import { changedFields } from "./canonical";
import { shortDescription } from "./list-text";

export const ListMetaTablesInput = z.object({
  page: z.number().int().min(0).default(0),
  pageSize: z.number().int().min(1).max(500).default(50),
  search: z.string().max(200).default(""),
});
export type ListMetaTablesInput = z.input<typeof ListMetaTablesInput>;

export interface MetaTableRow {
  id: string;
  name: string;
  kind: "single" | "mixed";
  description: string;
  owner: string;
  columnCount: number;
  streamTable: string | null;
  batchTable: string | null;
  sourceTable: string | null;
  updatedAt: Date;
}

export async function listMetaTables(ctx: ProjectContext, rawInput: ListMetaTablesInput): Promise<{ rows: MetaTableRow[]; total: number }> {
  const input = ListMetaTablesInput.parse(rawInput);
  const where: SQL[] = [eq(metaTables.projectId, ctx.project.id)];
  if (input.search) {
    const match = or(ilike(metaTables.name, `%${input.search}%`), ilike(metaTables.description, `%${input.search}%`));
    if (match) where.push(match);
  }
  const [rows, totals] = await Promise.all([
    ctx.db.select().from(metaTables).where(and(...where)).orderBy(asc(metaTables.name)).limit(input.pageSize).offset(input.page * input.pageSize),
    ctx.db.select({ n: count() }).from(metaTables).where(and(...where)),
  ]);
  return {
    rows: rows.map((r) => {
      const spec = MetaTableSpec.parse(r.spec);
      return {
        id: r.id, name: r.name, kind: r.kind, description: shortDescription(r.description), owner: r.owner, updatedAt: r.updatedAt,
        columnCount: spec.columns.length,
        streamTable: spec.stream?.table ?? null, batchTable: spec.batch?.table ?? null, sourceTable: spec.source?.table ?? null,
      };
    }),
    total: totals[0]?.n ?? 0,
  };
}

export interface MetaTableDetail {
  spec: MetaTableSpecParsed;
  /** The physical tables the bindings name (missing ones are absent). */
  tables: Record<string, PhysicalTableSpecParsed>;
  updatedAt: Date;
}

export async function getMetaTable(ctx: ProjectContext, name: string): Promise<MetaTableDetail> {
  const [row] = await ctx.db.select().from(metaTables).where(and(eq(metaTables.projectId, ctx.project.id), eq(metaTables.name, name)));
  if (!row) throw new NotFoundError("meta-table", name);
  const spec = MetaTableSpec.parse(row.spec);
  return { spec, tables: await boundTables(ctx, spec), updatedAt: row.updatedAt };
}

async function boundTables(ctx: ProjectContext, spec: MetaTableSpecParsed): Promise<Record<string, PhysicalTableSpecParsed>> {
  const names = [spec.source?.table, spec.stream?.table, spec.batch?.table].filter((n): n is string => !!n);
  if (!names.length) return {};
  const rows = await ctx.db
    .select({ spec: physicalTables.spec })
    .from(physicalTables)
    .where(and(eq(physicalTables.projectId, ctx.project.id), inArray(physicalTables.name, names)));
  return Object.fromEntries(rows.map((r) => { const t = PhysicalTableSpec.parse(r.spec); return [t.name, t]; }));
}

/** Validates a meta-table against the physical tables it binds; the issues name table, side and column. */
export async function checkMetaTable(ctx: ProjectContext, input: unknown): Promise<MetaTableSpecParsed> {
  const spec = parseWith(MetaTableSpec, input, `metaTables.${nameOf(input)}`);
  const tables = await boundTables(ctx, spec);
  const conns = await ctx.db.select({ name: connections.name, type: connections.type }).from(connections).where(eq(connections.projectId, ctx.project.id));
  const issues = validateMetaTable(spec, {
    physicalTable: (n) => tables[n],
    connection: (n) => { const c = conns.find((x) => x.name === n); return c ? ConnectionSpec.parse(c) : undefined; },
  });
  if (issues.length) throw new ValidationError(issues);
  return spec;
}

function nameOf(input: unknown): string {
  const n = input !== null && typeof input === "object" ? (input as { name?: unknown }).name : undefined;
  return typeof n === "string" && n ? n : "(new)";
}

export async function createMetaTable(ctx: ProjectContext, input: unknown): Promise<MetaTableDetail> {
  const spec = await checkMetaTable(ctx, input);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(metaTables).values(metaTableRow(ctx.project.id, spec)).onConflictDoNothing().returning({ id: metaTables.id });
    if (!row) throw new ConflictError(`a meta-table named '${spec.name}' already exists in project '${ctx.project.name}'`);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "metaTable.create", entity: "metaTable", name: spec.name });
  });
  return getMetaTable(ctx, spec.name);
}

export async function updateMetaTable(ctx: ProjectContext, name: string, input: unknown): Promise<MetaTableDetail> {
  const spec = await checkMetaTable(ctx, input);
  if (spec.name !== name) throw new ValidationError([{ path: `metaTables.${name}.name`, message: "renaming a meta-table is not supported; create a new one" }]);
  await ctx.db.transaction(async (tx) => {
    const where = and(eq(metaTables.projectId, ctx.project.id), eq(metaTables.name, name));
    const [before] = await tx.select({ spec: metaTables.spec }).from(metaTables).where(where).for("update");
    if (!before) throw new NotFoundError("meta-table", name);
    await tx.update(metaTables).set({ ...metaTableRow(ctx.project.id, spec), updatedAt: new Date() }).where(where);
    const fields = changedFields(before.spec as Record<string, unknown>, spec);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "metaTable.update", entity: "metaTable", name, details: { fields } });
  });
  return getMetaTable(ctx, name);
}

/** Deletes a meta-table and returns its spec so the workbench can offer undo. */
export async function deleteMetaTable(ctx: ProjectContext, name: string): Promise<MetaTableSpecParsed> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(metaTables)
      .where(and(eq(metaTables.projectId, ctx.project.id), eq(metaTables.name, name)))
      .returning({ spec: metaTables.spec });
    if (!row) throw new NotFoundError("meta-table", name);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "metaTable.delete", entity: "metaTable", name });
    return MetaTableSpec.parse(row.spec);
  });
}
