import { fileURLToPath } from "node:url";
import type { Database } from "../../db/client";
import type { SecretBox } from "../catalog/secrets";
import { environmentVariable } from "../env";
import { applyProjectFile, type ApplyPlan } from "../project-file/apply";
import { readProjectFile } from "../project-file/load";
import { listProjects } from "../projects/projects";

// The demo workspace of a fresh start: the Double 11 coupon campaign, applied from the same project
// file users can read in examples/ (so the demo is also the format's reference).

export const DEMO_PROJECT_FILE = fileURLToPath(new URL("../../examples/double11.yaml", import.meta.url));

/** Seeds the demo when the catalog has no project yet; returns the plan, or undefined when skipped. */
export async function seedDemoIfEmpty(db: Database, secretBox: SecretBox): Promise<ApplyPlan | undefined> {
  if ((await listProjects(db)).length > 0) return undefined;
  const { file } = readProjectFile(DEMO_PROJECT_FILE);
  return applyProjectFile(db, file, { secretBox, readEnv: environmentVariable });
}
