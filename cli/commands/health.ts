import type { Command } from "commander";

// `tandem health`: a deployed job's health score and findings, each with the action it calls for.

export interface HealthOptions { project?: string; job?: string; json?: boolean }

export function registerHealth(program: Command): void {
  program
    .command("health")
    .description("Health score (0-100) of a deployed job, or of every one, with what lowers it and what to do")
    .option("-p, --project <name>", "project (default: the only one, or double11)")
    .option("--job <name>", "one job (default: every deployed job, worst first)")
    .option("--json", "print JSON")
    .action(async (opts: HealthOptions) => {
      await (await import("../actions/health")).healthCommand(opts);
    });
}
