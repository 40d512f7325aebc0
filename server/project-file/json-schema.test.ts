import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { projectFileJsonSchema } from "./json-schema";

describe("project file JSON Schema", () => {
  it("docs/project-file.schema.json is the one generated from the zod schemas (run `tandem schema -o docs/project-file.schema.json`)", () => {
    const committed: unknown = JSON.parse(fs.readFileSync(new URL("../../docs/project-file.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(projectFileJsonSchema());
  });
});
