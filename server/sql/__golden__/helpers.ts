import path from "node:path";
import { JobSpec, type CatalogSnapshot, type JobSpec as JobInput, type JobSpecParsed } from "../../catalog/schemas";
import { readProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import { translateJob, type Translation } from "../translate/index";

// Shared by the SQL tests: the golden catalog, jobs from bare SQL, and positions of tokens in a script.

const here = path.dirname(new URL(import.meta.url).pathname);
let cached: CatalogSnapshot | undefined;

export function goldenCatalog(): CatalogSnapshot {
  cached ??= snapshotFromProjectFile(readProjectFile(path.join(here, "catalog.yaml")).file);
  return cached;
}

export function demo(): { catalog: CatalogSnapshot; jobs: JobSpecParsed[] } {
  const { file } = readProjectFile(path.join(here, "../../../examples/double11.yaml"));
  return { catalog: snapshotFromProjectFile(file), jobs: file.jobs };
}

export function job(sql: string, extra: Partial<JobInput> = {}): JobSpecParsed {
  return JobSpec.parse({ name: "t", sql, ...extra });
}

export function translate(sql: string, extra: Partial<JobInput> = {}, bizdate = "2024-11-11"): Translation {
  return translateJob(goldenCatalog(), job(sql, extra), { bizdate });
}

/** 1-based line and column of the n-th occurrence of `needle` in `text`. */
export function at(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let idx = -1;
  for (let i = 0; i < occurrence; i++) {
    idx = text.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, idx).split("\n");
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** The job-script part of a generated Flink script (after the "-- Job script" marker). */
export function userPart(script: string | null): string {
  if (!script) throw new Error("no script");
  return script.slice(script.indexOf("-- Job script"));
}

/** The CREATE TEMPORARY VIEW statement of a meta-table in a script. */
export function viewOf(script: string | null, name: string): string {
  if (!script) throw new Error("no script");
  const start = script.indexOf(`CREATE TEMPORARY VIEW ${name} AS`);
  if (start < 0) throw new Error(`no view ${name}`);
  return script.slice(start, script.indexOf(";", start) + 1);
}
