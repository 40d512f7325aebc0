import { and, asc, desc, eq, max } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { jobDeployments } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { JobSpec, Name, type CatalogSnapshot, type JobSpecParsed } from "../catalog/schemas";
import { actorLabel, type ProjectContext } from "../context";
import { ConflictError, NotFoundError, ValidationError, type Issue } from "../errors";
import type { Lineage } from "../sql/lineage";
import { translateJob } from "../sql/translate/index";
import type { Orchestrator } from "../orchestration";
import { DependencyCycleError, dependencyOrder, type ScheduledJob } from "../scheduling/index";
import { FrozenCatalog, freezeCatalog, thawCatalog, withDependencyTables } from "./frozen-catalog";
import { manualEdges, parseFrozenDependencies, resolveManualDependencies, type FrozenDependency } from "./manual-dependencies";

// Deploying a job to production: the job as it is now must validate and translate against the catalog
// as it is now; its spec, the slice of the catalog it uses (frozen-catalog.ts) and its lineage are then
// frozen as the next version of the job's deployment history, with the stream and batch scripts (secrets
// masked) for review. Instances run a version, so a catalog edit never changes a deployed job silently. A rollback deploys an older version's spec again, checked
// against today's catalog, as a new version: history is only ever appended to.
// Who may do this is the policy's `job.deploy` (owners); the audit row commits with the deployment.

export const DeployJobInput = z.object({
  job: Name,
  note: z.string().max(500).default(""),
});
export type DeployJobInput = z.input<typeof DeployJobInput>;

export const RollbackJobInput = z.object({
  job: Name,
  /** The version whose spec becomes production again. */
  toVersion: z.number().int().positive(),
  note: z.string().max(500).default(""),
});
export type RollbackJobInput = z.input<typeof RollbackJobInput>;

export interface Deployment {
  version: number;
  job: string;
  spec: JobSpecParsed;
  streamScript: string | null;
  sources: string[];
  sinks: string[];
  /** Manual dependencies (batch.dependsOn) as resolved when this version was deployed. */
  dependencies: FrozenDependency[];
  note: string;
  rollbackOf: number | null;
  deployedBy: string;
  deployedAt: Date;
  /** When the job was taken out of production while this was its newest version (null: never). */
  undeployedAt: Date | null;
  undeployedBy: string | null;
}

type Row = typeof jobDeployments.$inferSelect;

/** A version as an instance runs it: the deployment with its frozen catalog slice and lineage. */
export interface RunnableDeployment extends Deployment {
  batchScript: string | null;
  /** The catalog slice this version runs; null for versions deployed before slices were kept. */
  catalog: CatalogSnapshot | null;
  lineage: Lineage | null;
}

function toDeployment(r: Row): Deployment {
  return {
    version: r.version, job: r.jobName, spec: JobSpec.parse(r.spec), streamScript: r.streamScript,
    sources: r.sources, sinks: r.sinks, dependencies: parseFrozenDependencies(r.dependencies), note: r.note, rollbackOf: r.rollbackOf, deployedBy: r.deployedBy, deployedAt: r.deployedAt,
    undeployedAt: r.undeployedAt, undeployedBy: r.undeployedBy,
  };
}

/** The day the deploy checks translate for: today (UTC). Only the batch side's partition values depend on it. */
function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Validates and translates; throws the SQL's issues (with line and column) when the job cannot run. */
function compileForProduction(catalog: CatalogSnapshot, job: JobSpecParsed, now: Date) {
  const t = translateJob(catalog, job, { bizdate: today(now) });
  if (t.errors.length > 0) throw new ValidationError(t.errors, `job '${job.name}' cannot be deployed: ${t.errors.length === 1 ? "1 problem" : `${t.errors.length} problems`} in its SQL\n  ${t.errors.map((e) => `${e.line !== undefined ? `line ${e.line}, column ${e.column ?? 1}: ` : ""}${e.message}`).join("\n  ")}`);
  return {
    streamScript: t.stream,
    batchScript: t.batch,
    catalog: freezeCatalog(catalog, job, today(now)),
    lineage: t.lineage,
    sources: [...new Set(t.lineage.tables.flatMap((e) => e.sources))].sort(),
    sinks: [...new Set(t.lineage.tables.map((e) => e.sink))].sort(),
  };
}

