import { and, asc, desc, eq } from "drizzle-orm";
import { jobDeployments } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { NotFoundError } from "../errors";
import type { Orchestrator, StreamSupervision } from "../orchestration";
import { healthScore, sortFindings, type HealthFinding } from "./score";
import { DEFAULT_HEALTH_SOURCES, type HealthSource } from "./sources";

// The health of deployed jobs: every source's findings, and the score they make. The stream's state comes
// from the orchestrator when one is configured (without it the stream findings are only recorded restarts).

export interface JobHealth {
  job: string;
  score: number;
  findings: HealthFinding[];
  /** Sources that could not answer (the orchestrator unreachable...), so a good score is not read as certain. */
  unavailable: string[];
}

export interface HealthOptions {
  orchestrator?: Pick<Orchestrator, "streamStatus">;
  now?: Date;
  sources?: readonly HealthSource[];
  batchWindowDays?: number;
  eventWindowHours?: number;
}

async function deployedJobs(ctx: ProjectContext): Promise<{ job: string; undeployed: boolean }[]> {
  const rows = await ctx.db.select({ job: jobDeployments.jobName, undeployedAt: jobDeployments.undeployedAt }).from(jobDeployments)
    .where(eq(jobDeployments.projectId, ctx.project.id)).orderBy(asc(jobDeployments.jobName), desc(jobDeployments.version));
  const newest = new Map<string, boolean>();
  for (const r of rows) if (!newest.has(r.job)) newest.set(r.job, r.undeployedAt !== null);
  return [...newest].map(([job, undeployed]) => ({ job, undeployed }));
}

export async function jobHealth(ctx: ProjectContext, job: string, opts: HealthOptions = {}): Promise<JobHealth> {
  const [deployed] = await ctx.db.select({ id: jobDeployments.id }).from(jobDeployments)
    .where(and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, job))).limit(1);
  if (!deployed) throw new NotFoundError("deployed job", job, `job '${job}' was never deployed in project '${ctx.project.name}': health is scored for deployed jobs`);
  const unavailable: string[] = [];
  let stream: StreamSupervision | undefined;
  if (opts.orchestrator) {
    try {
      stream = await opts.orchestrator.streamStatus(ctx.project.name, job);
    } catch (e) {
      unavailable.push(`stream status: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const input = {
    ctx, job, now: opts.now ?? new Date(), stream, batchWindowDays: opts.batchWindowDays ?? 7, eventWindowHours: opts.eventWindowHours ?? 24,
  };
  const findings: HealthFinding[] = [];
  for (const source of opts.sources ?? DEFAULT_HEALTH_SOURCES) {
    try {
      findings.push(...(await source.findings(input)));
    } catch (e) {
      unavailable.push(`${source.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { job, score: healthScore(findings), findings: sortFindings(findings), unavailable };
}

/** Every deployed (not undeployed) job's health, worst first. */
export async function projectHealth(ctx: ProjectContext, opts: HealthOptions = {}): Promise<JobHealth[]> {
  const jobs = (await deployedJobs(ctx)).filter((j) => !j.undeployed);
  const out: JobHealth[] = [];
  for (const j of jobs) out.push(await jobHealth(ctx, j.job, opts));
  return out.sort((a, b) => a.score - b.score || a.job.localeCompare(b.job));
}
