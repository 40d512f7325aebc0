import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { authUsers, PROJECT_ROLES, projectMembers } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import type { ProjectContext } from "../context";
import { NotFoundError, PreconditionFailedError } from "../errors";
import { authorize } from "./authorize";

// Project members and their roles. The API guards these with members.read / members.manage; the operations
// check again so the CLI and other callers get the same answer.

export const SetMemberInput = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()), role: z.enum(PROJECT_ROLES) });
export type SetMemberInput = z.input<typeof SetMemberInput>;

export interface MemberView { userId: string; email: string; name: string; role: (typeof PROJECT_ROLES)[number]; since: Date }

export async function listMembers(ctx: ProjectContext): Promise<MemberView[]> {
  await authorize(ctx.db, ctx.actor, "members.read", ctx.project);
  return ctx.db
    .select({ userId: authUsers.id, email: authUsers.email, name: authUsers.name, role: projectMembers.role, since: projectMembers.createdAt })
    .from(projectMembers)
    .innerJoin(authUsers, eq(authUsers.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, ctx.project.id))
    .orderBy(asc(authUsers.email));
}

/** Adds a member or changes their role. The user must exist (created by an admin, or signed in once with SSO). */
export async function setMember(ctx: ProjectContext, input: SetMemberInput): Promise<MemberView> {
  await authorize(ctx.db, ctx.actor, "members.manage", ctx.project);
  const q = SetMemberInput.parse(input);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(authUsers).where(eq(authUsers.email, q.email));
    if (!user) {
      throw new PreconditionFailedError(`no user with email '${q.email}': an admin creates it (\`tandem admin create-user\`), or the person signs in once with single sign-on`);
    }
    const [before] = await tx.select({ role: projectMembers.role }).from(projectMembers)
      .where(and(eq(projectMembers.projectId, ctx.project.id), eq(projectMembers.userId, user.id)));
    const now = new Date();
    const [row] = await tx.insert(projectMembers).values({ projectId: ctx.project.id, userId: user.id, role: q.role })
      .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role: q.role, updatedAt: now } })
      .returning();
    if (!row) throw new Error("member upsert returned no row");
    if (before?.role !== q.role) {
      await recordAudit(tx, ctx.actor, ctx.project, {
        action: before ? "member.update" : "member.create", entity: "member", name: q.email, details: { role: q.role, ...(before ? { previousRole: before.role } : {}) },
      });
    }
    return { userId: user.id, email: user.email, name: user.name, role: row.role, since: row.createdAt };
  });
}

export async function removeMember(ctx: ProjectContext, email: string): Promise<{ email: string }> {
  await authorize(ctx.db, ctx.actor, "members.manage", ctx.project);
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.email, email.toLowerCase()));
    if (!user) throw new NotFoundError("user", email);
    const members = await tx.select({ userId: projectMembers.userId, role: projectMembers.role }).from(projectMembers).where(eq(projectMembers.projectId, ctx.project.id));
    const target = members.find((m) => m.userId === user.id);
    if (!target) throw new NotFoundError("member", email);
    if (target.role === "owner" && members.filter((m) => m.role === "owner").length === 1) {
      throw new PreconditionFailedError(`'${email}' is the last owner of project '${ctx.project.name}'; make someone else owner first`);
    }
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, ctx.project.id), eq(projectMembers.userId, user.id)));
    await recordAudit(tx, ctx.actor, ctx.project, { action: "member.delete", entity: "member", name: email.toLowerCase(), details: { previousRole: target.role } });
    return { email: email.toLowerCase() };
  });
}
