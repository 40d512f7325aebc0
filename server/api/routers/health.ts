import { z } from "zod";
import { Name } from "../../catalog/schemas";
import { jobHealth, projectHealth } from "../../health/index";
import { projectAction, router } from "../trpc";

// Thin: the health score of a deployed job (or of every one), with each finding and the action it calls for.
// The stream findings need the orchestrator (restarts, lag, checkpoints); without one they are left out.
export const healthRouter = router({
  job: projectAction("catalog.read").input(z.object({ job: Name })).query(({ ctx, input }) => jobHealth(ctx, input.job, { orchestrator: ctx.orchestrator })),
  project: projectAction("catalog.read").query(({ ctx }) => projectHealth(ctx, { orchestrator: ctx.orchestrator })),
});
