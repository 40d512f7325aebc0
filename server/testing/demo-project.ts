import crypto from "node:crypto";
import fs from "node:fs";
import type { Database } from "../../db/client";
import { uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { SecretBox } from "../catalog/secrets";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { ValidationError, type Issue } from "../errors";
import { applyProjectFile } from "../project-file/apply";
import type { ProjectFileParsed } from "../catalog/schemas";
import { parseProjectFile } from "../project-file/load";

// Test setup shared by suites that need the demo catalog: a fresh project of their own (suites share a
// database on Postgres), applied with the same operation `tandem apply` uses, and a caller as the local operator.

export const DEMO_FILE_TEXT = fs.readFileSync(DEMO_PROJECT_FILE, "utf8");

const localCaller = (db: Database, secretBox: SecretBox) => createCallerFactory(appRouter)({ db, actor: { kind: "local" }, secretBox });

export interface DemoProject {
  project: string;
  secretBox: SecretBox;
  /** The secret box's key: for a worker in another process (worker-crash test). */
  masterKey: Buffer;
  /** The tRPC API as the local operator (the embedded single-user mode). */
  api: () => ReturnType<typeof localCaller>;
}

export async function applyDemoProject(db: Database, prefix: string, edit?: (file: ProjectFileParsed) => void): Promise<DemoProject> {
  const project = uniqueName(prefix);
  const masterKey = crypto.randomBytes(32);
  const secretBox = new SecretBox(masterKey);
  const file = parseProjectFile(DEMO_FILE_TEXT.replace("project: double11", `project: ${project}`)).file;
  edit?.(file);
  await applyProjectFile(db, file, { secretBox, readEnv: () => undefined });
  return { project, secretBox, masterKey, api: () => localCaller(db, secretBox) };
}

/** The located issues a project file text is refused with ([] when it is accepted). */
export function projectFileIssues(text: string): Issue[] {
  try {
    parseProjectFile(text);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  return [];
}
