import { and, eq } from "drizzle-orm";
import { connections } from "../../db/schema/index";
import { ConnectionSpec, MetaTableSpec, PhysicalTableSpec, type ConnectionSpecParsed, type PhysicalTableSpecParsed } from "../catalog/schemas";
import type { ProjectContext } from "../context";
import type { Issue } from "../errors";
import { connectorOptions, ident, physicalTableDdl } from "./ddl";
import { viewSelect } from "./translate/common";

// What the workbench shows of a table or meta-table being edited — its Flink DDL, its per-side views — made
// by the same functions as the translated scripts, so a preview can never say something the job will not.
// Secrets are always masked here (no resolver is ever passed).

export interface DdlPreview {
  /** null while the draft is not a table yet; `issues` says why. */
  ddl: string | null;
  /** The WITH options in order, each with where it comes from. */
  options: { key: string; value: string; from: "connection" | "table" }[];
  issues: Issue[];
}

export async function physicalTableDdlPreview(ctx: ProjectContext, draft: unknown): Promise<DdlPreview> {
  const parsed = PhysicalTableSpec.safeParse(draft);
  if (!parsed.success) {
    return { ddl: null, options: [], issues: parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.map(String).join("."), message: i.message })) };
  }
  return ddlOf(parsed.data, await connectionSpec(ctx, parsed.data.connection));
}

export function ddlOf(table: PhysicalTableSpecParsed, connection: ConnectionSpecParsed | undefined): DdlPreview {
  const own = new Set(Object.keys(table.options));
  return {
    ddl: physicalTableDdl(table, connection, table.name),
    options: connectorOptions(table, connection).map(([key, value]) => ({ key, value, from: own.has(key) ? "table" as const : "connection" as const })),
    issues: [],
  };
}

/** The connection as the DDL needs it: type and properties; secret keys only (their values stay sealed). */
export async function connectionSpec(ctx: ProjectContext, name: string): Promise<ConnectionSpecParsed | undefined> {
  const [row] = await ctx.db.select({ name: connections.name, type: connections.type, properties: connections.properties, secrets: connections.secrets })
    .from(connections).where(and(eq(connections.projectId, ctx.project.id), eq(connections.name, name)));
  if (!row) return undefined;
  const secrets = Object.fromEntries(Object.keys(row.secrets).map((k) => [k, { stored: true as const }]));
  return ConnectionSpec.parse({ name: row.name, type: row.type, properties: row.properties, secrets });
}

export interface ViewPreview {
  side: "source" | "stream" | "batch";
  sql: string;
}

/** `CREATE TEMPORARY VIEW <meta-table> AS SELECT …` per side, as the scripts declare them. */
export function metaTableViewPreviews(draft: unknown): { views: ViewPreview[]; issues: Issue[] } {
  const parsed = MetaTableSpec.safeParse(draft);
  if (!parsed.success) {
    return { views: [], issues: parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.map(String).join("."), message: i.message })) };
  }
  const meta = parsed.data;
  const sides = (["source", "stream", "batch"] as const).flatMap((side) => {
    const binding = meta[side];
    if (!binding) return [];
    const mode = side === "batch" ? "batch" : "stream";
    return [{ side, sql: `CREATE TEMPORARY VIEW ${ident(meta.name)} AS\n${viewSelect(meta, binding, binding.table, mode)};` }];
  });
  return { views: sides, issues: [] };
}
