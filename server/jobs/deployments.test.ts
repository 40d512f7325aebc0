import crypto from "node:crypto";
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { testUser } from "../auth/testing";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { translateJob } from "../sql/translate/index";
import { getDeployment } from "./deployments";

// Deployments: owners deploy the saved job (validated and translated first), versions count up, a
// rollback is a new version with the old spec, editors and viewers are refused, every deploy is audited,
// and the stored script never holds a secret.

const box = new SecretBox(crypto.randomBytes(32));
const JOB = "coupon_daily_stats";
let handle: DatabaseHandle;
let project: ProjectRef;
let owner: Extract<Actor, { kind: "user" }>;
let editor: Extract<Actor, { kind: "user" }>;
let viewer: Extract<Actor, { kind: "user" }>;
/** Edits the saved job's SQL as the editor (a later issue's job editor) would. */
const saveSql = (text: string) =>
  handle.db.execute(sql`UPDATE jobs SET spec = jsonb_set(spec, '{sql}', to_jsonb(${text}::text)) WHERE name = ${JOB} AND project_id = ${project.id}`);
const api = (actor: Actor) => createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  const name = uniqueName("deploy");
  const file = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`)).file;
  await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: { kind: "local" } });
  project = await getProject(handle.db, name);
  owner = await testUser(handle.db, { roles: [[project, "owner"]] });
  editor = await testUser(handle.db, { roles: [[project, "editor"]] });
  viewer = await testUser(handle.db, { roles: [[project, "viewer"]] });
});
afterAll(async () => {
  await handle.close();
});

describe("job deployments", () => {
  it("lists the saved jobs as not deployed before the first deploy", async () => {
    const jobs = await api(viewer).jobs.list({ project: project.name });
    expect(jobs.map((j) => j.name)).toContain(JOB);
    const job = jobs.find((j) => j.name === JOB);
    expect(job).toMatchObject({ production: null, changedSinceDeploy: true });
  });

  it("refuses editors and viewers, and writes nothing for them", async () => {
    await expect(api(editor).jobs.deploy({ project: project.name, job: JOB })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/is editor in project .*needs owner/) });
    await expect(api(viewer).jobs.deploy({ project: project.name, job: JOB })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await api(viewer).jobs.deployments({ project: project.name, name: JOB })).toEqual([]);
  });

  it("deploys version 1 with the stream script (secrets masked) and the tables it reads and writes, audited", async () => {
    const d = await api(owner).jobs.deploy({ project: project.name, job: JOB, note: "first release" });
    expect(d).toMatchObject({ version: 1, job: JOB, rollbackOf: null, deployedBy: owner.email, note: "first release" });
    expect(d.sources).toEqual(["mix_coupon_events"]);
    expect(d.sinks).toEqual(["ads_coupon_daily"]);
    expect(d.streamScript).toContain("INSERT INTO ads_coupon_daily");
    expect(d.streamScript).toContain("******");
    expect(d.streamScript).not.toContain("tandem-demo-password");

    const detail = await api(viewer).jobs.get({ project: project.name, name: JOB });
    expect(detail.production).toMatchObject({ version: 1, deployedBy: owner.email });
    expect(detail.changedSinceDeploy).toBe(false);

    const audit = await api(owner).audit.list({ project: project.name, action: "job." });
    expect(audit.rows[0]).toMatchObject({ action: "job.deploy", name: JOB, actor: { label: owner.email }, details: { version: 1, note: "first release" } });
  });

  it("a changed job deploys as version 2; a rollback to 1 is version 3 with version 1's SQL", async () => {
    const v1 = await api(viewer).jobs.get({ project: project.name, name: JOB });
    const changedSql = v1.spec.sql.replace("COUNT(*) AS pv", "COUNT(1) AS pv");
    expect(changedSql).not.toBe(v1.spec.sql);
    await saveSql(changedSql);
    expect((await api(viewer).jobs.get({ project: project.name, name: JOB })).changedSinceDeploy).toBe(true);

    const v2 = await api(owner).jobs.deploy({ project: project.name, job: JOB });
    expect(v2.version).toBe(2);
    expect(v2.spec.sql).toContain("COUNT(1) AS pv");

    const v3 = await api(owner).jobs.rollback({ project: project.name, job: JOB, toVersion: 1, note: "pv regressed" });
    expect(v3).toMatchObject({ version: 3, rollbackOf: 1 });
    expect(v3.spec.sql).toBe(v1.spec.sql);
    const history = await api(viewer).jobs.deployments({ project: project.name, name: JOB });
    expect(history.map((h) => [h.version, h.rollbackOf])).toEqual([[3, 1], [2, null], [1, null]]);
    // The saved job still has the newer SQL: production runs v3 (= v1), the draft differs from it.
    expect((await api(viewer).jobs.get({ project: project.name, name: JOB })).changedSinceDeploy).toBe(true);
    const audit = await api(owner).audit.list({ project: project.name, action: "job.rollback" });
    expect(audit.rows[0]).toMatchObject({ name: JOB, details: { version: 3, rollbackOf: 1, note: "pv regressed" } });
  });

  it("a job whose SQL no longer validates is refused with the line and column, and nothing is recorded", async () => {
    const before = await api(viewer).jobs.deployments({ project: project.name, name: JOB });
    await saveSql("INSERT INTO ads_coupon_daily\nSELECT dt, coupon_idd FROM mix_coupon_events");
    const refused = api(owner).jobs.deploy({ project: project.name, job: JOB });
    await expect(refused).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cannot be deployed.*line 2, column \d+:.*coupon_idd/s) });
    expect(await api(viewer).jobs.deployments({ project: project.name, name: JOB })).toHaveLength(before.length);
  });

  it("a version runs the catalog slice it was deployed with, whatever the catalog says later", async () => {
    const ctx = { db: handle.db, actor: owner, project };
    const v1 = await getDeployment(ctx, JOB, 1);
    expect([...(v1.catalog?.metaTables.keys() ?? [])]).toEqual(["ads_coupon_daily", "mix_coupon_events"]);
    const tables = [...(v1.catalog?.physicalTables.keys() ?? [])];
    expect(tables.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(v1.catalog?.connections.get("demo_serving"))).not.toContain("tandem-demo-password");
    expect(v1.lineage?.tables).toEqual([expect.objectContaining({ sink: "ads_coupon_daily", sources: ["mix_coupon_events"] })]);
    expect(v1.batchScript).toContain("INSERT OVERWRITE");

    const [first] = tables;
    await handle.db.execute(sql`UPDATE physical_tables SET spec = jsonb_set(spec, '{description}', '"edited after the deploy"') WHERE project_id = ${project.id} AND name = ${first}`);
    const again = await getDeployment(ctx, JOB, 1);
    expect(again.catalog?.physicalTables.get(first!)?.description).not.toBe("edited after the deploy");
    // The frozen slice alone translates the version's SQL to the script that was reviewed at deploy.
    const t = translateJob(again.catalog!, again.spec, { bizdate: again.deployedAt.toISOString().slice(0, 10) });
    expect(t.errors).toEqual([]);
    expect(t.stream?.split("\n").filter((l) => !l.includes("password")).join("\n")).toBe(again.streamScript?.split("\n").filter((l) => !l.includes("password")).join("\n"));
    // The newest version is the default.
    expect((await getDeployment(ctx, JOB)).version).toBe(3);
    await expect(getDeployment(ctx, "never_deployed")).rejects.toThrow(/never deployed/);
  });

  it("unknown jobs and versions are NOT_FOUND", async () => {
    await expect(api(owner).jobs.deploy({ project: project.name, job: "no_such_job" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api(owner).jobs.rollback({ project: project.name, job: JOB, toVersion: 99 })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("v99") });
  });
});
