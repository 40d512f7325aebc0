import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../../db/client";
import { loadCatalogSnapshot } from "../../server/catalog/snapshot";
import type { CatalogSnapshot, JobSpecParsed } from "../../server/catalog/schemas";
import { readProjectFile, snapshotFromProjectFile } from "../../server/project-file/load";
import { listProjects, getProject } from "../../server/projects/projects";
import { dataDir, env, environmentVariable } from "../../server/env";
import { ValidationError } from "../../server/errors";
import { catalogSecrets, fileSecrets } from "../../server/engines/catalog-secrets";
import type { LocalEngine } from "../../server/engines/local/engine";
import { createLocalEngine } from "../../server/engines/registry";
import { runJobSide, submissionFor } from "../../server/engines/run-side";
import { LocalPlanError } from "../../server/engines/local/from-script";
import { isEmbeddedUrl, pgDatabase, pgliteDatabase, type SqlDatabase } from "../../server/engines/local/jdbc";
import { UnsupportedJobError, type EngineJobStatus, type PhysicalJobSubmission } from "../../server/engines/engine";
import type { SecretLookup } from "../../server/engines/local/bind";
import { secretBox } from "../database";
import type { RunOptions } from "../commands/run";

// `tandem run --job <name> --side batch|stream [--bizdate D] [-f file]`: one side of a job on the local
// engine. The catalog comes from the project file (-f) or the database; jdbc sinks on the host
// `tandem-embedded` write into Tandem's own database (DATABASE_URL, the socket of `tandem dev`, or the
// data folder opened by this command).

