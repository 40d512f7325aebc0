import crypto from "node:crypto";
import type { Database } from "../../db/client";
import { authUsers, projectMembers, type ProjectRole } from "../../db/schema/index";
import { uniqueName } from "../../db/testing/index";
import type { Actor, ProjectRef } from "../context";
import { ensureProject } from "../projects/projects";

// Test fixtures: users (without passwords, inserted directly) with memberships in fresh projects.

export async function testUser(db: Database, opts: { isAdmin?: boolean; roles?: [ProjectRef, ProjectRole][] } = {}): Promise<Extract<Actor, { kind: "user" }>> {
  const id = crypto.randomUUID();
  const email = `${uniqueName("u").toLowerCase()}@example.test`;
  await db.insert(authUsers).values({ id, email, name: email, emailVerified: true, isAdmin: opts.isAdmin ?? false });
  for (const [project, role] of opts.roles ?? []) await db.insert(projectMembers).values({ projectId: project.id, userId: id, role });
  return { kind: "user", userId: id, email };
}

export async function testProject(db: Database, prefix = "authz"): Promise<ProjectRef> {
  const p = await ensureProject(db, uniqueName(prefix));
  return { id: p.id, name: p.name };
}
