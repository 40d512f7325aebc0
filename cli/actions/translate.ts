import { readProjectFile, snapshotFromProjectFile } from "../../server/project-file/load";
import { formatIssues, ValidationError, type Issue } from "../../server/errors";
import type { ProjectFileParsed } from "../../server/catalog/schemas";
import { translateJob, type Translation } from "../../server/sql/translate/index";
import type { LocalScript } from "../../server/sql/translate/local";
import { addDays } from "../../server/sql/variables";
import type { TranslateOptions } from "../commands/translate";

// `tandem translate -f <project file> --job <name> [--bizdate YYYY-MM-DD] [--json]`: the four scripts and
// the lineage of one job, without a database. The --json shape is documented in docs/sql-translation.md.

/** `tandem translate`: print the job's scripts and lineage (or its errors, exit 1). */
export function translateCommand(opts: TranslateOptions): void {
  const file = loadOrExit(opts.file);
  if (!file) return;
  const job = pickJob(file, opts.job);
  if (!job) return;
  const bizdate = opts.bizdate ?? addDays(new Date().toISOString().slice(0, 10), -1);
  const result = translateJob(snapshotFromProjectFile(file), job, { bizdate });
  if (opts.json) process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else process.stdout.write(formatText(result));
  if (result.errors.length > 0) {
    if (!opts.json) process.stderr.write(`job '${job.name}' is invalid:\n${indent(formatIssues(result.errors))}\n`);
    process.exitCode = 1;
  }
}

/** The documented --json output. */
export function toJson(t: Translation) {
  return {
    job: t.job,
    bizdate: t.bizdate,
    stream: t.stream,
    batch: t.batch,
    hybrid: t.hybrid,
    local: t.local,
    lineage: t.lineage,
    errors: t.errors,
    warnings: t.warnings,
  };
}

export function loadOrExit(path: string): ProjectFileParsed | undefined {
  try {
    return readProjectFile(path).file;
  } catch (e) {
    if (e instanceof ValidationError) {
      process.stderr.write(`${path} is invalid:\n${indent(e.message)}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
}

export function pickJob(file: ProjectFileParsed, name: string | undefined): ProjectFileParsed["jobs"][number] | undefined {
  const names = file.jobs.map((j) => j.name);
  const job = name ? file.jobs.find((j) => j.name === name) : file.jobs.length === 1 ? file.jobs[0] : undefined;
  if (!job) {
    process.stderr.write(name
      ? `job '${name}' is not in the project file; jobs: ${names.join(", ") || "(none)"}\n`
      : `the project file has ${names.length} jobs; choose one with --job (${names.join(", ")})\n`);
    process.exitCode = 1;
  }
  return job;
}

function indent(s: string): string {
  return s.split("\n").map((l) => `  ${l}`).join("\n");
}

function formatText(t: Translation): string {
  if (t.errors.length > 0) return "";
  const out: string[] = [];
  const section = (title: string, body: string | null, missing: string) => {
    out.push(`==== ${title} ${"=".repeat(Math.max(0, 60 - title.length))}\n${body ?? `(${missing})`}\n`);
  };
  section("stream", t.stream, "none");
  section("batch", t.batch, "none");
  section("hybrid", t.hybrid, "not configured: set hybrid.startDate on the job");
  const side = (name: string, script: LocalScript | null | undefined) => script
    ? [`-- ${name} (DuckDB)`, ...script.views.map((v) => `${v.sql};`), ...script.statements.map((s) => `-- -> ${s.sink.table} [${s.sink.mode}]\n${s.select};`)]
    : [`-- ${name}: not available locally`];
  const local = t.local
    ? [...side("batch", t.local.batch), ...side("stream", t.local.stream), ...t.local.errors.map((e) => `-- ${e.message}`)].join("\n")
    : null;
  section("local", local, t.local === null ? "not translated" : "none");
  const lines = t.lineage.tables.map((e) => `statement ${e.statement + 1}: ${e.sources.join(", ") || "(constants)"} -> ${e.sink}`);
  for (const c of t.lineage.columns) {
    const src = c.sources.map((s) => `${s.table}.${s.column}`).join(", ") || "(no column)";
    lines.push(`  ${c.sink.table}.${c.sink.column} <- ${c.transform} of ${src}`);
  }
  section("lineage", lines.join("\n"), "none");
  if (t.warnings.length > 0) out.push(`warnings:\n${indent(formatIssues(t.warnings))}\n`);
  return out.join("\n");
}

export type { Issue };
