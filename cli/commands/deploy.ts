import { InvalidArgumentError, type Command } from "commander";

// `tandem deploy`: the options here; the work in cli/actions/deploy.ts, loaded only when the command runs.

export type DeployOptions = { project: string; job: string; note: string; rollbackTo?: number; history?: boolean; json?: boolean };

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
    .action(async (opts: DeployOptions) => {
      await (await import("../actions/deploy")).deployCommand(opts);
    });
}

/** A version number as the user typed it; anything else is refused with the form it takes. */
export function parseVersion(text: string): number {
  if (!/^\s*[1-9][0-9]{0,8}\s*$/.test(text)) throw new InvalidArgumentError(`'${text}' is not a version number: give one such as 3 (see --history).`);
  return Number(text);
}
