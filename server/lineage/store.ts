import { and, count, desc, eq, inArray, max, sql, type AnyColumn } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { jobDeployments, metaTables } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { NotFoundError } from "../errors";
import type { Lineage } from "../sql/lineage";
import { lineageOverview, type LineageOverview } from "./overview";
import { buildLineageGraph, columnsOf, impactOf, walkColumns, walkTables, type DeployedLineage, type LineageGraph, type Side } from "./graph";

// The project's lineage graph, read from the deployed versions: one set-based query for the current
// version of every job (DISTINCT ON job, newest version), undeployed jobs left out. The built graph is
// kept per project and reused while the deployments are unchanged; the check is one indexed aggregate
// (count, newest deploy, newest undeploy), so a deploy, rollback or undeploy from any process invalidates it.
// After such a change only the jobs whose current version moved are read again (a light query lists each
// job's current version without its lineage); the graph is then rebuilt from the kept versions.

type Db = Pick<Tx, "select" | "selectDistinctOn">;

/** Whether a column is set, read without reading (or de-toasting) its value. */
const isSet = (column: AnyColumn) => sql<boolean>`(${column} is not null)`;

interface Cached { stamp: string; graph: LineageGraph; deployed: Map<string, DeployedLineage> }
const cache = new Map<string, Cached>();
const CACHE_PROJECTS = 64;

async function stampOf(db: Db, projectId: string): Promise<string> {
  const [row] = await db.select({ n: count(), at: max(jobDeployments.deployedAt), off: max(jobDeployments.undeployedAt) })
    .from(jobDeployments).where(eq(jobDeployments.projectId, projectId));
  return `${row?.n ?? 0}|${row?.at?.toISOString() ?? ""}|${row?.off?.toISOString() ?? ""}`;
}

/** The current version of each deployed job with its frozen lineage (versions without one are skipped). */
export async function deployedLineage(db: Db, projectId: string, jobs?: string[]): Promise<DeployedLineage[]> {
  const rows = await db.selectDistinctOn([jobDeployments.jobName], {
    job: jobDeployments.jobName, version: jobDeployments.version, lineage: jobDeployments.lineage,
    hasStream: isSet(jobDeployments.streamScript), undeployedAt: jobDeployments.undeployedAt,
  }).from(jobDeployments)
    .where(jobs === undefined ? eq(jobDeployments.projectId, projectId) : and(eq(jobDeployments.projectId, projectId), inArray(jobDeployments.jobName, jobs)))
    .orderBy(jobDeployments.jobName, desc(jobDeployments.version));
  const out: DeployedLineage[] = [];
  for (const r of rows) {
    if (r.undeployedAt || r.lineage === null) continue;
    const sides: Side[] = r.hasStream ? ["stream", "batch"] : ["batch"];
    out.push({ job: r.job, version: r.version, sides, lineage: r.lineage as Lineage });
  }
  return out;
}

/** Each job's current version, without its lineage: which kept versions are still current. */
async function currentVersions(db: Db, projectId: string): Promise<{ job: string; version: number; live: boolean }[]> {
  const rows = await db.selectDistinctOn([jobDeployments.jobName], {
    job: jobDeployments.jobName, version: jobDeployments.version, undeployedAt: jobDeployments.undeployedAt, hasLineage: isSet(jobDeployments.lineage),
  }).from(jobDeployments).where(eq(jobDeployments.projectId, projectId)).orderBy(jobDeployments.jobName, desc(jobDeployments.version));
  return rows.map((r) => ({ job: r.job, version: r.version, live: !r.undeployedAt && r.hasLineage }));
}

const READ_CHUNK = 500;

/** The kept versions brought up to date: only jobs whose current version changed are read again. */
async function refreshed(db: Db, projectId: string, kept: Map<string, DeployedLineage>): Promise<Map<string, DeployedLineage>> {
  const heads = await currentVersions(db, projectId);
  const moved = heads.filter((h) => h.live && kept.get(h.job)?.version !== h.version).map((h) => h.job);
  const fresh = new Map<string, DeployedLineage>();
  for (let i = 0; i < moved.length; i += READ_CHUNK) {
    for (const d of await deployedLineage(db, projectId, moved.slice(i, i + READ_CHUNK))) fresh.set(d.job, d);
  }
  // In the order a full read gives (by job name), so a rebuilt graph lists its edges as a cold one does.
  const out = new Map<string, DeployedLineage>();
  for (const h of heads) {
    const d = h.live ? (fresh.get(h.job) ?? kept.get(h.job)) : undefined;
    if (d) out.set(h.job, d);
  }
  return out;
}

