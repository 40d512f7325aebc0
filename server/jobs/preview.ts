import path from "node:path";
import { z } from "zod";
import { Name, JobSpec, type JobSpecParsed } from "../catalog/schemas";
import type { SecretBox } from "../catalog/secrets";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { ProjectContext } from "../context";
import { catalogSecrets } from "../engines/catalog-secrets";
import { planLocalJob } from "../engines/local/from-script";
import { previewBatchJob, type BatchPreview } from "../engines/local/preview";
import { checkStreamJob } from "../engines/local/stream";
import { previewStreamJob as previewStreamSteps, UnreadableTopic, type StreamPreview } from "../engines/local/stream-preview";
import { NotFoundError, ValidationError } from "../errors";
import { translateJob } from "../sql/translate/index";

// The studio's preview: a saved job (or the draft in the editor) run step by step on the local engine for
// one partition, nothing written; or its stream side over the last events of its topic. Bounded: a row limit per step and a time limit for the whole preview.

export const PreviewJobInput = z.object({
  job: Name,
  /** The draft in the editor; the saved SQL when absent. */
  sql: z.string().min(1).max(1_000_000).optional(),
  bizdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD"),
  limit: z.number().int().min(1).max(200).default(20),
  /** Session time zone of a draft that is not saved yet (a saved job keeps its own). */
  timeZone: z.string().max(256).optional(),
});
export type PreviewJobInput = z.input<typeof PreviewJobInput>;

const PREVIEW_TIME_LIMIT_MS = 60_000;

export async function previewJob(
  ctx: ProjectContext & { secretBox: SecretBox },
  rawInput: PreviewJobInput,
  opts: { dataDir: string; signal?: AbortSignal },
): Promise<BatchPreview & { bizdate: string }> {
  const input = PreviewJobInput.parse(rawInput);
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  // A job not saved yet (the metric builder's generated SQL) previews as a draft with the default settings.
  const saved = catalog.jobs.get(input.job) ?? (input.sql ? { name: input.job, sql: input.sql, ...(input.timeZone ? { timeZone: input.timeZone } : {}) } : undefined);
  if (!saved) throw new NotFoundError("job", input.job);
  const job: JobSpecParsed = JobSpec.parse({ ...saved, ...(input.sql ? { sql: input.sql } : {}) });
  // Errors of the SQL come back located (line, column), as validation reports them.
  const t = translateJob(catalog, job, { bizdate: input.bizdate });
  const errors = [...t.errors, ...(t.local?.errors ?? []).filter((e) => !e.message.startsWith("stream local script"))];
  if (errors.length > 0) throw new ValidationError(errors);
  const plan = planLocalJob({ catalog, job, secret: await catalogSecrets(ctx.db, ctx.project.id, ctx.secretBox) }, "batch", input.bizdate);
  if (plan.kind !== "batch") throw new ValidationError([{ path: `jobs.${job.name}`, message: "the job has no batch side to preview" }]);
  const limit = AbortSignal.timeout(PREVIEW_TIME_LIMIT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, limit]) : limit;
  const env = { baseDir: path.dirname(opts.dataDir), dataDir: opts.dataDir };
  const preview = await previewBatchJob(plan, env, { limit: input.limit, signal });
  return { ...preview, bizdate: input.bizdate };
}

export const PreviewStreamJobInput = z.object({
  job: Name,
  /** The draft in the editor; the saved SQL when absent. */
  sql: z.string().min(1).max(1_000_000).optional(),
  /** How many of the topic's newest events to run the stream side over. */
  events: z.number({ error: "events must be a whole number from 1 to 10,000" }).int("events must be a whole number from 1 to 10,000").min(1, "events must be at least 1").max(10_000, "events must be at most 10,000").default(1_000),
  limit: z.number().int().min(1).max(200).default(20),
});
export type PreviewStreamJobInput = z.input<typeof PreviewStreamJobInput>;
/** The API's input: the number of events is checked by previewStreamJob, so its refusal reads as an issue. */
export const PreviewStreamJobRequest = PreviewStreamJobInput.extend({ events: z.number().optional() });

/**
 * The stream side of a saved job (or the draft) run step by step over the last N events of its topic on
 * the local engine: nothing written, no offsets or job state touched. A topic without events gives steps
 * without rows, not an error.
 */
export async function previewStreamJob(
  ctx: ProjectContext & { secretBox: SecretBox },
  rawInput: PreviewStreamJobInput,
  opts: { dataDir: string; signal?: AbortSignal },
): Promise<StreamPreview> {
  const parsed = PreviewStreamJobInput.safeParse(rawInput);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: i.path.join(".") || "input", message: i.message })));
  const input = parsed.data;
  const catalog = await loadCatalogSnapshot(ctx.db, ctx.project);
  const saved = catalog.jobs.get(input.job);
  if (!saved) throw new NotFoundError("job", input.job);
  const job: JobSpecParsed = JobSpec.parse({ ...saved, ...(input.sql ? { sql: input.sql } : {}) });
  const today = new Date().toISOString().slice(0, 10);
  const t = translateJob(catalog, job, { bizdate: today });
  const errors = [...t.errors, ...(t.local?.errors ?? []).filter((e) => !e.message.startsWith("batch local script"))];
  if (errors.length > 0) throw new ValidationError(errors);
  const plan = planLocalJob({ catalog, job, secret: await catalogSecrets(ctx.db, ctx.project.id, ctx.secretBox) }, "stream", today);
  if (plan.kind !== "stream") throw new ValidationError([{ path: `jobs.${job.name}`, message: "the job has no stream side to preview" }]);
  const problems = checkStreamJob(plan);
  if (problems.length > 0) throw new ValidationError(problems.map((message) => ({ path: `jobs.${job.name}.stream`, message })));
  const limit = AbortSignal.timeout(PREVIEW_TIME_LIMIT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, limit]) : limit;
  const env = { baseDir: path.dirname(opts.dataDir), dataDir: opts.dataDir };
  try {
    return await previewStreamSteps(plan, env, { events: input.events, limit: input.limit, signal });
  } catch (e) {
    if (e instanceof UnreadableTopic) throw new ValidationError([{ path: `jobs.${job.name}.stream`, message: e.message }]);
    throw e;
  }
}
