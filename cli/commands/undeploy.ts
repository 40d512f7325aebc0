import type { Command } from "commander";

// `tandem undeploy`: the options here; the work in cli/actions/undeploy.ts, loaded only when the command runs.

export type UndeployOptions = { project: string; job: string; note: string; json?: boolean };

export function registerUndeploy(program: Command): void {
  program
    .command("undeploy")
    .description("Take a deployed job out of production (owners): no more scheduled days, its stream stopped with a savepoint; the history is kept")
    .requiredOption("-p, --project <name>", "the job's project")
    .requiredOption("--job <name>", "the job")
    .option("--note <text>", "why, for the audit trail", "")
    .option("--json", "print JSON")
    .action(async (opts: UndeployOptions) => {
      await (await import("../actions/undeploy")).undeployCommand(opts);
    });
}
