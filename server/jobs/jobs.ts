import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { jobDeployments, jobs } from "../../db/schema/index";
import { JobSpec, type JobSpecParsed } from "../catalog/schemas";
import { canonicalJson } from "../catalog/canonical";
import type { ProjectContext } from "../context";
import { NotFoundError } from "../errors";
import { listDeployments, type Deployment } from "./deployments";

// Jobs as the workbench lists them: the saved spec (the development version, edited in the catalog or
// by `tandem apply`) next to what production runs (the newest deployment).

export interface ProductionSummary {
  version: number;
  deployedBy: string;
  deployedAt: Date;
  rollbackOf: number | null;
  /** Set when the job was taken out of production (its schedule removed, its stream stopped). */
  undeployedAt: Date | null;
}

export interface JobRow {
  name: string;
  description: string;
  updatedAt: Date;
  production: ProductionSummary | null;
  /** The saved spec differs from the deployed one (there is something to deploy). */
  changedSinceDeploy: boolean;
}

export interface JobDetail extends JobRow {
  spec: JobSpecParsed;
  deployments: Deployment[];
}

function summary(d: { version: number; deployedBy: string; deployedAt: Date; rollbackOf: number | null; undeployedAt: Date | null }): ProductionSummary {
  return { version: d.version, deployedBy: d.deployedBy, deployedAt: d.deployedAt, rollbackOf: d.rollbackOf, undeployedAt: d.undeployedAt };
}

function differs(saved: JobSpecParsed, deployed: unknown): boolean {
  return deployed === undefined || canonicalJson(saved) !== canonicalJson(JobSpec.parse(deployed));
}

export async function listJobs(ctx: ProjectContext): Promise<JobRow[]> {
  const [saved, newest] = await Promise.all([
    ctx.db.select({ name: jobs.name, description: jobs.description, updatedAt: jobs.updatedAt })
      .from(jobs).where(eq(jobs.projectId, ctx.project.id)).orderBy(asc(jobs.name)),
    // The newest version per job: DISTINCT ON keeps the first row of each name in version order. Only what
    // the list shows: a deployment row also holds its catalog snapshot and scripts (large).
    ctx.db.selectDistinctOn([jobDeployments.jobName], {
      jobName: jobDeployments.jobName, version: jobDeployments.version, deployedBy: jobDeployments.deployedBy, deployedAt: jobDeployments.deployedAt,
      rollbackOf: jobDeployments.rollbackOf, undeployedAt: jobDeployments.undeployedAt, spec: jobDeployments.spec,
    }).from(jobDeployments)
      .where(eq(jobDeployments.projectId, ctx.project.id))
      .orderBy(jobDeployments.jobName, desc(jobDeployments.version)),
  ]);
  const byName = new Map(newest.map((d) => [d.jobName, d]));
  // Saved specs are read (and compared) only for deployed jobs: a job never deployed has everything to
  // deploy, and a 10,000-job list of drafts stays a narrow query.
  const savedSpecs = new Map<string, unknown>();
  const deployed = newest.map((d) => d.jobName);
  for (let i = 0; i < deployed.length; i += 5000) {
    const rows = await ctx.db.select({ name: jobs.name, spec: jobs.spec }).from(jobs)
      .where(and(eq(jobs.projectId, ctx.project.id), inArray(jobs.name, deployed.slice(i, i + 5000))));
    for (const r of rows) savedSpecs.set(r.name, r.spec);
  }
  return saved.map((j) => {
    const d = byName.get(j.name);
    return {
      name: j.name, description: j.description, updatedAt: j.updatedAt,
      production: d ? summary(d) : null,
      changedSinceDeploy: d === undefined || differs(JobSpec.parse(savedSpecs.get(j.name)), d.spec),
    };
  });
}

export async function getJob(ctx: ProjectContext, name: string): Promise<JobDetail> {
  const [row] = await ctx.db.select().from(jobs).where(and(eq(jobs.projectId, ctx.project.id), eq(jobs.name, name)));
  if (!row) throw new NotFoundError("job", name);
  const spec = JobSpec.parse(row.spec);
  const deployments = await listDeployments(ctx, name);
  const newest = deployments[0];
  return {
    name, description: spec.description, updatedAt: row.updatedAt, spec, deployments,
    production: newest ? summary(newest) : null,
    changedSinceDeploy: differs(spec, newest?.spec),
  };
}
