import { z } from "zod";
import { Name } from "../../catalog/schemas";
import { deployJob, DeployJobInput, listDeployments, rollbackJob, RollbackJobInput, scheduleDeployment } from "../../jobs/deployments";
import { getJob, listJobs } from "../../jobs/jobs";
import { jobsOverview } from "../../jobs/overview";
import { createJob, deleteJob, updateJob } from "../../jobs/edit";
import { previewJob, PreviewJobInput, previewStreamJob, PreviewStreamJobRequest } from "../../jobs/preview";
import { dataDir } from "../../env";
import { nextRuns } from "../../scheduling/next-runs";
import { streamHistory } from "../../streams/metric-history";
import { undeployJob, UndeployJobInput, withdrawFromOrchestrator } from "../../jobs/undeploy";
import { permissionsIn } from "../../auth/authorize";
import { projectAction, router } from "../trpc";

// Thin: jobs as saved in the catalog and their production deployments (owners deploy, roll back and undeploy).
export const jobsRouter = router({
  list: projectAction("catalog.read").query(({ ctx }) => listJobs(ctx)),
  // The console's list: one row per job with production version, stream status, newest instance and health.
  overview: projectAction("catalog.read").query(({ ctx }) => jobsOverview(ctx, ctx.orchestrator)),
  get: projectAction("catalog.read").input(z.object({ name: Name })).query(async ({ ctx, input }) => {
    const [job, you] = [await getJob(ctx, input.name), await permissionsIn(ctx.db, ctx.actor, ctx.project, ["job.deploy", "catalog.write"])];
    return { ...job, you: { role: you.role ?? null, canDeploy: you.allowed["job.deploy"] === true, canEdit: you.allowed["catalog.write"] === true } };
  }),
  // Drafts: editors save them (validated like a project file, audited); the spec is parsed in server/jobs.
  create: projectAction("catalog.write").input(z.object({ spec: z.unknown() })).mutation(({ ctx, input }) => createJob(ctx, input.spec)),
  update: projectAction("catalog.write").input(z.object({ name: Name, spec: z.unknown() })).mutation(({ ctx, input }) => updateJob(ctx, input.name, input.spec)),
  delete: projectAction("catalog.write").input(z.object({ name: Name })).mutation(({ ctx, input }) => deleteJob(ctx, input.name)),
  // Runs the batch side step by step on the local engine for one partition (nothing written); the request's
  // abort (the studio's Cancel) interrupts it.
  preview: projectAction("job.run").input(PreviewJobInput).mutation(({ ctx, input, signal }) => previewJob(ctx, input, { dataDir: dataDir(), signal })),
  // The stream side over the newest events of its topic, step by step; no offsets or state are touched.
  previewStream: projectAction("job.run").input(PreviewStreamJobRequest).mutation(({ ctx, input, signal }) => previewStreamJob(ctx, input, { dataDir: dataDir(), signal })),
  // The next firings of a schedule being edited, and the day each processes (nothing is saved).
  nextRuns: projectAction("catalog.read")
    .input(z.object({ cron: z.string().max(200), timezone: z.string().max(100), bizdateOffsetDays: z.number().int().min(-366).max(0) }))
    .query(({ input }) => nextRuns(input, new Date(), 5)),
  deployments: projectAction("catalog.read").input(z.object({ name: Name })).query(({ ctx, input }) => listDeployments(ctx, input.name)),
  // A deployed version goes on the job's daily schedule (when Temporal is configured): `scheduled` says so.
  deploy: projectAction("job.deploy").input(DeployJobInput).mutation(async ({ ctx, input }) => {
    const d = await deployJob(ctx, input);
    return { ...d, scheduled: await scheduleDeployment(ctx.orchestrator, ctx, d) };
  }),
  rollback: projectAction("job.deploy").input(RollbackJobInput).mutation(async ({ ctx, input }) => {
    const d = await rollbackJob(ctx, input);
    return { ...d, scheduled: await scheduleDeployment(ctx.orchestrator, ctx, d) };
  }),
  // The job's supervised stream (restarts, lag, last checkpoint, savepoint); null when none ever ran or no Temporal is configured.
  streamStatus: projectAction("catalog.read").input(z.object({ name: Name })).query(async ({ ctx, input }) =>
    (await ctx.orchestrator?.streamStatus(ctx.project.name, input.name)) ?? null),
  // The history is kept; the schedule is removed and the stream side stopped with a savepoint (when Temporal is configured).
  // The stream side's lag and throughput over the last `minutes` (samples every 10 s, kept two days).
  streamHistory: projectAction("catalog.read").input(z.object({ name: Name, minutes: z.number().int().min(1).max(2880).default(60) }))
    .query(({ ctx, input }) => streamHistory(ctx, input.name, input.minutes)),
  undeploy: projectAction("job.deploy").input(UndeployJobInput).mutation(async ({ ctx, input }) => {
    const u = await undeployJob(ctx, input);
    return { ...u, ...(await withdrawFromOrchestrator(ctx.orchestrator, ctx, u.job)) };
  }),
});
