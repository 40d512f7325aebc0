import { authorize } from "../../server/auth/authorize";
import { deployJob, listDeployments, rollbackJob, scheduleDeployment, type Deployment } from "../../server/jobs/deployments";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";
import { withOrchestrator } from "../orchestrator";
import type { DeployOptions } from "../commands/deploy";

// `tandem deploy --project <p> --job <j> [--note ...] [--rollback-to N] [--history]`: what the workbench's
// Deploy and Roll back buttons do, for CI pipelines (with an owner's TANDEM_TOKEN). Same policy: job.deploy.

function line(d: Deployment): string {
  const what = d.rollbackOf === null ? "deployed" : `rolled back to v${d.rollbackOf}`;
  return `v${d.version}  ${d.deployedAt.toISOString()}  ${d.deployedBy}  ${what}  reads ${d.sources.join(", ") || "-"} -> writes ${d.sinks.join(", ") || "-"}${d.note ? `  "${d.note}"` : ""}`;
}

/** `tandem deploy`: deploy, roll back or list a job's deployments, under the job.deploy policy. */
export async function deployCommand(opts: DeployOptions): Promise<void> {
  await withCliContext("deploy", async (ctx) => {
    const project = await getProject(ctx.db, opts.project);
    const pctx = { ...ctx, project };
    if (opts.history) {
      await authorize(ctx.db, ctx.actor, "catalog.read", project);
      const all = await listDeployments(pctx, opts.job);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      process.stdout.write(all.length === 0 ? `job '${opts.job}' has never been deployed\n` : `${all.map(line).join("\n")}\n`);
      return;
    }
    await authorize(ctx.db, ctx.actor, "job.deploy", project);
    const d = opts.rollbackTo === undefined
      ? await deployJob(pctx, { job: opts.job, note: opts.note })
      : await rollbackJob(pctx, { job: opts.job, toVersion: opts.rollbackTo, note: opts.note });
    const scheduled = await withOrchestrator((o) => scheduleDeployment(o, pctx, d));
    if (opts.json) return void process.stdout.write(`${JSON.stringify({ ...d, scheduled }, null, 2)}\n`);
    process.stdout.write(`${line(d)}\n`);
    process.stdout.write(scheduled
      ? `scheduled: ${d.spec.batch.cron} (${d.spec.batch.timezone}), each firing runs ${d.spec.batch.bizdateOffsetDays === 0 ? "its own day" : d.spec.batch.bizdateOffsetDays === -1 ? "the day before" : `the day ${-d.spec.batch.bizdateOffsetDays} days before`}\n`
      : "not scheduled: no Temporal is running for this data folder (start `tandem dev`, or set TEMPORAL_ADDRESS) - deploy again once it is\n");
  });
}

