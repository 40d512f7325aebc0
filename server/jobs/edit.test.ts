import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { listAuditEvents } from "../audit/audit";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { exportProjectFile, projectFileToYaml } from "../project-file/export";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";

// Jobs saved from the workbench: create, change, rename, delete (with the spec back for undo), validated
// like a project file, audited, and exported as they were saved.

const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;
let project: ProjectRef;
const local: Actor = { kind: "local" };
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: local, secretBox: box });
const SQL = "INSERT INTO dws_coupon_daily_stats\nSELECT coupon_id, COUNT(*) AS pv FROM mix_coupon_events GROUP BY coupon_id";

beforeAll(async () => {
  handle = await openTestDatabase();
  const name = uniqueName("jobedit");
  const file = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`)).file;
  await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: local });
  project = await getProject(handle.db, name);
}, 60_000);
afterAll(async () => { await handle?.close(); });

describe("jobs edited in the workbench", () => {
  it("creates a draft with defaults, refuses a duplicate name, and lists it", async () => {
    const spec = await api().jobs.create({ project: project.name, spec: { name: "draft_a", sql: SQL } });
    expect(spec.batch.cron).toBeTruthy();
    await expect(api().jobs.create({ project: project.name, spec: { name: "draft_a", sql: SQL } })).rejects.toThrow(/already exists/);
    expect((await api().jobs.list({ project: project.name })).map((j) => j.name)).toContain("draft_a");
  });

  it("refuses a bad spec with the field named and writes nothing", async () => {
    const before = (await api().jobs.list({ project: project.name })).length;
    await expect(api().jobs.create({ project: project.name, spec: { name: "Bad Name", sql: "" } })).rejects.toMatchObject({ message: expect.stringMatching(/name|SQL/i) as unknown });
    await expect(api().jobs.create({ project: project.name, spec: { name: "draft_v", sql: SQL, variables: { bizdate: "x" } } })).rejects.toThrow(/bizdate/);
    expect((await api().jobs.list({ project: project.name })).length).toBe(before);
  });

  it("saves a change and a rename, each audited; the export holds what was saved", async () => {
    await api().jobs.create({ project: project.name, spec: { name: "draft_b", sql: SQL } });
    await api().jobs.update({ project: project.name, name: "draft_b", spec: { name: "draft_b", sql: `${SQL} -- v2`, description: "edited" } });
    await api().jobs.update({ project: project.name, name: "draft_b", spec: { name: "draft_c", sql: `${SQL} -- v2`, description: "edited" } });
    await expect(api().jobs.get({ project: project.name, name: "draft_b" })).rejects.toThrow(/not found|does not exist/i);
    expect((await api().jobs.get({ project: project.name, name: "draft_c" })).spec.sql).toMatch(/-- v2$/);
    const audit = await listAuditEvents({ db: handle.db, actor: local, project }, { action: "job.update", entityName: "draft_b" });
    const mine = audit.rows;
    expect(mine.length).toBe(2);
    const exported = projectFileToYaml(await exportProjectFile(handle.db, project));
    expect(exported).toContain("name: draft_c");
    expect(exported).toContain("-- v2");
    expect(exported).not.toContain("name: draft_b");
  });

  it("refuses a rename onto another job, and renaming or deleting a deployed job", async () => {
    await api().jobs.create({ project: project.name, spec: { name: "draft_d", sql: SQL } });
    await expect(api().jobs.update({ project: project.name, name: "draft_d", spec: { name: "draft_c", sql: SQL } })).rejects.toThrow(/already exists/);
    await api().jobs.deploy({ project: project.name, job: "coupon_daily_stats" });
    const demo = await api().jobs.get({ project: project.name, name: "coupon_daily_stats" });
    await expect(api().jobs.update({ project: project.name, name: "coupon_daily_stats", spec: { ...demo.spec, name: "renamed_stats" } })).rejects.toThrow(/deployed version/);
    await expect(api().jobs.delete({ project: project.name, name: "coupon_daily_stats" })).rejects.toThrow(/deployed version/);
    expect((await api().jobs.get({ project: project.name, name: "coupon_daily_stats" })).name).toBe("coupon_daily_stats");
  });

  it("deletes a draft and hands its spec back, which re-creates it (undo)", async () => {
    const deleted = await api().jobs.delete({ project: project.name, name: "draft_d" });
    expect((await api().jobs.list({ project: project.name })).map((j) => j.name)).not.toContain("draft_d");
    await api().jobs.create({ project: project.name, spec: deleted });
    expect((await api().jobs.get({ project: project.name, name: "draft_d" })).spec).toEqual(deleted);
  });
});
