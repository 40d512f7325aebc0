import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { apiTokens } from "../../db/schema/index";
import { openTestDatabase } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import type { ProjectRef } from "../context";
import { callerFromHeaders } from "./request";
import { testProject, testUser } from "./testing";
import { createToken, hashToken, listTokens, revokeToken } from "./tokens";

// API tokens: hashed at rest, scoped to a project and a role, capped by their user's role, expiring and
// revocable, presented as `Authorization: Bearer tdm_...`.

const settings = { mode: "login", secret: "z".repeat(40), baseURL: "http://localhost:3998" } as const;
const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;
let home: ProjectRef;
let other: ProjectRef;

beforeAll(async () => {
  handle = await openTestDatabase();
  home = await testProject(handle.db);
  other = await testProject(handle.db);
});
afterAll(async () => {
  await handle.close();
});

const bearer = (token: string, now?: Date) => callerFromHeaders(handle.db, settings, new Headers({ authorization: `Bearer ${token}` }), now);
const api = (actor: Awaited<ReturnType<typeof bearer>>) => createCallerFactory(appRouter)({ db: handle.db, actor: actor.actor, unauthenticatedReason: actor.unauthenticatedReason, secretBox: box });

describe("API tokens", () => {
  it("are stored only as a hash and shown once", async () => {
    const owner = await testUser(handle.db, { roles: [[home, "owner"]] });
    const { token, view } = await createToken({ db: handle.db, actor: owner }, { name: "ci", project: home.name, role: "editor" });
    expect(token).toMatch(/^tdm_[A-Za-z0-9_-]{43}$/);
    const [row] = await handle.db.select().from(apiTokens).where(eq(apiTokens.id, view.id));
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(10));
    const listed = await listTokens({ db: handle.db, actor: owner });
    expect(listed.map((t) => [t.name, t.role, t.project])).toEqual([["ci", "editor", home.name]]);
    expect(JSON.stringify(listed)).not.toContain(token.slice(10));
  });

  it("act in their project at their role, and nowhere else", async () => {
    const owner = await testUser(handle.db, { roles: [[home, "owner"], [other, "owner"]] });
    const { token } = await createToken({ db: handle.db, actor: owner }, { name: "ci-editor", project: home.name, role: "editor" });
    const caller = api(await bearer(token));
    expect((await caller.catalog.projects()).map((p) => [p.name, p.role])).toEqual([[home.name, "editor"]]);
    await expect(caller.catalog.tables.list({ project: home.name })).resolves.toMatchObject({ total: 0 });
    await expect(caller.catalog.connections.create({ project: home.name, spec: { name: "x", type: "filesystem", properties: { path: "/tmp" } } }))
      .rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/is editor in project .*needs owner/) });
    await expect(caller.catalog.tables.list({ project: other.name })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("cannot exceed their user's role, and follow it when it shrinks", async () => {
    const viewer = await testUser(handle.db, { roles: [[home, "viewer"]] });
    await expect(createToken({ db: handle.db, actor: viewer }, { name: "too-much", project: home.name, role: "editor" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createToken({ db: handle.db, actor: viewer }, { name: "admin", role: "admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { token } = await createToken({ db: handle.db, actor: viewer }, { name: "read", project: home.name, role: "viewer" });
    await expect(api(await bearer(token)).catalog.tables.list({ project: home.name })).resolves.toBeDefined();
  });

  it("cannot mint a token that outlives them, and say both expiry dates", async () => {
    const owner = await testUser(handle.db, { roles: [[home, "owner"]] });
    const { token, view } = await createToken({ db: handle.db, actor: owner }, { name: "one-day", project: home.name, role: "editor", expiresInDays: 1 });
    const parent = (await bearer(token)).actor;
    if (!parent) throw new Error("the new token did not verify");
    const refused = createToken({ db: handle.db, actor: parent }, { name: "ninety-days", project: home.name, role: "viewer", expiresInDays: 90 });
    await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining(view.expiresAt.toISOString()) });
    await expect(refused).rejects.toThrow(/expiring \d{4}-.*may not outlive/);
    const rows = await handle.db.select().from(apiTokens).where(eq(apiTokens.name, "ninety-days"));
    expect(rows).toEqual([]);
    await expect(createToken({ db: handle.db, actor: parent }, { name: "same-day", project: home.name, role: "viewer", expiresInDays: 1 }, { now: view.createdAt })).resolves.toMatchObject({ view: { name: "same-day" } });
  });

  it("revoked, take every token they minted with them, down the chain", async () => {
    const owner = await testUser(handle.db, { roles: [[home, "owner"]] });
    const root = await createToken({ db: handle.db, actor: owner }, { name: "root", project: home.name, role: "editor", expiresInDays: 30 });
    const rootActor = (await bearer(root.token)).actor;
    if (!rootActor) throw new Error("root did not verify");
    const child = await createToken({ db: handle.db, actor: rootActor }, { name: "child", project: home.name, role: "editor", expiresInDays: 7 });
    const childActor = (await bearer(child.token)).actor;
    if (!childActor) throw new Error("child did not verify");
    const grandchild = await createToken({ db: handle.db, actor: childActor }, { name: "grandchild", project: home.name, role: "viewer", expiresInDays: 1 });
    const sibling = await createToken({ db: handle.db, actor: owner }, { name: "sibling", project: home.name, role: "viewer", expiresInDays: 1 });
    await revokeToken({ db: handle.db, actor: owner }, root.view.id);
    for (const t of [root.token, child.token, grandchild.token]) expect((await bearer(t)).actor).toBeUndefined();
    // A token the owner made directly is not an heir of the revoked one.
    expect((await bearer(sibling.token)).actor?.kind).toBe("apiToken");
    const revoked = await handle.db.select({ name: apiTokens.name, revokedAt: apiTokens.revokedAt }).from(apiTokens).where(eq(apiTokens.parentTokenId, child.view.id));
    expect(revoked.map((r) => [r.name, r.revokedAt instanceof Date])).toEqual([["grandchild", true]]);
  });

  it("expire", async () => {
    const editor = await testUser(handle.db, { roles: [[home, "editor"]] });
    const now = new Date();
    const { token } = await createToken({ db: handle.db, actor: editor }, { name: "short", project: home.name, role: "editor", expiresInDays: 1 }, { now });
    expect((await bearer(token, new Date(now.getTime() + 86_400_000 - 1000))).actor?.kind).toBe("apiToken");
    const later = await bearer(token, new Date(now.getTime() + 86_400_000 + 1000));
    expect(later.actor).toBeUndefined();
    await expect(api(later).catalog.tables.list({ project: home.name })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(/expired or was revoked/) });
  });

  it("are revoked at once, by their owner or an admin only", async () => {
    const editor = await testUser(handle.db, { roles: [[home, "editor"]] });
    const stranger = await testUser(handle.db, { roles: [[home, "owner"]] });
    const { token, view } = await createToken({ db: handle.db, actor: editor }, { name: "ci", project: home.name, role: "editor" });
    const actor = await bearer(token);
    await expect(revokeToken({ db: handle.db, actor: stranger }, view.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await api(actor).catalog.tables.list({ project: home.name });
    expect((await revokeToken({ db: handle.db, actor: editor }, view.id)).revokedAt).toBeInstanceOf(Date);
    // A caller resolved before the revocation is refused on its next call, too.
    await expect(api(actor).catalog.tables.list({ project: home.name })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await bearer(token)).actor).toBeUndefined();
    expect((await bearer("tdm_not-a-real-token")).unauthenticatedReason).toMatch(/unknown API token/);
  });
});
