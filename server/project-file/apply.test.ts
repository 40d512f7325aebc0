import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import type { DatabaseHandle } from "../../db/client";
import { SecretBox } from "../catalog/secrets";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { canonicalJson } from "../catalog/canonical";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { ValidationError } from "../errors";
import { getProject } from "../projects/projects";
import { applyProjectFile, formatPlan } from "./apply";
import { exportProjectFile, projectFileToYaml } from "./export";
import { parseProjectFile } from "./load";

const DEMO_SECRET = "tandem-demo-password";
let handle: DatabaseHandle;
const box = new SecretBox(crypto.randomBytes(32));
const env: Record<string, string> = { SERVING_PASSWORD: "from-the-environment" };
const opts = { secretBox: box, readEnv: (n: string) => env[n] };

function demoFor(project: string, edit: (text: string) => string = (t) => t) {
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  return parseProjectFile(edit(text)).file;
}

async function snapshotJson(project: string) {
  const ref = await getProject(handle.db, project);
  const s = await loadCatalogSnapshot(handle.db, ref);
  return canonicalJson({ c: [...s.connections], t: [...s.physicalTables], m: [...s.metaTables], j: [...s.jobs] });
}

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("tandem apply", () => {
  it("creates everything once, and a second apply reports no changes", async () => {
    const project = uniqueName("apply");
    const file = demoFor(project);
    const first = await applyProjectFile(handle.db, file, opts);
    expect(first.projectExists).toBe(false);
    const declared = file.connections.length + file.physicalTables.length + file.metaTables.length + file.jobs.length + file.dashboards.length;
    expect(first.changes.filter((c) => c.action === "create")).toHaveLength(declared);
    const second = await applyProjectFile(handle.db, demoFor(project), opts);
    expect(second.projectExists).toBe(true);
    expect(second.changes).toEqual([]);
  });

  it("a file that only names a new project creates it, and says so truthfully", async () => {
    const project = uniqueName("apply_empty");
    const file = parseProjectFile(`project: ${project}\n`).file;
    const dry = await applyProjectFile(handle.db, file, { ...opts, dryRun: true });
    expect(formatPlan(dry, true)).toBe(`+ project ${project}\nDry run: would create the empty project '${project}'.`);
    await expect(getProject(handle.db, project)).rejects.toThrow(/does not exist/);
    const plan = await applyProjectFile(handle.db, file, opts);
    expect(formatPlan(plan, false)).toBe(`+ project ${project}\nCreated the empty project '${project}'.`);
    expect((await getProject(handle.db, project)).name).toBe(project);
    const again = await applyProjectFile(handle.db, file, opts);
    expect(formatPlan(again, false)).toBe(`No changes: project '${project}' already matches the file.`);
  });

  it("dry run reports changes without writing; updates name the changed fields", async () => {
    const project = uniqueName("dry");
    await applyProjectFile(handle.db, demoFor(project), opts);
    const before = await snapshotJson(project);
    const edited = demoFor(project, (t) => t.replace("description: Coupon dimension.\n    owner", "description: Coupons and their campaigns.\n    owner"));
    const dry = await applyProjectFile(handle.db, edited, { ...opts, dryRun: true });
    expect(dry.changes).toEqual([{ action: "update", entity: "metaTable", name: "dim_coupon", fields: ["description"] }]);
    expect(await snapshotJson(project)).toBe(before);
    await applyProjectFile(handle.db, edited, opts);
    expect(await snapshotJson(project)).not.toBe(before);
  });

  it("export round-trips: applying the exported file changes nothing, and holds no secret", async () => {
    const project = uniqueName("export");
    await applyProjectFile(handle.db, demoFor(project), opts);
    const exported = projectFileToYaml(await exportProjectFile(handle.db, await getProject(handle.db, project)));
    expect(exported).not.toContain(DEMO_SECRET);
    expect(exported).toContain("stored: true");
    const plan = await applyProjectFile(handle.db, parseProjectFile(exported).file, opts);
    expect(plan.changes).toEqual([]);
  });

  it("keeps env references as references and detects a changed secret without showing it", async () => {
    const project = uniqueName("secret");
    const withEnv = (t: string) => t.replace(`password: ${DEMO_SECRET}`, "password: { env: SERVING_PASSWORD }");
    await applyProjectFile(handle.db, demoFor(project, withEnv), opts);
    const exported = projectFileToYaml(await exportProjectFile(handle.db, await getProject(handle.db, project)));
    expect(exported).toMatch(/password:\n\s+env: SERVING_PASSWORD/);
    env.SERVING_PASSWORD = "rotated";
    const plan = await applyProjectFile(handle.db, demoFor(project, withEnv), opts);
    expect(plan.changes).toEqual([{ action: "update", entity: "connection", name: "demo_serving", fields: ["secrets.password"] }]);
    expect(JSON.stringify(plan)).not.toContain("rotated");
  });

  it("a file whose secret cannot be resolved writes nothing", async () => {
    const project = uniqueName("missing_env");
    await applyProjectFile(handle.db, demoFor(project), opts);
    const before = await snapshotJson(project);
    const file = demoFor(project, (t) => t.replace(`password: ${DEMO_SECRET}`, "password: { env: NOT_SET_ANYWHERE }").replace("Coupon dimension.\n    owner", "Changed.\n    owner"));
    await expect(applyProjectFile(handle.db, file, opts)).rejects.toThrow(ValidationError);
    expect(await snapshotJson(project)).toBe(before);
  });

  it("prune deletes what the file no longer declares; without prune it is kept and listed", async () => {
    const project = uniqueName("prune");
    await applyProjectFile(handle.db, demoFor(project), opts);
    const smaller = demoFor(project, (t) => t.slice(0, t.indexOf("jobs:")));
    const jobs = demoFor(project).jobs.map((j) => j.name).sort();
    // Jobs and the dashboards after them in the file: both go.
    const gone = [...demoFor(project).dashboards.map((d) => `dashboard:${d.name}`), ...jobs.map((j) => `job:${j}`)].sort();
    expect(jobs.length).toBeGreaterThan(0);
    const kept = await applyProjectFile(handle.db, smaller, opts);
    expect(kept.changes).toEqual([]);
    expect(kept.unmanaged.map((u) => `${u.entity}:${u.name}`).sort()).toEqual(gone);
    const pruned = await applyProjectFile(handle.db, smaller, { ...opts, prune: true });
    expect(pruned.changes.map((c) => `${c.action}:${c.entity}:${c.name}`).sort()).toEqual(gone.map((g) => `delete:${g}`));
    expect((await applyProjectFile(handle.db, smaller, opts)).unmanaged).toEqual([]);
  });

  it("a file declaring a dashboard twice is refused with the duplicate's path and line", () => {
    const project = uniqueName("dup_dashboard");
    const demo = demoFor(project);
    const first = demo.dashboards[0];
    if (!first) throw new Error("the demo has no dashboard");
    const text = projectFileToYaml({ ...demo, dashboards: [...demo.dashboards, first] });
    expect(() => parseProjectFile(text)).toThrow(new RegExp(`^dashboards\\.${first.name} \\(line \\d+, column \\d+\\): duplicate dashboard name '${first.name}'$`));
  });

  it("a bulk apply (hundreds of objects) vacuums and analyzes afterwards, outside its transaction", async () => {
    const project = uniqueName("bulk");
    const tables = Array.from({ length: 520 }, (_, i) => ({
      name: `t_${i}`, connection: "files", kind: "batch" as const,
      columns: [{ name: "id", type: "BIGINT" }, { name: "dt", type: "STRING" }], partition: { column: "dt" },
    }));
    const file = parseProjectFile(JSON.stringify({ project, connections: [{ name: "files", type: "filesystem" }], physicalTables: tables })).file;
    const plan = await applyProjectFile(handle.db, file, opts);
    expect(plan.changes).toHaveLength(521);
    expect((await applyProjectFile(handle.db, file, opts)).changes).toEqual([]);
  });
});
