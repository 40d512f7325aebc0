import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import { authUsers, projectMembers, projects } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import type { Actor, ServiceContext } from "../context";
import { ConflictError } from "../errors";
import { authFor } from "./auth";
import { authorize, roleOf } from "./authorize";
import type { Role } from "./policy";
import { authSettings, type AuthSettings } from "./settings";

// Users. Email + password accounts are created by administrators (`tandem admin create`, or the admin API);
// single sign-on users are created by their first sign-in. Passwords are hashed by better-auth (scrypt).

export const CreateUserInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  name: z.string().trim().min(1).max(200).optional(),
  password: z.string().min(10, "at least 10 characters").max(128),
  isAdmin: z.boolean().default(false),
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

export interface UserView { id: string; email: string; name: string; isAdmin: boolean; createdAt: Date }

/**
 * Creates a user with a password. Needs the admin action, except that the local operator (who holds the
 * database) may always, which is how the first admin is made.
 */
export async function createUser(
  ctx: ServiceContext,
  settings: Extract<AuthSettings, { mode: "login" }>,
  input: CreateUserInput,
): Promise<UserView> {
  await authorize(ctx.db, ctx.actor, "admin");
  const q = CreateUserInput.parse(input);
  const [existing] = await ctx.db.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.email, q.email));
  if (existing) throw new ConflictError(`a user with email '${q.email}' already exists`);
  const auth = authFor(ctx.db, settings);
  const internal = await auth.$context;
  const hash = await internal.password.hash(q.password);
  const user = await internal.internalAdapter.createUser({ email: q.email, name: q.name ?? q.email.split("@")[0] ?? q.email, emailVerified: true }, { method: "admin" });
  await internal.internalAdapter.linkAccount({ userId: user.id, providerId: "credential", accountId: user.id, password: hash });
  if (q.isAdmin) await ctx.db.update(authUsers).set({ isAdmin: true }).where(eq(authUsers.id, user.id));
  await recordAudit(ctx.db, ctx.actor, undefined, { action: q.isAdmin ? "admin.create" : "user.create", entity: "user", name: q.email });
  return { id: user.id, email: q.email, name: user.name, isAdmin: q.isAdmin, createdAt: user.createdAt };
}

/** Grants or removes the platform admin role (admins only). */
export async function setAdmin(ctx: ServiceContext, email: string, isAdmin: boolean): Promise<UserView> {
  await authorize(ctx.db, ctx.actor, "admin");
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(authUsers).set({ isAdmin, updatedAt: new Date() }).where(eq(authUsers.email, email.toLowerCase())).returning();
    if (!row) throw new ConflictError(`no user with email '${email}'`);
    await recordAudit(tx, ctx.actor, undefined, { action: isAdmin ? "admin.grant" : "admin.revoke", entity: "user", name: row.email });
    return { id: row.id, email: row.email, name: row.name, isAdmin: row.isAdmin, createdAt: row.createdAt };
  });
}

export async function listUsers(ctx: ServiceContext): Promise<UserView[]> {
  await authorize(ctx.db, ctx.actor, "admin");
  return ctx.db.select({ id: authUsers.id, email: authUsers.email, name: authUsers.name, isAdmin: authUsers.isAdmin, createdAt: authUsers.createdAt })
    .from(authUsers).orderBy(asc(authUsers.email));
}

export async function countAdmins(db: Database): Promise<number> {
  return (await db.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.isAdmin, true))).length;
}

/** Who the caller is, for the workbench header. */
export async function describeActor(db: Database, actor: Actor): Promise<{ kind: Actor["kind"]; label: string; email?: string; name?: string; isAdmin: boolean }> {
  const platform = await roleOf(db, actor, undefined);
  if (actor.kind === "user" || actor.kind === "apiToken") {
    const [u] = await db.select({ email: authUsers.email, name: authUsers.name }).from(authUsers).where(eq(authUsers.id, actor.userId));
    return { kind: actor.kind, label: u?.email ?? actor.userId, email: u?.email, name: u?.name, isAdmin: platform === "admin" };
  }
  return { kind: actor.kind, label: actor.kind === "local" ? "Local single-user mode" : `system:${actor.reason}`, isAdmin: true };
}

/** The projects the caller can see, with the caller's role in each. Admins and the local operator see all. */
export async function listVisibleProjects(ctx: ServiceContext): Promise<{ id: string; name: string; description: string; role: Role }[]> {
  const columns = { id: projects.id, name: projects.name, description: projects.description };
  if ((await roleOf(ctx.db, ctx.actor, undefined)) === "admin") {
    return (await ctx.db.select(columns).from(projects).orderBy(asc(projects.name))).map((p) => ({ ...p, role: "admin" as const }));
  }
  if (ctx.actor.kind !== "user" && ctx.actor.kind !== "apiToken") return [];
  const mine = await ctx.db.select(columns).from(projects)
    .innerJoin(projectMembers, eq(projectMembers.projectId, projects.id))
    .where(eq(projectMembers.userId, ctx.actor.userId)).orderBy(asc(projects.name));
  const out: { id: string; name: string; description: string; role: Role }[] = [];
  for (const p of mine) {
    const role = await roleOf(ctx.db, ctx.actor, p.id); // tokens: capped, and only their own project
    if (role) out.push({ ...p, role });
  }
  return out;
}

/** One line for `tandem dev` to print at start: which mode, and what to do when login has no admin yet. */
export async function authModeNotice(db: Database): Promise<string> {
  if (authSettings().mode === "local") return "local single-user mode: no login (set TANDEM_AUTH_SECRET to turn it on; docs/security.md)";
  return (await countAdmins(db)) === 0
    ? "login is on, but there is no administrator yet: run `tandem admin create --email <you>`"
    : "login is on";
}
