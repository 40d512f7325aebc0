import type { Issue } from "../errors";
import { JobSpec, type CatalogSnapshot, type JobSpecParsed } from "../catalog/schemas";
import { analyze, type Analysis } from "./analyze";
import { localFunctionIssues } from "./duckdb/function-check";
import { explainSyntaxErrors } from "./known-limits";
import { parseFlinkSql, type ParsedSql } from "./parser";
import { isIsoDate, substituteVariables, variableClashes, type Mode, type Substituted } from "./variables";
import { duckdbTimeZone, effectiveTimeZone } from "./time-zone";
import { streamRefusals, zoneRefusal } from "./translate/stream-refusals";

// Validation of a job script: variables, syntax, then tables and columns against the catalog. Every
// issue carries the line and column in the user's original text (before variable substitution).

export interface JobSource {
  name: string;
  sql: string;
  variables?: Readonly<Record<string, string>>;
}

export interface CompiledSide {
  mode: Mode;
  sub: Substituted;
  parsed: ParsedSql;
  analysis: Analysis;
  issues: Issue[];
}

export function jobPath(job: JobSource): string {
  return `jobs.${job.name}.sql`;
}

/** Substitutes, parses and analyzes the script as the given side sees it. */
export function compileSide(catalog: CatalogSnapshot, job: JobSource, bizdate: string, mode: Mode): CompiledSide {
  const path = jobPath(job);
  const sub = substituteVariables(job.sql, { bizdate, mode, user: job.variables }, path);
  const parsed = parseFlinkSql(sub.text);
  const issues: Issue[] = [...sub.issues];
  for (const e of explainSyntaxErrors(sub.text, parsed.errors).slice(0, 5)) {
    issues.push({ path, ...sub.map.position(e.start), message: e.knownLimit ? e.message : `syntax error: ${e.message}` });
  }
  const analysis = analyze(parsed, catalog);
  if (parsed.errors.length === 0) {
    for (const i of analysis.issues) issues.push({ path, ...sub.map.position(i.start), message: i.message });
    for (const i of localFunctionIssues(parsed)) issues.push({ path, ...sub.map.position(i.start), message: i.message });
    if (!analysis.statements.some((s) => s.inserts.length > 0) && issues.length === 0) {
      issues.push({ path, line: 1, column: 1, message: "the job writes nothing: add INSERT INTO <meta-table> SELECT ..." });
    }
  }
  return { mode, sub, parsed, analysis, issues: sortIssues(issues) };
}

export interface ValidationResult {
  ok: boolean;
  issues: Issue[];
}

/**
 * Validates a job for both sides (the script may use ${mode}). `bizdate` only matters for the values
 * substituted; any valid date gives the same verdict.
 */
export function validateJob(catalog: CatalogSnapshot, job: JobSource | JobSpecParsed, opts: { bizdate?: string } = {}): ValidationResult {
  const bizdate = opts.bizdate ?? "2000-01-01";
  if (!isIsoDate(bizdate)) {
    return { ok: false, issues: [{ path: `jobs.${job.name}`, message: `bizdate '${bizdate}' is not a date; use YYYY-MM-DD` }] };
  }
  const stream = compileSide(catalog, job, bizdate, "stream");
  const issues = [...variableClashes(job.variables, `jobs.${job.name}`), ...stream.issues];
  if (stream.sub.used.has("mode")) issues.push(...compileSide(catalog, job, bizdate, "batch").issues);
  // Only SQL that is otherwise valid is checked against the local stream engine's limits.
  if (issues.length === 0) issues.push(...localStreamIssues(catalog, job, bizdate, stream));
  const unique = dedupe(issues);
  return { ok: unique.length === 0, issues: unique };
}

/** What the local stream engine refuses in the script, at the construct (server/sql/translate/stream-refusals.ts). */
function localStreamIssues(catalog: CatalogSnapshot, job: JobSource | JobSpecParsed, bizdate: string, stream: CompiledSide): Issue[] {
  const spec = "batch" in job ? JobSpec.safeParse(job) : JobSpec.safeParse({ name: job.name, sql: job.sql, variables: job.variables ?? {} });
  if (!spec.success) return [];
  const ctx = { catalog, job: spec.data, bizdate, path: jobPath(job), issues: [], warnings: [] };
  const named = effectiveTimeZone(spec.data, stream.analysis, stream.parsed.text);
  const zone = duckdbTimeZone(named);
  if (!zone) return [zoneRefusal(ctx, stream, named)];
  return streamRefusals(ctx, stream, zone);
}

export function sortIssues(issues: Issue[]): Issue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return sortIssues(issues.filter((i) => {
    const k = `${String(i.line)}:${String(i.column)}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }));
}
