import fs from "node:fs";
import { projectFileJsonSchema } from "../../server/project-file/json-schema";
import type { SchemaOptions } from "../commands/schema";

/** `tandem schema`: the JSON Schema of project files. */
export function schemaCommand(opts: SchemaOptions): void {
  const text = `${JSON.stringify(projectFileJsonSchema(), null, 2)}\n`;
  if (opts.output) fs.writeFileSync(opts.output, text);
  else process.stdout.write(text);
}
