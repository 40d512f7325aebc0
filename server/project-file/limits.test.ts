import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { MAX_PROJECT_FILE_BYTES, parseProjectFile, readProjectFile } from "./load";

// A project file over the size cap, or one whose aliases expand without bound, is refused before it can
// take the server's memory; a file within the caps still loads.

const issuesOf = (run: () => unknown): string => {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationError) return JSON.stringify(e.issues);
    throw e;
  }
  throw new Error("expected a ValidationError");
};

describe("project file limits", () => {
  it("refuses text over the cap before parsing it", () => {
    const text = `project: p\n# ${"x".repeat(MAX_PROJECT_FILE_BYTES)}\n`;
    expect(issuesOf(() => parseProjectFile(text))).toMatch(/the limit is 10 MB/);
  });

  it("refuses a file over the cap by its size on disk", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tandem-limits-")), "big.yaml");
    fs.writeFileSync(file, `project: p\n# ${"x".repeat(MAX_PROJECT_FILE_BYTES)}\n`);
    try {
      expect(issuesOf(() => readProjectFile(file))).toMatch(/big\.yaml.*the limit is 10 MB/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("refuses aliases that expand exponentially", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
    const text = `project: p\nbomb:\n${levels.map((l) => `  ${l}`).join("\n")}\n`;
    expect(issuesOf(() => parseProjectFile(text))).toMatch(/too many YAML aliases/);
  });

  it("still loads a file with a few aliases and multi-byte text", () => {
    const text = `project: p\nconnections:\n  - &c { name: c1, type: print, description: "🎉 中文" }\n`;
    expect(parseProjectFile(text).file.connections[0]?.description).toBe("🎉 中文");
  });
});
