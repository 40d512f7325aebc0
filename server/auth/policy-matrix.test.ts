import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { appRouter } from "../api/root";
import { createCallerFactory, PolicyProbeAllowed, publicProcedure, projectProcedure, router, type ProcedureMeta, type TrpcContext } from "../api/trpc";
import { POLICY, ROLES, roleAllows, type Policy, type Role } from "./policy";
import { testProject, testUser } from "./testing";
import { createToken, verifyToken } from "./tokens";

// The policy matrix, generated from the router: every procedure must declare a policy, and for every
// kind of caller the guard must grant or refuse exactly as policy.ts says. Calls run as probes: the guard
// decides, then stops before input parsing and the handler, so no procedure needs valid input here.

type AnyProcedure = { _def: { meta?: ProcedureMeta; type: string } };
function procedures(r: { _def: unknown }): [string, AnyProcedure][] {
  return Object.entries((r._def as { procedures: Record<string, AnyProcedure> }).procedures);
}
function unguarded(r: { _def: unknown }): string[] {
  return procedures(r).filter(([, p]) => !p._def.meta?.policy).map(([path]) => path);
}

const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;
let home: ProjectRef;
let elsewhere: ProjectRef;
const callers: { label: string; actor: Actor | undefined; role: Role | "anonymous" | "outsider" }[] = [];

beforeAll(async () => {
  handle = await openTestDatabase();
  home = await testProject(handle.db);
  elsewhere = await testProject(handle.db);
  callers.push({ label: "anonymous", actor: undefined, role: "anonymous" });
  callers.push({ label: "outsider (owner elsewhere)", actor: await testUser(handle.db, { roles: [[elsewhere, "owner"]] }), role: "outsider" });
  for (const role of ["viewer", "editor", "owner"] as const) {
    callers.push({ label: role, actor: await testUser(handle.db, { roles: [[home, role], [elsewhere, "viewer"]] }), role });
  }
  callers.push({ label: "admin", actor: await testUser(handle.db, { isAdmin: true }), role: "admin" });
  callers.push({ label: "local operator", actor: { kind: "local" }, role: "admin" });
  callers.push({ label: "system", actor: { kind: "system", reason: "test" }, role: "admin" });
  // Tokens act as their role, capped by their user's role, only in their project.
  const owner = await testUser(handle.db, { roles: [[home, "owner"]] });
  for (const role of ["viewer", "editor"] as const) {
    const { token } = await createToken({ db: handle.db, actor: owner }, { name: `ci-${role}`, project: home.name, role });
    callers.push({ label: `${role} token`, actor: await verifyToken({ db: handle.db }, token), role });
  }
  const admin = await testUser(handle.db, { isAdmin: true });
  const { token } = await createToken({ db: handle.db, actor: admin }, { name: "ci-admin", role: "admin" });
  callers.push({ label: "admin token", actor: await verifyToken({ db: handle.db }, token), role: "admin" });
});
afterAll(async () => {
  await handle.close();
});

function expected(policy: Policy, role: Role | "anonymous" | "outsider"): "allowed" | "UNAUTHORIZED" | "FORBIDDEN" {
  if (policy === "public") return "allowed";
  if (role === "anonymous") return "UNAUTHORIZED";
  if (policy === "authenticated") return "allowed";
  if (role === "outsider") return "FORBIDDEN";
  return roleAllows(role, policy) ? "allowed" : "FORBIDDEN";
}

async function probe(actor: Actor | undefined, path: string, project: string): Promise<string> {
  const ctx: TrpcContext = { db: handle.db, actor, secretBox: box, policyProbe: true };
  const caller = createCallerFactory(appRouter)(ctx) as unknown as Record<string, unknown>;
  const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (input: unknown) => Promise<unknown>;
  try {
    await fn({ project });
    return "handler ran (the probe must stop before the handler)";
  } catch (e) {
    if (e instanceof PolicyProbeAllowed || (e instanceof TRPCError && e.cause instanceof PolicyProbeAllowed)) return "allowed";
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
}

describe("policy matrix over every procedure", () => {
  it("every procedure declares a policy (a new procedure without one fails here)", () => {
    expect(procedures(appRouter).length).toBeGreaterThan(20);
    expect(unguarded(appRouter)).toEqual([]);
    for (const [, p] of procedures(appRouter)) {
      const policy = p._def.meta?.policy;
      expect(policy === "public" || policy === "authenticated" || (policy !== undefined && policy in POLICY)).toBe(true);
    }
  });

  it("detects an unguarded procedure, and the guard refuses to run it for anyone", async () => {
    const rogue = router({ open: publicProcedure.query(() => "data"), scoped: projectProcedure.query(() => "data") });
    expect(unguarded(rogue).sort()).toEqual(["open", "scoped"]);
    for (const actor of [undefined, { kind: "local" } as const]) {
      const api = createCallerFactory(rogue)({ db: handle.db, actor, secretBox: box });
      await expect(api.open()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/declares no access policy/) });
      await expect(api.scoped({ project: home.name })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("grants or refuses every procedure for every kind of caller exactly as the policy says", async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [path, p] of procedures(appRouter)) {
      const policy = p._def.meta?.policy as Policy;
      for (const c of callers) {
        const want = expected(policy, c.role);
        const got = await probe(c.actor, path, home.name);
        checked += 1;
        if (got !== want) mismatches.push(`${path} [${policy}] as ${c.label}: expected ${want}, got ${got}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(procedures(appRouter).length * callers.length);
  });

  it("refuses project actions in a project where the caller is not a member (or only a viewer)", async () => {
    for (const c of callers.filter((c) => c.role === "editor" || c.role === "owner" || c.label === "editor token")) {
      const expectedElsewhere = c.label.endsWith("token") ? "FORBIDDEN" : "allowed"; // tokens: only their own project
      expect(await probe(c.actor, "catalog.tables.list", elsewhere.name)).toBe(expectedElsewhere);
      expect(await probe(c.actor, "catalog.tables.create", elsewhere.name)).toBe("FORBIDDEN");
      expect(await probe(c.actor, "catalog.connections.create", elsewhere.name)).toBe("FORBIDDEN");
    }
    // Unknown projects look the same as projects one is not a member of.
    const viewer = callers.find((c) => c.role === "viewer")?.actor;
    expect(await probe(viewer, "catalog.tables.list", "no_such_project_anywhere")).toBe("FORBIDDEN");
  });

  it("gives a non-admin the same code and message for a missing project and one they are not a member of", async () => {
    const outsider = callers.find((c) => c.role === "outsider")?.actor;
    const refusal = async (project: string) => {
      const caller = createCallerFactory(appRouter)({ db: handle.db, actor: outsider, secretBox: box });
      const e: unknown = await caller.catalog.tables.list({ project }).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(TRPCError);
      const { code, message } = e as TRPCError;
      return { code, message: message.replace(`'${project}'`, "'<project>'") };
    };
    const missing = await refusal("no_such_project_anywhere");
    expect(missing.code).toBe("FORBIDDEN");
    expect(await refusal(home.name)).toEqual(missing);
  });

  it("covers every action of the policy table with some role", () => {
    for (const role of ROLES) expect(typeof roleAllows(role, "catalog.read")).toBe("boolean");
    expect(roleAllows("viewer", "job.deploy")).toBe(false);
    expect(roleAllows("editor", "job.deploy")).toBe(false);
    expect(roleAllows("editor", "job.backfill")).toBe(true);
    expect(roleAllows("owner", "job.deploy")).toBe(true);
    expect(roleAllows("owner", "admin")).toBe(false);
  });
});
