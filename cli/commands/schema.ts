import fs from "node:fs";
import type { Command } from "commander";
import { projectFileJsonSchema } from "../../server/project-file/json-schema";

export function registerSchema(program: Command): void {
  program
    .command("schema")
    .description("Print the JSON Schema of project files (for editor validation and completion)")
    .option("-o, --output <path>", "write to a file instead of standard output")
    .action((opts: { output?: string }) => {
      const text = `${JSON.stringify(projectFileJsonSchema(), null, 2)}\n`;
      if (opts.output) fs.writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });
}
