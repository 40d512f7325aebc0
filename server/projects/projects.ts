import { asc, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { projects } from "../../db/schema/index";
import { NotFoundError } from "../errors";
import type { ProjectRef } from "../context";

export async function getProject(db: Database | Tx, name: string): Promise<ProjectRef> {
  const [row] = await db.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.name, name));
  if (!row) throw new NotFoundError("project", name);
  return row;
}

export async function listProjects(db: Database | Tx): Promise<{ id: string; name: string; description: string }[]> {
  return db.select({ id: projects.id, name: projects.name, description: projects.description }).from(projects).orderBy(asc(projects.name));
}

/** Creates the project if it does not exist; returns it and whether it was created. */
export async function ensureProject(db: Database | Tx, name: string, description = ""): Promise<ProjectRef & { created: boolean }> {
  const inserted = await db
    .insert(projects)
    .values({ name, description })
    .onConflictDoNothing({ target: projects.name })
    .returning({ id: projects.id, name: projects.name });
  if (inserted[0]) return { ...inserted[0], created: true };
  return { ...(await getProject(db, name)), created: false };
}
