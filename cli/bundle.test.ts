import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The installed `tandem` command runs the prebuilt bundle (bin/cli-bundle.mjs), not the TypeScript sources:
// these run it as a user does, including the paths the sources find next to themselves (migrations, examples).

const root = path.resolve(import.meta.dirname, "..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-cli-bundle-"));
const current = path.join(root, "node_modules/.cache/tandem/cli.json");

function tandem(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TANDEM_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.TANDEM_TOKEN;
  return spawnSync(process.execPath, [path.join(root, "bin/tandem.mjs"), ...args], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("the tandem command (bundled)", () => {
  it("prints the help with every command", () => {
    const r = tandem("--help");
    expect(r.status).toBe(0);
    for (const command of ["dev", "apply", "export", "translate", "validate", "run", "deploy", "token", "admin"]) expect(r.stdout).toContain(command);
  });

  it("validates a project file with the SQL parser (bundled dt-sql-parser)", () => {
    const r = tandem("validate", "-f", "examples/double11.yaml");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/3 jobs valid/);
  });

  it("opens the embedded database with its migrations and plans an apply", () => {
    const r = tandem("apply", "--dry-run", "-f", "examples/double11.yaml");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\+ project double11/);
  });

  it("gives one sentence, not a stack, for a bad argument", () => {
    const r = tandem("deploy", "-p", "double11", "--job", "x", "--rollback-to", "abc");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/'abc' is not a version number/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rebuilds the bundle when a source file changes", () => {
    const before = JSON.parse(fs.readFileSync(current, "utf8")) as { builtFrom: number; entry: string };
    const source = path.join(root, "cli/commands/schema.ts");
    const stat = fs.statSync(source);
    fs.utimesSync(source, stat.atime, new Date(before.builtFrom + 1000));
    try {
      expect(tandem("--help").status).toBe(0);
      const after = JSON.parse(fs.readFileSync(current, "utf8")) as { builtFrom: number; entry: string };
      expect(after.builtFrom).toBeGreaterThan(before.builtFrom);
      expect(after.entry).not.toBe(before.entry);
    } finally {
      fs.utimesSync(source, stat.atime, stat.mtime);
    }
  });
});
