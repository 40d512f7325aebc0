import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { testProject, testUser } from "../auth/testing";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { authorizeApply } from "../auth/apply-policy";

// The audit trail: who created, changed or deleted what and when, one row per change written in the
// change's transaction (a refused or failed change leaves none), readable per project by its owners.

const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;
let project: ProjectRef;
let owner: Extract<Actor, { kind: "user" }>;
let editor: Extract<Actor, { kind: "user" }>;
let viewer: Extract<Actor, { kind: "user" }>;
const api = (actor: Actor) => createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = await testProject(handle.db, "audit");
  owner = await testUser(handle.db, { roles: [[project, "owner"]] });
  editor = await testUser(handle.db, { roles: [[project, "editor"]] });
  viewer = await testUser(handle.db, { roles: [[project, "viewer"]] });
});
afterAll(async () => {
  await handle.close();
});

describe("audit trail", () => {
  it("records who created, changed and deleted what, newest first, and nothing for refused or failed changes", async () => {
    const conn = { name: "wh", type: "filesystem", properties: { path: "/data/wh" }, secrets: { token: "audit-secret-value-1" } };
    await api(owner).catalog.connections.create({ project: project.name, spec: conn });
    await api(owner).catalog.connections.update({ project: project.name, name: "wh", spec: { ...conn, secrets: { token: "audit-secret-value-2" } } });
    const table = {
      name: "ods_x", connection: "wh", kind: "batch", columns: [{ name: "id", type: "BIGINT" }, { name: "dt", type: "STRING" }],
      options: { path: "/data/wh/ods_x", format: "parquet" }, partition: { column: "dt", format: "yyyy-MM-dd" },
    };
    await api(editor).catalog.tables.create({ project: project.name, spec: table }).catch((e: unknown) => {
      throw new Error(`table spec rejected: ${String(e)}`);
    });
    await expect(api(editor).catalog.connections.delete({ project: project.name, name: "wh" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api(owner).catalog.connections.delete({ project: project.name, name: "wh" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await api(editor).catalog.tables.delete({ project: project.name, name: "ods_x" });
    await api(owner).catalog.connections.delete({ project: project.name, name: "wh" });

    const { rows } = await api(owner).audit.list({ project: project.name });
    expect(rows.map((r) => [r.action, r.name, r.actor.label])).toEqual([
      ["connection.delete", "wh", owner.email],
      ["physicalTable.delete", "ods_x", editor.email],
      ["physicalTable.create", "ods_x", editor.email],
      ["connection.update", "wh", owner.email],
      ["connection.create", "wh", owner.email],
    ]);
    expect(rows[3]?.details).toEqual({ changedSecretKeys: ["token"] });
    expect(JSON.stringify(rows)).not.toMatch(/audit-secret-value/);
    // Paging and filters.
    const page1 = await api(owner).audit.list({ project: project.name, limit: 2 });
    const page2 = await api(owner).audit.list({ project: project.name, limit: 2, cursor: page1.cursor });
    expect([...page1.rows, ...page2.rows].map((r) => r.id)).toEqual(rows.slice(0, 4).map((r) => r.id));
    expect((await api(owner).audit.list({ project: project.name, action: "connection." })).rows).toHaveLength(3);
    // Owners read the trail; editors and viewers do not.
    await expect(api(viewer).audit.list({ project: project.name })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api(editor).audit.list({ project: project.name })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("records membership changes", async () => {
    await api(owner).members.set({ project: project.name, email: viewer.email, role: "editor" });
    await expect(api(editor).members.set({ project: project.name, email: viewer.email, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { rows } = await api(owner).audit.list({ project: project.name, action: "member.update" });
    expect(rows.map((r) => [r.name, r.details])).toEqual([[viewer.email, { role: "editor", previousRole: "viewer" }]]);
    await expect(api(owner).members.remove({ project: project.name, email: owner.email })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("records one row per change of `tandem apply`, in its transaction, and refuses what the caller may not apply", async () => {
    const name = uniqueName("audit_apply");
    const file = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`)).file;
    // Creating a project is an admin's; an owner elsewhere may not.
    await expect(applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: owner, authorize: authorizeApply(owner, false) }))
      .rejects.toMatchObject({ code: "FORBIDDEN" });
    const admin = await testUser(handle.db, { isAdmin: true });
    const plan = await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: admin, authorize: authorizeApply(admin, false) });
    const { rows } = await api(admin).audit.list({ project: name, limit: 500 });
    expect(rows).toHaveLength(plan.changes.length + 1);
    expect(new Set(rows.map((r) => r.actor.label))).toEqual(new Set([admin.email]));
    expect(rows.map((r) => r.action)).toContain("project.create");
  });
});
