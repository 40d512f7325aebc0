import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { projects } from "../../db/schema/index";
import type { Actor } from "../context";
import type { ApplyPlan } from "../project-file/apply";
import { authorize } from "./authorize";
import type { Action } from "./policy";

// What `tandem apply` needs, from its plan: reading the project to plan it; creating a project is a
// platform action; connection (secret) changes need connection.manage; other catalog changes catalog.write.

export function actionsForPlan(plan: ApplyPlan, dryRun: boolean): Action[] {
  if (!plan.projectExists) return ["project.create"];
  const actions = new Set<Action>(["catalog.read"]);
  if (!dryRun) {
    for (const c of plan.changes) actions.add(c.entity === "connection" ? "connection.manage" : "catalog.write");
  }
  return [...actions];
}

/** The `authorize` hook of applyProjectFile for a caller. */
export function authorizeApply(actor: Actor, dryRun: boolean) {
  return async (plan: ApplyPlan, tx: Tx): Promise<void> => {
    const [project] = await tx.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.name, plan.project));
    for (const action of actionsForPlan(plan, dryRun)) await authorize(tx, actor, action, project);
  };
}
