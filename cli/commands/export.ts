import type { Command } from "commander";

// `tandem export`: the options here; the work in cli/actions/export.ts, loaded only when the command runs.

export type ExportOptions = { project: string; output?: string };

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("Write a project's catalog as a project file (secrets as references, never values)")
    .requiredOption("-p, --project <name>", "project to export")
    .option("-o, --output <path>", "write to a file instead of standard output")
    .action(async (opts: ExportOptions) => {
      await (await import("../actions/export")).exportCommand(opts);
    });
}
