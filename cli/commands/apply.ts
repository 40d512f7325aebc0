import type { Command } from "commander";

// `tandem apply`: the options here; the work in cli/actions/apply.ts, loaded only when the command runs.

export type ApplyOptions = { file: string; dryRun?: boolean; prune?: boolean; json?: boolean };

export function registerApply(program: Command): void {
  program
    .command("apply")
    .description("Make the catalog match a project file (connections, tables, meta-tables, jobs)")
    .requiredOption("-f, --file <path>", "project file (YAML or JSON)")
    .option("--dry-run", "print the changes without writing them")
    .option("--prune", "delete catalog objects of the project that the file does not declare")
    .option("--json", "print the plan as JSON")
    .action(async (opts: ApplyOptions) => {
      await (await import("../actions/apply")).applyCommand(opts);
    });
}
