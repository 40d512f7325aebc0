import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { connections, metaTables, physicalTables } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { parseWith } from "./parse";
import { physicalTableRow } from "./rows";
import { ConnectionSpec, PhysicalTableSpec, type PhysicalTableSpecParsed } from "./schemas";
import { validatePhysicalTable } from "./validate";
import { recordAudit } from "../audit/audit";
import { connectionSpec, ddlOf, type DdlPreview } from "../sql/previews";
import { changedFields } from "./canonical";
import { listDescription } from "./list-text";

export const ListTablesInput = z.object({
  page: z.number().int().min(0).default(0),
  pageSize: z.number().int().min(1).max(500).default(50),
  sort: z.enum(["name", "kind", "connection", "columnCount", "updatedAt"]).default("name"),
  direction: z.enum(["asc", "desc"]).default("asc"),
  /** Case-insensitive substring of the name or description. */
  search: z.string().max(200).default(""),
  kind: z.enum(["stream", "batch"]).optional(),
  connection: z.string().optional(),
});
export type ListTablesInput = z.input<typeof ListTablesInput>;

export interface TableRow {
  id: string;
  name: string;
  kind: "stream" | "batch";
  connection: string;
  connectionType: string;
  description: string;
  columnCount: number;
  partitioned: boolean;
  updatedAt: Date;
}

export async function listPhysicalTables(ctx: ProjectContext, rawInput: ListTablesInput): Promise<{ rows: TableRow[]; total: number }> {
  const input = ListTablesInput.parse(rawInput);
  const where: SQL[] = [eq(physicalTables.projectId, ctx.project.id)];
  if (input.search) {
    const pattern = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const match = or(ilike(physicalTables.name, pattern), ilike(physicalTables.description, pattern));
    if (match) where.push(match);
  }
  if (input.kind) where.push(eq(physicalTables.kind, input.kind));
  if (input.connection) where.push(eq(connections.name, input.connection));
  const sortColumn = {
    name: physicalTables.name, kind: physicalTables.kind, connection: connections.name,
    columnCount: physicalTables.columnCount, updatedAt: physicalTables.updatedAt,
  }[input.sort];
  const order = input.direction === "asc" ? asc(sortColumn) : desc(sortColumn);
  const filter = and(...where);
  const [rows, totals] = await Promise.all([
    ctx.db
      .select({
        id: physicalTables.id, name: physicalTables.name, kind: physicalTables.kind, connection: connections.name,
        connectionType: connections.type, description: listDescription(physicalTables.description), columnCount: physicalTables.columnCount,
        partitioned: physicalTables.partitioned, updatedAt: physicalTables.updatedAt,
      })
      .from(physicalTables)
      .innerJoin(connections, eq(connections.id, physicalTables.connectionId))
      .where(filter)
      .orderBy(order, asc(physicalTables.name))
      .limit(input.pageSize)
      .offset(input.page * input.pageSize),
    // The join is only needed to filter by connection name; without it the count is an index scan.
    input.connection
      ? ctx.db.select({ n: count() }).from(physicalTables).innerJoin(connections, eq(connections.id, physicalTables.connectionId)).where(filter)
      : ctx.db.select({ n: count() }).from(physicalTables).where(filter),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

export interface TableDetail {
  spec: PhysicalTableSpecParsed;
  connectionType: string;
  /** Meta-tables that bind this table, with the side. */
  usedBy: { metaTable: string; side: "source" | "stream" | "batch" }[];
  updatedAt: Date;
  /** The Flink DDL the scripts declare for it (secrets masked), and its WITH options with their origin. */
  ddl: DdlPreview;
}

export async function getPhysicalTable(ctx: ProjectContext, name: string): Promise<TableDetail> {
  const [row] = await ctx.db
    .select({ spec: physicalTables.spec, connectionType: connections.type, updatedAt: physicalTables.updatedAt })
    .from(physicalTables)
    .innerJoin(connections, eq(connections.id, physicalTables.connectionId))
    .where(and(eq(physicalTables.projectId, ctx.project.id), eq(physicalTables.name, name)));
  if (!row) throw new NotFoundError("physical table", name);
  const spec = PhysicalTableSpec.parse(row.spec);
  return { spec, connectionType: row.connectionType, usedBy: await tableUsers(ctx, [name]), updatedAt: row.updatedAt, ddl: ddlOf(spec, await connectionSpec(ctx, spec.connection)) };
}

async function tableUsers(ctx: ProjectContext, names: string[]): Promise<TableDetail["usedBy"]> {
  // The bindings live in the meta-table spec; jsonb lookups keep this one query.
  const rows = await ctx.db
    .select({ name: metaTables.name, source: sql<string | null>`${metaTables.spec} #>> '{source,table}'`, stream: sql<string | null>`${metaTables.spec} #>> '{stream,table}'`, batch: sql<string | null>`${metaTables.spec} #>> '{batch,table}'` })
    .from(metaTables)
    .where(and(eq(metaTables.projectId, ctx.project.id), or(
      inArray(sql`${metaTables.spec} #>> '{source,table}'`, names),
      inArray(sql`${metaTables.spec} #>> '{stream,table}'`, names),
      inArray(sql`${metaTables.spec} #>> '{batch,table}'`, names),
    )))
    // By name: the refusal that lists them reads the same on every database.
    .orderBy(asc(metaTables.name));
  const used: TableDetail["usedBy"] = [];
  for (const r of rows) {
    for (const side of ["source", "stream", "batch"] as const) {
      const t = r[side];
      if (t && names.includes(t)) used.push({ metaTable: r.name, side });
    }
  }
  return used;
}

async function validateAgainstCatalog(ctx: ProjectContext, spec: PhysicalTableSpecParsed): Promise<string> {
  const [conn] = await ctx.db.select().from(connections).where(and(eq(connections.projectId, ctx.project.id), eq(connections.name, spec.connection)));
  const issues = validatePhysicalTable(spec, {
    connection: (n) => (conn && n === conn.name ? ConnectionSpec.parse({ name: conn.name, type: conn.type, properties: conn.properties }) : undefined),
    physicalTable: () => undefined,
  });
  if (issues.length || !conn) throw new ValidationError(issues);
  return conn.id;
}

export async function createPhysicalTable(ctx: ProjectContext, input: unknown): Promise<TableDetail> {
  const spec = parseWith(PhysicalTableSpec, input, "physicalTable");
  const connectionId = await validateAgainstCatalog(ctx, spec);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(physicalTables).values(physicalTableRow(ctx.project.id, connectionId, spec)).onConflictDoNothing().returning({ updatedAt: physicalTables.updatedAt });
    if (!row) throw new ConflictError(`a physical table named '${spec.name}' already exists in project '${ctx.project.name}'`);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "physicalTable.create", entity: "physicalTable", name: spec.name });
  });
  return getPhysicalTable(ctx, spec.name);
}

