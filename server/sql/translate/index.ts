import type { Issue } from "../../errors";
import type { CatalogSnapshot, JobSpecParsed } from "../../catalog/schemas";
import { extractLineageFrom, type Lineage } from "../lineage";
import { flinkSyntaxErrors, type SyntaxIssue } from "../parser";
import { compileSide, dedupe, jobPath, type CompiledSide } from "../validate";
import { isIsoDate, variableClashes } from "../variables";
import type { SecretResolver } from "../ddl";
import { clearDuckdbCaches } from "../duckdb/convert";
import { buildFlinkScript, type ScriptKind } from "./flink";
import { buildLocalScripts, type LocalScripts } from "./local";
import type { TranslateContext } from "./common";

// translateJob: one job, one bizdate -> the stream, batch, hybrid and local scripts plus lineage.

export interface TranslateOptions {
  /** YYYY-MM-DD */
  bizdate: string;
  /** Only when submitting to an engine: fills secrets instead of '******'. */
  resolveSecret?: SecretResolver;
  /** Skip the DuckDB scripts (e.g. for the editor's live preview). */
  local?: boolean;
}

export interface Translation {
  job: string;
  bizdate: string;
  stream: string | null;
  batch: string | null;
  /** Null when the job has no hybrid settings. */
  hybrid: string | null;
  local: LocalScripts | null;
  lineage: Lineage;
  errors: Issue[];
  warnings: Issue[];
}

export function translateJob(catalog: CatalogSnapshot, job: JobSpecParsed, opts: TranslateOptions): Translation {
  const path = jobPath(job);
  const empty: Translation = {
    job: job.name, bizdate: opts.bizdate, stream: null, batch: null, hybrid: null, local: null,
    lineage: { tables: [], columns: [] }, errors: [], warnings: [],
  };
  if (!isIsoDate(opts.bizdate)) {
    return { ...empty, errors: [{ path: `jobs.${job.name}`, message: `bizdate '${opts.bizdate}' is not a date; use YYYY-MM-DD` }] };
  }
  const stream = compileSide(catalog, job, opts.bizdate, "stream");
  const batch = stream.sub.used.has("mode") ? compileSide(catalog, job, opts.bizdate, "batch") : stream;
  const errors = dedupe([...variableClashes(job.variables, `jobs.${job.name}`), ...stream.issues, ...(batch === stream ? [] : batch.issues)]);
  if (errors.length > 0) return { ...empty, errors };

  const ctx: TranslateContext = { catalog, job, bizdate: opts.bizdate, path, issues: [], warnings: [] };
  const build = (compiled: CompiledSide, kind: ScriptKind): string => {
    const { script, pieces } = buildFlinkScript(ctx, compiled, kind, { resolveSecret: opts.resolveSecret });
    guardReparse(ctx, script, pieces, kind);
    return script;
  };
  const out: Translation = { ...empty };
  out.stream = build(stream, "stream");
  out.batch = build(batch, "batch");
  out.hybrid = job.hybrid ? build(stream, "hybrid") : null;
  out.lineage = extractLineageFrom(catalog, stream.analysis);
  if (opts.local !== false) out.local = buildLocalScripts(ctx, stream, batch);
  out.errors = dedupe(ctx.issues);
  out.warnings = dedupe(ctx.warnings);
  if (out.errors.length > 0) return { ...out, stream: null, batch: null, hybrid: null, local: null };
  return out;
}

/** A generated Flink script that does not parse is a bug in the translator: report it as one. */
function guardReparse(ctx: TranslateContext, script: string, pieces: string[], kind: ScriptKind): void {
  for (const piece of pieces) {
    const e = cachedSyntaxErrors(piece)[0];
    if (!e) continue;
    const line = script.slice(0, script.indexOf(piece) + e.start).split("\n").length;
    ctx.issues.push({ path: ctx.path, message: `internal error: the generated ${kind} script does not parse (line ${line}: ${e.message}); please report this with the job` });
    return;
  }
}

// The same statement text always gets the same verdict: DDL and views repeat across translations.
const verdicts = new Map<string, SyntaxIssue[]>();
function cachedSyntaxErrors(text: string): SyntaxIssue[] {
  const hit = verdicts.get(text);
  if (hit) return hit;
  const errs = flinkSyntaxErrors(text);
  if (verdicts.size >= 2000) verdicts.clear();
  verdicts.set(text, errs);
  return errs;
}

/** For benchmarks: forget every memoized verdict and conversion. */
export function clearVerdictCache(): void {
  verdicts.clear();
  clearDuckdbCaches();
}