/** The newest deployment of every deployed (not undeployed) job of the project, as the dependency resolver sees it. */
export async function deployedJobGraph(db: Pick<Tx, "select">, projectId: string): Promise<ScheduledJob[]> {
  const rows = await db.select({ job: jobDeployments.jobName, sources: jobDeployments.sources, sinks: jobDeployments.sinks, dependencies: jobDeployments.dependencies, undeployedAt: jobDeployments.undeployedAt })
    .from(jobDeployments).where(eq(jobDeployments.projectId, projectId)).orderBy(asc(jobDeployments.jobName), desc(jobDeployments.version));
  const jobs = new Map<string, ScheduledJob | null>();
  // A job's newest version decides; an undeployed job runs nothing and holds no table.
  for (const r of rows) {
    if (!jobs.has(r.job)) jobs.set(r.job, r.undeployedAt ? null : { name: r.job, reads: r.sources, writes: r.sinks, manual: manualEdges(parseFrozenDependencies(r.dependencies)) });
  }
  return [...jobs.values()].filter((j): j is ScheduledJob => j !== null);
}

function refusal(job: string, issues: Issue[]): ValidationError {
  return new ValidationError(issues, `job '${job}' cannot be deployed: ${issues.map((i) => i.message).join("; ")}`);
}

/**
 * The candidate's manual dependencies, resolved against the catalog and the deployed jobs; and with this
 * version in production, the deployed jobs' dependencies (lineage and manual, same-day ones) must still
 * form an order: a cycle is refused with its path, and so is a second producer of a table's partitions.
 */
async function resolveDependencies(tx: Tx, projectId: string, catalog: CatalogSnapshot, job: JobSpecParsed, compiled: { sources: string[]; sinks: string[] }): Promise<FrozenDependency[]> {
  const deployed = await deployedJobGraph(tx, projectId);
  const sinksOf = new Map(deployed.map((j) => [j.name, j.writes]));
  const resolved = resolveManualDependencies(catalog, job, compiled.sinks, (name) => sinksOf.get(name));
  if (!resolved.ok) throw refusal(job.name, resolved.issues);
  const candidate: ScheduledJob = { name: job.name, reads: compiled.sources, writes: compiled.sinks, manual: manualEdges(resolved.dependencies) };
  try {
    dependencyOrder([candidate, ...deployed.filter((j) => j.name !== job.name)]);
  } catch (e) {
    const message = e instanceof DependencyCycleError
      ? `deploying '${job.name}' would make the deployed jobs wait for each other in a cycle: ${e.path.join(" -> ")}`
      : e instanceof Error ? e.message : String(e);
    throw refusal(job.name, [{ path: `jobs.${job.name}`, message }]);
  }
  return resolved.dependencies;
}

async function nextVersion(tx: Tx, projectId: string, job: string): Promise<number> {
  const [row] = await tx.select({ v: max(jobDeployments.version) }).from(jobDeployments)
    .where(and(eq(jobDeployments.projectId, projectId), eq(jobDeployments.jobName, job)));
  return (row?.v ?? 0) + 1;
}

/** Two deploys of one job raced for the same version number. */
export function isUniqueViolation(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = c.cause) if ((c as { code?: unknown }).code === "23505") return true;
  return false;
}

async function record(ctx: ProjectContext, job: JobSpecParsed, fields: { note: string; rollbackOf: number | null }, now: Date): Promise<Deployment> {
  try {
    return await ctx.db.transaction((tx) => recordDeployment(tx, ctx, job, fields, now));
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`job '${job.name}' was deployed by someone else at the same moment; reload its history and try again`);
    throw e;
  }
}

/**
 * Compiles and records one version of a job inside the caller's transaction (checks, frozen catalog,
 * dependencies, audit): several jobs deployed together (a metric task's) share one transaction, so either
 * every one of them gets its version or none does.
 */
export async function recordDeployment(tx: Tx, ctx: ProjectContext, job: JobSpecParsed, fields: { note: string; rollbackOf: number | null }, now: Date): Promise<Deployment> {
  const catalog = await loadCatalogSnapshot(tx, ctx.project);
  const compiled = compileForProduction(catalog, job, now);
  const dependencies = await resolveDependencies(tx, ctx.project.id, catalog, job, compiled);
  compiled.catalog = withDependencyTables(compiled.catalog, catalog, dependencies.flatMap((d) => d.metaTables), dependencies.flatMap((d) => d.partitionTables));
  const version = await nextVersion(tx, ctx.project.id, job.name);
  const [row] = await tx.insert(jobDeployments).values({
    projectId: ctx.project.id, jobName: job.name, version, spec: job, ...compiled, dependencies,
    note: fields.note, rollbackOf: fields.rollbackOf, deployedBy: actorLabel(ctx.actor), deployedAt: now,
  }).returning();
  if (!row) throw new Error("insert returned no row");
  await recordAudit(tx, ctx.actor, ctx.project, {
    action: fields.rollbackOf === null ? "job.deploy" : "job.rollback",
    entity: "job",
    name: job.name,
    details: { version, ...(fields.rollbackOf === null ? {} : { rollbackOf: fields.rollbackOf }), ...(fields.note ? { note: fields.note } : {}) },
  });
  return toDeployment(row);
}

