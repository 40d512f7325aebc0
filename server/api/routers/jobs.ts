import { z } from "zod";
import { Name } from "../../catalog/schemas";
import { deployJob, DeployJobInput, listDeployments, rollbackJob, RollbackJobInput } from "../../jobs/deployments";
import { getJob, listJobs } from "../../jobs/jobs";
import { projectAction, router } from "../trpc";

// Thin: jobs as saved in the catalog and their production deployments (owners deploy and roll back).
export const jobsRouter = router({
  list: projectAction("catalog.read").query(({ ctx }) => listJobs(ctx)),
  get: projectAction("catalog.read").input(z.object({ name: Name })).query(({ ctx, input }) => getJob(ctx, input.name)),
  deployments: projectAction("catalog.read").input(z.object({ name: Name })).query(({ ctx, input }) => listDeployments(ctx, input.name)),
  deploy: projectAction("job.deploy").input(DeployJobInput).mutation(({ ctx, input }) => deployJob(ctx, input)),
  rollback: projectAction("job.deploy").input(RollbackJobInput).mutation(({ ctx, input }) => rollbackJob(ctx, input)),
});
