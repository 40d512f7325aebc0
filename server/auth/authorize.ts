import { and, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { apiTokens, authUsers, projectMembers } from "../../db/schema/index";
import { actorLabel, type Actor, type ProjectRef } from "../context";
import { ForbiddenError, UnauthenticatedError } from "../errors";
import { minRole, POLICY, roleAllows, type Action, type Role } from "./policy";

// Applies the policy (policy.ts) to a caller: works out the caller's role where the action applies, and
// refuses with ForbiddenError (or UnauthenticatedError when there is no caller). Roles are read from the
// database on every call, so removing a member or revoking a token takes effect at once.

type Db = Database | Tx;

async function userRole(db: Db, userId: string, projectId: string | undefined): Promise<Role | undefined> {
  const [user] = await db.select({ isAdmin: authUsers.isAdmin }).from(authUsers).where(eq(authUsers.id, userId));
  if (!user) return undefined;
  if (user.isAdmin) return "admin";
  if (!projectId) return undefined;
  const [m] = await db.select({ role: projectMembers.role }).from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)));
  return m?.role;
}

/** A live token's scope; undefined when it is unknown, revoked or expired. */
export async function liveToken(db: Db, tokenId: string, now: Date): Promise<{ userId: string; projectId: string | null; role: Role } | undefined> {
  const [t] = await db.select().from(apiTokens).where(eq(apiTokens.id, tokenId));
  if (!t || t.revokedAt || t.expiresAt <= now) return undefined;
  return { userId: t.userId, projectId: t.projectId, role: t.role };
}

/**
 * The caller's role in a project (or, without a project, on the platform: admin or nothing).
 * A token acts as its user capped at the token's role, and only in its own project (admin tokens: any).
 */
export async function roleOf(db: Db, actor: Actor, projectId: string | undefined, now = new Date()): Promise<Role | undefined> {
  switch (actor.kind) {
    case "local":
    case "system":
      return "admin";
    case "user":
      return userRole(db, actor.userId, projectId);
    case "apiToken": {
      const token = await liveToken(db, actor.tokenId, now);
      if (!token) return undefined;
      if (token.projectId !== null && token.projectId !== projectId) return undefined;
      const base = await userRole(db, token.userId, projectId);
      return base ? minRole(token.role, base) : undefined;
    }
  }
}

/** Throws unless the caller may perform the action (in the project, for project actions). */
export async function authorize(db: Db, actor: Actor | undefined, action: Action, project?: ProjectRef, now = new Date()): Promise<Role> {
  if (!actor) throw new UnauthenticatedError("sign in first, or pass a valid API token");
  const rule = POLICY[action];
  if (rule.scope === "project" && !project) throw new Error(`action '${action}' needs a project`); // a wiring bug, never user input
  const role = await roleOf(db, actor, rule.scope === "project" ? project?.id : undefined, now);
  if (roleAllows(role, action)) return role as Role;
  if (actor.kind === "apiToken" && !(await liveToken(db, actor.tokenId, now))) {
    throw new UnauthenticatedError("the API token has expired or was revoked");
  }
  if (rule.scope === "platform") throw new ForbiddenError(`${actorLabel(actor)} may not ${action}: only administrators may`);
  if (!role) throw new ForbiddenError(`project '${project?.name ?? ""}' does not exist or ${actorLabel(actor)} is not a member of it`);
  throw new ForbiddenError(`${actorLabel(actor)} is ${role} in project '${project?.name ?? ""}'; ${action} needs ${rule.minRole} or above`);
}

/** What the caller may do in a project, for the workbench to enable or explain its buttons (the server still checks). */
export async function permissionsIn(db: Db, actor: Actor, project: ProjectRef, actions: readonly Action[]): Promise<{ role: Role | undefined; allowed: Partial<Record<Action, boolean>> }> {
  const role = await roleOf(db, actor, project.id);
  return { role, allowed: Object.fromEntries(actions.map((a) => [a, roleAllows(role, a)])) };
}
