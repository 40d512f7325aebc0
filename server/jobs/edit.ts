import { and, count, eq } from "drizzle-orm";
import { jobDeployments, jobs } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import { changedFields } from "../catalog/canonical";
import { parseWith } from "../catalog/parse";
import { jobRow } from "../catalog/rows";
import { JobSpec, type JobSpecParsed } from "../catalog/schemas";
import { validateJobReferences } from "../catalog/validate";
import type { Tx } from "../../db/client";
import type { ProjectContext } from "../context";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";

// Saving jobs from the workbench: the draft (the development version) is created, changed, renamed and
// deleted here with the same spec validation as a project file and one audit row per change. The SQL is
// not required to be valid to be saved (a draft may be half written); deploy checks it. Production is
// never touched: a deployed version keeps running what it froze.

/** The spec as the project file would hold it, checked against the project's other jobs. */
async function checkedSpec(ctx: ProjectContext, input: unknown, path: string): Promise<JobSpecParsed> {
  const spec = parseWith(JobSpec, input, path);
  const others = await ctx.db.select({ name: jobs.name, spec: jobs.spec }).from(jobs).where(eq(jobs.projectId, ctx.project.id));
  const byName = new Map(others.map((r) => [r.name, r.spec]));
  const job = (n: string): JobSpecParsed | undefined => {
    if (n === spec.name) return spec;
    const stored = byName.get(n);
    return stored === undefined ? undefined : JobSpec.parse(stored);
  };
  // Jobs reference jobs only; tables are read through the SQL, which deploy checks.
  const issues = validateJobReferences(spec, { connection: () => undefined, physicalTable: () => undefined, job });
  if (issues.length) throw new ValidationError(issues);
  return spec;
}

export async function createJob(ctx: ProjectContext, input: unknown): Promise<JobSpecParsed> {
  const spec = await checkedSpec(ctx, input, "jobs.(new)");
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(jobs).values(jobRow(ctx.project.id, spec)).onConflictDoNothing().returning({ id: jobs.id });
    if (!row) throw new ConflictError(`a job named '${spec.name}' already exists in project '${ctx.project.name}'`);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "job.create", entity: "job", name: spec.name });
  });
  return spec;
}

/**
 * Saves a job's draft. A different `name` in the spec renames the job, which only a job never deployed may
 * do: deployments, schedules and instances are keyed by the name, and would lose their history.
 */
export async function updateJob(ctx: ProjectContext, name: string, input: unknown): Promise<JobSpecParsed> {
  const spec = await checkedSpec(ctx, input, `jobs.${name}`);
  await ctx.db.transaction(async (tx) => {
    const where = and(eq(jobs.projectId, ctx.project.id), eq(jobs.name, name));
    const [before] = await tx.select({ spec: jobs.spec }).from(jobs).where(where).for("update");
    if (!before) throw new NotFoundError("job", name);
    if (spec.name !== name) {
      const versions = await deployedVersions(tx, ctx, name);
      if (versions > 0) {
        throw new PreconditionFailedError(`job '${name}' has ${versions} deployed version${versions === 1 ? "" : "s"}; renaming it would detach them from their history. Save it under its name, or create a new job from it.`);
      }
      const [taken] = await tx.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.projectId, ctx.project.id), eq(jobs.name, spec.name)));
      if (taken) throw new ConflictError(`a job named '${spec.name}' already exists in project '${ctx.project.name}'`);
    }
    await tx.update(jobs).set({ ...jobRow(ctx.project.id, spec), updatedAt: new Date() }).where(where);
    const fields = changedFields(before.spec as Record<string, unknown>, spec);
    const renamed = spec.name !== name ? { renamedTo: spec.name } : {};
    await recordAudit(tx, ctx.actor, ctx.project, { action: "job.update", entity: "job", name, details: { fields, ...renamed } });
  });
  return spec;
}

/** Deletes a job's draft and returns its spec so the workbench can offer undo. A deployed job is kept. */
export async function deleteJob(ctx: ProjectContext, name: string): Promise<JobSpecParsed> {
  return ctx.db.transaction(async (tx) => {
    const versions = await deployedVersions(tx, ctx, name);
    if (versions > 0) {
      throw new PreconditionFailedError(`job '${name}' has ${versions} deployed version${versions === 1 ? "" : "s"} and may be running in production; it cannot be deleted.`);
    }
    const [row] = await tx.delete(jobs).where(and(eq(jobs.projectId, ctx.project.id), eq(jobs.name, name))).returning({ spec: jobs.spec });
    if (!row) throw new NotFoundError("job", name);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "job.delete", entity: "job", name });
    return JobSpec.parse(row.spec);
  });
}

async function deployedVersions(tx: Tx, ctx: ProjectContext, name: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(jobDeployments).where(and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, name)));
  return row?.n ?? 0;
}
