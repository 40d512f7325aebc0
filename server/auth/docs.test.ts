import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { policyTableMarkdown } from "./policy";

// docs/security.md prints the policy table; it must be the table of policy.ts.
describe("docs/security.md", () => {
  it("contains the current policy table", () => {
    const doc = fs.readFileSync(fileURLToPath(new URL("../../docs/security.md", import.meta.url)), "utf8");
    expect(doc).toContain(policyTableMarkdown());
  });
});
