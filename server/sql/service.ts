import { z } from "zod";
import type { ProjectContext } from "../context";
import { NotFoundError } from "../errors";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { JobSpec, Name, type JobSpecParsed } from "../catalog/schemas";
import { completionsAt, type Completions } from "./completion";
import { extractLineage, type Lineage } from "./lineage";
import { translateJob, type Translation } from "./translate/index";
import { validateJob, type ValidationResult } from "./validate";

// The SQL operations as the API calls them: load the project's catalog, then run the pure functions.
// All read-only; a saved job is named by `job`, a draft in the editor is passed as `sql` (and may
// override the saved job's SQL).

const Bizdate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD");

export const SqlSourceInput = z.object({
  job: Name.optional(),
  sql: z.string().min(1).max(1_000_000).optional(),
  variables: z.record(z.string(), z.string()).optional(),
}).refine((v) => v.job !== undefined || v.sql !== undefined, { error: "give a saved job's name or the sql of a draft" });
export type SqlSourceInput = z.infer<typeof SqlSourceInput>;

export const TranslateInput = z.object({ source: SqlSourceInput, bizdate: Bizdate });
export const CompletionInput = z.object({ sql: z.string().max(1_000_000), line: z.number().int().min(1), column: z.number().int().min(1) });

async function resolve(ctx: ProjectContext, source: SqlSourceInput) {
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  let job: JobSpecParsed;
  if (source.job) {
    const saved = catalog.jobs.get(source.job);
    if (!saved) throw new NotFoundError("job", source.job);
    job = { ...saved, ...(source.sql ? { sql: source.sql } : {}), ...(source.variables ? { variables: source.variables } : {}) };
  } else {
    job = JobSpec.parse({ name: "draft", sql: source.sql, variables: source.variables ?? {} });
  }
  return { catalog, job };
}

export async function validateSql(ctx: ProjectContext, source: SqlSourceInput): Promise<ValidationResult> {
  const { catalog, job } = await resolve(ctx, source);
  return validateJob(catalog, job);
}

/** Scripts for display: secrets are masked (no resolver is ever passed from the API). */
export async function translateSql(ctx: ProjectContext, input: z.infer<typeof TranslateInput>): Promise<Translation> {
  const { catalog, job } = await resolve(ctx, input.source);
  return translateJob(catalog, job, { bizdate: input.bizdate });
}

export async function lineageOfSql(ctx: ProjectContext, source: SqlSourceInput): Promise<Lineage & { errors: ValidationResult["issues"] }> {
  const { catalog, job } = await resolve(ctx, source);
  const v = validateJob(catalog, job);
  return { ...extractLineage(catalog, job), errors: v.issues };
}

export async function completeSql(ctx: ProjectContext, input: z.infer<typeof CompletionInput>): Promise<Completions> {
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  return completionsAt(catalog, input.sql, { line: input.line, column: input.column });
}
