import { projectAction, router } from "../trpc";
import { scheduleDeployment } from "../../jobs/deployments";
import { withdrawFromOrchestrator } from "../../jobs/undeploy";
import { deployMetricTask, MetricTaskDeployInput, undeployMetricTask } from "../../metrics/deploy";
import { generateTask, getMetricTask, listMetricTasks, MetricTaskInput, MetricTaskName, saveMetricTask } from "../../metrics/tasks";

// Thin: the metric builder's operations live in server/metrics/. validate and generate are read-only
// (mutations only so a large spec travels in the body); save writes the task and its jobs' drafts.
export const metricsRouter = router({
  list: projectAction("catalog.read").query(({ ctx }) => listMetricTasks(ctx)),
  get: projectAction("catalog.read").input(MetricTaskName).query(({ ctx, input }) => getMetricTask(ctx, input.name)),
  validate: projectAction("catalog.read").input(MetricTaskInput).mutation(async ({ ctx, input }) => {
    const g = await generateTask(ctx, input.spec);
    return { ok: g.ok, issues: g.issues };
  }),
  generate: projectAction("catalog.read").input(MetricTaskInput).mutation(({ ctx, input }) => generateTask(ctx, input.spec)),
  save: projectAction("catalog.write").input(MetricTaskInput).mutation(({ ctx, input }) => saveMetricTask(ctx, input.spec)),
  // The task's jobs go online together (one transaction), then onto the orchestrator's schedule one by one.
  deploy: projectAction("job.deploy").input(MetricTaskDeployInput).mutation(async ({ ctx, input }) => {
    const deployments = await deployMetricTask(ctx, input);
    let scheduled = true;
    for (const d of deployments) scheduled = (await scheduleDeployment(ctx.orchestrator, ctx, d)) && scheduled;
    return { deployments: deployments.map((d) => ({ job: d.job, version: d.version })), scheduled };
  }),
  undeploy: projectAction("job.deploy").input(MetricTaskDeployInput).mutation(async ({ ctx, input }) => {
    const u = await undeployMetricTask(ctx, input);
    for (const { job } of u.undeployed) await withdrawFromOrchestrator(ctx.orchestrator, ctx, job);
    return u;
  }),
});