export async function updatePhysicalTable(ctx: ProjectContext, name: string, input: unknown): Promise<TableDetail> {
  const spec = parseWith(PhysicalTableSpec, input, "physicalTable");
  if (spec.name !== name) throw new ValidationError([{ path: `physicalTables.${name}.name`, message: "renaming a table is not supported; create a new one" }]);
  const connectionId = await validateAgainstCatalog(ctx, spec);
  await ctx.db.transaction(async (tx) => {
    const where = and(eq(physicalTables.projectId, ctx.project.id), eq(physicalTables.name, name));
    const [before] = await tx.select({ spec: physicalTables.spec }).from(physicalTables).where(where).for("update");
    if (!before) throw new NotFoundError("physical table", name);
    await tx.update(physicalTables).set({ ...physicalTableRow(ctx.project.id, connectionId, spec), updatedAt: new Date() }).where(where);
    const fields = changedFields(before.spec as Record<string, unknown>, spec);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "physicalTable.update", entity: "physicalTable", name, details: { fields } });
  });
  return getPhysicalTable(ctx, name);
}

/** Deletes an unbound table and returns its spec so the workbench can offer undo. */
export async function deletePhysicalTable(ctx: ProjectContext, name: string): Promise<PhysicalTableSpecParsed> {
  const users = await tableUsers(ctx, [name]);
  if (users.length) {
    throw new PreconditionFailedError(`physical table '${name}' is bound by ${users.map((u) => `meta-table '${u.metaTable}' (${u.side})`).join(", ")}; unbind it first`);
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(physicalTables)
      .where(and(eq(physicalTables.projectId, ctx.project.id), eq(physicalTables.name, name)))
      .returning({ spec: physicalTables.spec });
    if (!row) throw new NotFoundError("physical table", name);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "physicalTable.delete", entity: "physicalTable", name });
    return PhysicalTableSpec.parse(row.spec);
  });
}
