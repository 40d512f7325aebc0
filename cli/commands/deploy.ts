import { InvalidArgumentError, type Command } from "commander";
import { authorize } from "../../server/auth/authorize";
import { deployJob, listDeployments, rollbackJob, type Deployment } from "../../server/jobs/deployments";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";

// `tandem deploy --project <p> --job <j> [--note ...] [--rollback-to N] [--history]`: what the workbench's
// Deploy and Roll back buttons do, for CI pipelines (with an owner's TANDEM_TOKEN). Same policy: job.deploy.

function line(d: Deployment): string {
  const what = d.rollbackOf === null ? "deployed" : `rolled back to v${d.rollbackOf}`;
  return `v${d.version}  ${d.deployedAt.toISOString()}  ${d.deployedBy}  ${what}  reads ${d.sources.join(", ") || "-"} -> writes ${d.sinks.join(", ") || "-"}${d.note ? `  "${d.note}"` : ""}`;
}

export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description("Deploy a saved job to production (owners), roll it back, or list its deployments")
    .requiredOption("-p, --project <name>", "the job's project")
    .requiredOption("--job <name>", "the job")
    .option("--note <text>", "why, for the history and the audit trail", "")
    .option("--rollback-to <version>", "deploy this earlier version's spec again (as a new version)", parseVersion)
    .option("--history", "list the job's deployments instead, newest first")
    .option("--json", "print JSON")
    .action(async (opts: { project: string; job: string; note: string; rollbackTo?: number; history?: boolean; json?: boolean }) => {
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
        if (opts.json) return void process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
        process.stdout.write(`${line(d)}\n`);
      });
    });
}

/** A version number as the user typed it; anything else is refused with the form it takes. */
export function parseVersion(text: string): number {
  if (!/^\s*[1-9][0-9]{0,8}\s*$/.test(text)) throw new InvalidArgumentError(`'${text}' is not a version number: give one such as 3 (see --history).`);
  return Number(text);
}
