import type { Command } from "commander";

// `tandem validate`: the options here; the work in cli/actions/validate.ts, loaded only when the command runs.

export type ValidateOptions = { file: string; job?: string; json?: boolean };

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("Check a project file: catalog rules and every job's SQL (tables, columns, variables)")
    .requiredOption("-f, --file <path>", "project file (YAML or JSON)")
    .option("--job <name>", "validate only this job's SQL")
    .option("--json", "print { ok, jobs: { <name>: issues[] } } as JSON")
    .action(async (opts: ValidateOptions) => {
      (await import("../actions/validate")).validateCommand(opts);
    });
}