export async function deployJob(ctx: ProjectContext, input: DeployJobInput, now = new Date()): Promise<Deployment> {
  const { job: name, note } = DeployJobInput.parse(input);
  const job = (await loadCatalogSnapshot(ctx.db, ctx.project)).jobs.get(name);
  if (!job) throw new NotFoundError("job", name);
  return record(ctx, job, { note, rollbackOf: null }, now);
}

export async function rollbackJob(ctx: ProjectContext, input: RollbackJobInput, now = new Date()): Promise<Deployment> {
  const { job, toVersion, note } = RollbackJobInput.parse(input);
  const [target] = await ctx.db.select().from(jobDeployments).where(and(
    eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, job), eq(jobDeployments.version, toVersion),
  ));
  if (!target) throw new NotFoundError("deployment", `${job} v${toVersion}`);
  return record(ctx, JobSpec.parse(target.spec), { note, rollbackOf: toVersion }, now);
}

/** Newest first. */
export async function listDeployments(ctx: ProjectContext, job: string, limit = 50): Promise<Deployment[]> {
  const rows = await ctx.db.select().from(jobDeployments)
    .where(and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, job)))
    .orderBy(desc(jobDeployments.version)).limit(limit);
  return rows.map(toDeployment);
}

// Versions are never rewritten (a rollback is a new version) and a project's id is never reused, so a
// version read once stays true: the scheduler reads the same version several times per instance (create,
// sense, run), and parsing its spec and frozen catalog each time cost more than the read.
const VERSION_CACHE_SIZE = 2_000;
const versionCache = new Map<string, RunnableDeployment>();

/** The version an instance runs: `version`, or the newest. */
export async function getDeployment(ctx: ProjectContext, job: string, version?: number): Promise<RunnableDeployment> {
  const key = version === undefined ? undefined : `${ctx.project.id}\u0000${job}\u0000${version}`;
  const cached = key === undefined ? undefined : versionCache.get(key);
  if (cached) return cached;
  const d = await readDeployment(ctx, job, version);
  versionCache.set(key ?? `${ctx.project.id}\u0000${job}\u0000${d.version}`, d);
  if (versionCache.size > VERSION_CACHE_SIZE) versionCache.delete(versionCache.keys().next().value ?? "");
  return d;
}

async function readDeployment(ctx: ProjectContext, job: string, version?: number): Promise<RunnableDeployment> {
  const where = and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, job), ...(version === undefined ? [] : [eq(jobDeployments.version, version)]));
  const [row] = await ctx.db.select().from(jobDeployments).where(where).orderBy(desc(jobDeployments.version)).limit(1);
  if (!row) throw version === undefined ? neverDeployed(job) : new NotFoundError("deployment", `${job} v${version}`);
  return {
    ...toDeployment(row), batchScript: row.batchScript, lineage: row.lineage as Lineage | null,
    catalog: row.catalog === null ? null : thawCatalog(FrozenCatalog.parse(row.catalog), ctx.project.name),
  };
}

/**
 * Puts a deployed version into production on the orchestrator: its batch side on the job's daily schedule
 * (its batch cron, in its time zone), and its stream side, when it has one, under the job's stream
 * supervisor (started, or moved to this version through a savepoint). False when no orchestrator is
 * configured: the version is recorded, and scheduled by the next deploy that has one.
 */
export async function scheduleDeployment(orchestrator: Orchestrator | undefined, ctx: ProjectContext, d: Deployment): Promise<boolean> {
  if (!orchestrator) return false;
  await orchestrator.scheduleJob(ctx.project.name, d.job, { cron: d.spec.batch.cron, timezone: d.spec.batch.timezone });
  if (d.streamScript !== null) await orchestrator.startStream({ project: ctx.project.name, job: d.job, version: d.version });
  else await orchestrator.stopStream(ctx.project.name, d.job); // this version dropped the stream side
  return true;
}

export function neverDeployed(job: string): NotFoundError {
  return new NotFoundError("deployment", job, `job '${job}' was never deployed: deploy it first`);
}
