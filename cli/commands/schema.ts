import type { Command } from "commander";

// `tandem schema`: the options here; the work in cli/actions/schema.ts, loaded only when the command runs.

export type SchemaOptions = { output?: string };

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("Print the JSON Schema of project files (for editor validation and completion)")
    .option("-o, --output <path>", "write to a file instead of standard output")
    .action(async (opts: SchemaOptions) => {
      (await import("../actions/schema")).schemaCommand(opts);
    });
}
