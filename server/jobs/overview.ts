import { desc, eq } from "drizzle-orm";
import { batchInstances } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { jobHealth } from "../health/index";
import type { Orchestrator, StreamSupervision } from "../orchestration";
import { listJobs } from "./jobs";

// The operations console's jobs list in one round trip: each job's saved and production versions (listJobs),
// its newest batch instance (one DISTINCT ON query for every job), and for jobs in production their stream
// status and health score. The per-job parts (the stream supervisor's query, the health sources) run only for
// deployed jobs, a few at a time; a job never deployed costs nothing beyond its row.

export interface JobOverview {
  name: string;
  description: string;
  /** Epoch ms (numbers, not Dates: no per-row serializer metadata on a 10,000-row answer). */
  updatedAtMs: number;
  /** Production version, null when never deployed or taken out of production. */
  version: number | null;
  undeployed: boolean;
  changedSinceDeploy: boolean;
  /** Who deployed the production version (the job's owner in production). */
  owner: string | null;
  stream: { state: StreamSupervision["state"]; lag: number | null; lagUnit: string | null; restarts: number } | null;
  lastInstance: { bizdate: string; state: string; attempt: number; endedAtMs: number | null } | null;
  health: number | null;
}

const PARALLEL = 8;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

export async function jobsOverview(ctx: ProjectContext, orchestrator?: Pick<Orchestrator, "streamStatus">): Promise<JobOverview[]> {
  const [jobs, newest] = await Promise.all([
    listJobs(ctx),
    ctx.db.selectDistinctOn([batchInstances.jobName], {
      job: batchInstances.jobName, bizdate: batchInstances.bizdate, state: batchInstances.state, attempt: batchInstances.attempt, endedAt: batchInstances.endedAt,
    }).from(batchInstances).where(eq(batchInstances.projectId, ctx.project.id))
      .orderBy(batchInstances.jobName, desc(batchInstances.bizdate)),
  ]);
  const last = new Map(newest.map((r) => [r.job, r]));
  const live = jobs.filter((j) => j.production && !j.production.undeployedAt).map((j) => j.name);
  const streams = new Map<string, StreamSupervision | undefined>();
  const health = new Map<string, number>();
  await eachLimited(live, async (job) => {
    let stream: StreamSupervision | undefined;
    try {
      stream = await orchestrator?.streamStatus(ctx.project.name, job);
    } catch {
      stream = undefined; // the supervisor unreachable: the list shows no stream status rather than failing
    }
    streams.set(job, stream);
    // The health sources ask the same supervisor: they are handed the answer already fetched.
    const h = await jobHealth(ctx, job, { orchestrator: { streamStatus: () => Promise.resolve(stream) } }).catch(() => undefined);
    if (h) health.set(job, h.score);
  });
  return jobs.map((j) => {
    const s = streams.get(j.name);
    const i = last.get(j.name);
    const inProduction = j.production !== null && j.production.undeployedAt === null;
    return {
      name: j.name, description: j.description, updatedAtMs: j.updatedAt.getTime(),
      version: inProduction ? j.production?.version ?? null : null,
      undeployed: j.production !== null && !inProduction,
      changedSinceDeploy: j.changedSinceDeploy,
      owner: j.production?.deployedBy ?? null,
      stream: s ? { state: s.state, lag: s.metrics?.lag ?? null, lagUnit: s.metrics?.lagUnit ?? null, restarts: s.restarts } : null,
      lastInstance: i ? { bizdate: i.bizdate, state: i.state, attempt: i.attempt, endedAtMs: i.endedAt?.getTime() ?? null } : null,
      health: health.get(j.name) ?? null,
    };
  });
}
