import { projectAction, router } from "../trpc";
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
});