/** `tandem run`: plan the job for one side, run it on the local engine, print its final status. */
export async function runJob(opts: RunOptions): Promise<void> {
  if (opts.side !== "batch" && opts.side !== "stream") {
    process.stderr.write(`--side must be batch or stream, got '${opts.side}'\n`);
    process.exitCode = 2;
    return;
  }
  const side = opts.side;
  const today = new Date().toISOString().slice(0, 10);
  const bizdate = opts.bizdate ?? (side === "batch" ? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) : today);
  const handles: { db?: DatabaseHandle; embedded?: SqlDatabase } = {};
  try {
    const { catalog, job, secret } = await loadJob(opts, handles);
    let submission: PhysicalJobSubmission;
    try {
      submission = submissionFor("local", { catalog, job, secret, side, bizdate });
    } catch (e) {
      if (e instanceof LocalPlanError) {
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw e;
    }
    const needsEmbedded = (submission.local?.statements ?? []).some((s) => s.sink.table.connection.type === "jdbc" && isEmbeddedUrl(s.sink.table));
    if (needsEmbedded && !handles.embedded) handles.embedded = await embeddedDatabase(handles);
    const embedded = handles.embedded;
    const local = createLocalEngine({ dataDir: dataDir(), embedded: embedded ? () => embedded : undefined, stopWhenIdle: opts.untilIdle });
    const engine = local.engine;
    if (opts.reset && side === "stream") engine.resetStreamState(job.name);
    try {
      const status = await runOnEngine(engine, submission, opts);
      if (opts.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else process.stdout.write(`${summary(status)}\n`);
      if (status.state === "failed") process.exitCode = 1;
    } finally {
      await local.close();
    }
  } catch (e) {
    if (e instanceof ValidationError || e instanceof UnsupportedJobError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  } finally {
    if (handles.embedded) await handles.embedded.close();
    await handles.db?.close();
  }
}

/** Batch: until it ends. Stream: with a progress line every 2 s, until Ctrl-C (or drained, with --until-idle). */
async function runOnEngine(engine: LocalEngine, submission: PhysicalJobSubmission, opts: RunOptions): Promise<EngineJobStatus> {
  if (submission.side === "batch") return runJobSide(engine, submission);
  const started = Date.now();
  process.stderr.write(`stream job '${submission.job}' running (state in ${engine.stateDir(submission.job)})${opts.untilIdle ? "" : "; Ctrl-C stops it, the next run resumes where it stopped"}\n`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await runJobSide(engine, submission, {
      signal: abort.signal,
      onStatus: (s) => {
        const m = s.metrics;
        process.stderr.write(`  ${Math.round((Date.now() - started) / 1000)}s  in ${m.rowsIn}  out ${m.rowsOut}  batch ${m.lastCheckpoint?.id ?? 0}  lag ${m.lag ?? 0} ${m.lagUnit ?? ""}  ${m.throughputPerSec ?? 0}/s\n`);
      },
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

function summary(s: EngineJobStatus): string {
  const m = s.metrics;
  const lines = [`${s.job} ${s.side}: ${s.state}${s.error ? ` — ${s.error}` : ""}`, `  rows in ${m.rowsIn}, rows out ${m.rowsOut}`];
  for (const sc of m.scans ?? []) {
    lines.push(`  read ${sc.source}: ${sc.files} file(s), partitions ${sc.partitionsRead.join(", ") || "-"}${sc.partitionsMissing.length ? ` (missing: ${sc.partitionsMissing.join(", ")})` : ""}`);
  }
  if (m.lastCheckpoint) lines.push(`  last committed micro-batch ${m.lastCheckpoint.id} at ${m.lastCheckpoint.at}`);
  if (s.startedAt && s.endedAt) lines.push(`  ${Date.parse(s.endedAt) - Date.parse(s.startedAt)} ms`);
  return lines.join("\n");
}

async function loadJob(opts: RunOptions, handles: { db?: DatabaseHandle; embedded?: SqlDatabase }): Promise<{ catalog: CatalogSnapshot; job: JobSpecParsed; secret: SecretLookup }> {
  if (opts.file) {
    const file = readProjectFile(opts.file).file;
    const job = file.jobs.find((j) => j.name === opts.job);
    if (!job) throw new ValidationError([{ path: `jobs.${opts.job}`, message: `no job '${opts.job}' in ${opts.file}; jobs: ${file.jobs.map((j) => j.name).join(", ") || "none"}` }]);
    return { catalog: snapshotFromProjectFile(file), job, secret: fileSecrets(environmentVariable) };
  }
  const url = resolveSharedDatabaseUrl({ databaseUrl: env().DATABASE_URL, dataDir: dataDir() });
  handles.db = url ? await openDatabase({ kind: "postgres", url }) : await openDatabase({ kind: "pglite", dataDir: dataDir(), command: "tandem run" });
  if (handles.db.pglite) handles.embedded = pgliteDatabase(handles.db.pglite);
  else if (url) handles.embedded = pgDatabase(url);
  const db = handles.db.db;
  const projects = await listProjects(db);
  const name = opts.project ?? (projects.length === 1 ? projects[0]?.name : projects.find((p) => p.name === "double11")?.name);
  if (!name) throw new ValidationError([{ path: "project", message: `choose a project with --project: ${projects.map((p) => p.name).join(", ") || "the catalog is empty (tandem apply -f ...)"}` }]);
  const project = await getProject(db, name);
  const snap = await loadCatalogSnapshot(db, project);
  const job = snap.jobs.get(opts.job);
  if (!job) throw new ValidationError([{ path: `jobs.${opts.job}`, message: `no job '${opts.job}' in project '${name}'; jobs: ${[...snap.jobs.keys()].join(", ") || "none"}` }]);
  return { catalog: snap, job, secret: await catalogSecrets(db, project.id, secretBox()) };
}

/** Tandem's own database for `tandem-embedded` jdbc urls, when the catalog did not already open it. */
async function embeddedDatabase(handles: { db?: DatabaseHandle }): Promise<SqlDatabase> {
  const url = resolveSharedDatabaseUrl({ databaseUrl: env().DATABASE_URL, dataDir: dataDir() });
  if (url) return pgDatabase(url);
  handles.db = await openDatabase({ kind: "pglite", dataDir: dataDir(), command: "tandem run" });
  if (!handles.db.pglite) throw new Error("the embedded database did not open");
  return pgliteDatabase(handles.db.pglite);
}
