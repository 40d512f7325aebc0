import { fileURLToPath } from "node:url";
import type { Database } from "../../db/client";
import type { SecretBox } from "../catalog/secrets";
import { environmentVariable } from "../env";
import { applyProjectFile, type ApplyPlan } from "../project-file/apply";
import { readProjectFile } from "../project-file/load";
import { listProjects } from "../projects/projects";
import type { ProjectContext } from "../context";
import { deployJob, scheduleDeployment } from "../jobs/deployments";
import type { Orchestrator } from "../orchestration";

// The demo workspace of a fresh start: the Double 11 coupon campaign, applied from the same project
// file users can read in examples/ (so the demo is also the format's reference).

export const DEMO_PROJECT_FILE = fileURLToPath(new URL("../../examples/double11.yaml", import.meta.url));

/** Seeds the demo when the catalog has no project yet; returns the plan, or undefined when skipped. */
export async function seedDemoIfEmpty(db: Database, secretBox: SecretBox): Promise<ApplyPlan | undefined> {
  if ((await listProjects(db)).length > 0) return undefined;
  const { file } = readProjectFile(DEMO_PROJECT_FILE);
  return applyProjectFile(db, file, { secretBox, readEnv: environmentVariable });
}

/** The demo's job that `tandem dev` puts into production on a fresh workspace: live stream side, daily batch side. */
export const DEMO_DEPLOYED_JOB = "coupon_daily_stats";

/**
 * Deploys the demo job as the local operator and puts it on the orchestrator: its stream side runs under
 * its supervisor, its batch side on its daily schedule. Returns the version, and whether it was scheduled.
 */
export async function deployDemo(ctx: ProjectContext, orchestrator: Orchestrator | undefined): Promise<{ version: number; scheduled: boolean }> {
  const d = await deployJob(ctx, { job: DEMO_DEPLOYED_JOB, note: "the demo, deployed by tandem dev" });
  return { version: d.version, scheduled: await scheduleDeployment(orchestrator, ctx, d) };
}