export async function loadLineageGraph(db: Db, projectId: string): Promise<LineageGraph> {
  const stamp = await stampOf(db, projectId);
  const hit = cache.get(projectId);
  if (hit && hit.stamp === stamp) return hit.graph;
  const deployed = hit
    ? await refreshed(db, projectId, hit.deployed)
    : new Map((await deployedLineage(db, projectId)).map((d) => [d.job, d]));
  const graph = buildLineageGraph([...deployed.values()]);
  cache.delete(projectId);
  cache.set(projectId, { stamp, graph, deployed });
  if (cache.size > CACHE_PROJECTS) cache.delete(cache.keys().next().value ?? "");
  return graph;
}

/** Forgets the kept graphs (tests and benchmarks measuring a cold load). */
export function clearLineageCache(): void {
  cache.clear();
}

export const LineageQuery = z.object({
  table: z.string().min(1).max(300),
  column: z.string().min(1).max(300).optional(),
  direction: z.enum(["upstream", "downstream"]).default("downstream"),
  columns: z.boolean().default(false),
  depth: z.number().int().min(1).max(1000).optional(),
});
export type LineageQuery = z.input<typeof LineageQuery>;

function known(g: LineageGraph, table: string): boolean {
  return g.tablesOut.has(table) || g.tablesIn.has(table) || columnsOf(g, table).length > 0;
}

async function graphFor(ctx: ProjectContext, table: string): Promise<LineageGraph> {
  const g = await loadLineageGraph(ctx.db, ctx.project.id);
  if (!known(g, table)) throw new NotFoundError("table", table, `table '${table}' is in no deployed job's lineage (deploy a job that reads or writes it)`);
  return g;
}

/** Upstream or downstream of a table: its tables and jobs, or with `columns` (or a `column`) its columns. */
export async function tableLineage(ctx: ProjectContext, input: LineageQuery) {
  const q = LineageQuery.parse(input);
  const g = await graphFor(ctx, q.table);
  if (q.columns || q.column !== undefined) return { level: "column" as const, ...walkColumns(g, q.table, q.direction, { column: q.column, maxDepth: q.depth }) };
  return { level: "table" as const, ...walkTables(g, q.table, q.direction, q.depth) };
}

/** What a change to a table or a column reaches downstream (transitive; `depth` hops at most). */
export async function lineageImpact(ctx: ProjectContext, input: Omit<LineageQuery, "direction" | "columns">) {
  const q = LineageQuery.parse(input);
  return impactOf(await graphFor(ctx, q.table), q.table, { column: q.column, maxDepth: q.depth });
}

export const LineageGraphQuery = z.object({
  /** A node id (`t:<table>` or `j:<job>`): only its neighbourhood. */
  focus: z.string().min(3).max(310).regex(/^[tj]:/, "must be t:<table> or j:<job>").optional(),
  depth: z.number().int().min(1).max(50).optional(),
});
export type LineageGraphQuery = z.input<typeof LineageGraphQuery>;

/** The project's whole graph (or a node's neighbourhood, `depth` hops) as nodes and edges for drawing. */
export async function lineageGraphOverview(ctx: ProjectContext, input: LineageGraphQuery = {}): Promise<LineageOverview> {
  const q = LineageGraphQuery.parse(input);
  const overview = lineageOverview(await loadLineageGraph(ctx.db, ctx.project.id), q);
  // Meta-tables are marked so the page can link each table node to its catalog page.
  const meta = new Set((await ctx.db.select({ name: metaTables.name }).from(metaTables).where(eq(metaTables.projectId, ctx.project.id))).map((r) => r.name));
  for (const n of overview.nodes) if (n.kind === "table" && meta.has(n.name)) n.meta = true;
  return overview;
}
