import { z } from "zod";
import { ProjectFile } from "../catalog/schemas";

/** The JSON Schema of project files, generated from the zod schemas (docs/project-file.schema.json). */
export function projectFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ProjectFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    ...schema,
    $id: "https://tandem.dev/schemas/project-file.schema.json",
    title: "Tandem project file",
    description: "Connections, physical tables, meta-tables, jobs, dashboards and metric tasks of one Tandem project. Apply with `tandem apply -f <file>`.",
  };
}
