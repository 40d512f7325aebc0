import { authorize } from "../../server/auth/authorize";
import { undeployJob, withdrawFromOrchestrator } from "../../server/jobs/undeploy";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";
import { withOrchestrator } from "../orchestrator";
import type { UndeployOptions } from "../commands/undeploy";

// `tandem undeploy --project <p> --job <j> [--note ...]`: what the API's jobs.undeploy does, under the same
// policy (job.deploy). A job that is not deployed is refused, saying since when.

export async function undeployCommand(opts: UndeployOptions): Promise<void> {
  await withCliContext("undeploy", async (ctx) => {
    const project = await getProject(ctx.db, opts.project);
    const pctx = { ...ctx, project };
    await authorize(ctx.db, ctx.actor, "job.deploy", project);
    const u = await undeployJob(pctx, { job: opts.job, note: opts.note });
    const w = await withOrchestrator((o) => withdrawFromOrchestrator(o, pctx, u.job));
    if (opts.json) return void process.stdout.write(`${JSON.stringify({ ...u, ...w }, null, 2)}\n`);
    process.stdout.write(`undeployed ${u.job} (v${u.version} was in production); its deployment history is kept\n`);
    process.stdout.write(w.withdrawn
      ? `schedule removed; ${w.streamStopped ? "stream stopped with a savepoint" : "no stream was running"}\n`
      : "no Temporal is running for this data folder: nothing was scheduled or running\n");
  });
}
