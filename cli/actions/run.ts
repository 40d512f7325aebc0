import path from "node:path";
import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../../db/client";
import { loadCatalogSnapshot } from "../../server/catalog/snapshot";
import type { CatalogSnapshot, JobSpecParsed } from "../../server/catalog/schemas";
import { readProjectFile, snapshotFromProjectFile } from "../../server/project-file/load";
import { listProjects, getProject } from "../../server/projects/projects";
import { dataDir, env, environmentVariable } from "../../server/env";
import { ValidationError } from "../../server/errors";
import { catalogSecrets, fileSecrets } from "../../server/engines/catalog-secrets";
import { LocalEngine } from "../../server/engines/local/engine";
import { planLocalJob, LocalPlanError } from "../../server/engines/local/from-script";
import { isEmbeddedUrl, pgDatabase, pgliteDatabase, type SqlDatabase } from "../../server/engines/local/jdbc";
import { jdbcResolver } from "../../server/engines/local/sinks";
import { UnsupportedJobError, type EngineJobStatus } from "../../server/engines/engine";
import type { SecretLookup } from "../../server/engines/local/bind";
import type { LocalJob } from "../../server/engines/local/plan";
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
    let plan: LocalJob;
    try {
      plan = planLocalJob({ catalog, job, secret }, side, bizdate);
    } catch (e) {
      if (e instanceof LocalPlanError) {
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw e;
    }
    const needsEmbedded = [...plan.statements.map((s) => s.sink.table)].some((t) => t.connection.type === "jdbc" && isEmbeddedUrl(t));
    if (needsEmbedded && !handles.embedded) handles.embedded = await embeddedDatabase(handles);
    const resolver = jdbcResolver(handles.embedded ? () => handles.embedded as SqlDatabase : undefined);
    const dir = dataDir();
    const engine = new LocalEngine({
      dataDir: dir,
      env: { baseDir: path.dirname(dir), dataDir: dir, jdbc: (t) => resolver.jdbc(t) },
      stopWhenIdle: opts.untilIdle,
    });
    if (opts.reset && side === "stream") engine.resetStreamState(job.name);
    try {
      const status = await runOnEngine(engine, job.name, side, bizdate, plan, opts);
      if (opts.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else process.stdout.write(`${summary(status)}\n`);
      if (status.state === "failed") process.exitCode = 1;
    } finally {
      await engine.close();
      await resolver.closeAll();
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

async function runOnEngine(engine: LocalEngine, job: string, side: "batch" | "stream", bizdate: string, plan: LocalJob, opts: RunOptions): Promise<EngineJobStatus> {
  const started = Date.now();
  const { id } = await engine.submit({ job, side, bizdate, local: plan });
  if (side === "batch") return engine.wait(id);
  process.stderr.write(`stream job '${job}' running (state in ${engine.stateDir(job)})${opts.untilIdle ? "" : "; Ctrl-C stops it, the next run resumes where it stopped"}\n`);
  const stop = () => { void engine.cancel(id); };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const ticker = setInterval(() => {
    void engine.status(id).then((s) => {
      const m = s.metrics;
      process.stderr.write(`  ${Math.round((Date.now() - started) / 1000)}s  in ${m.rowsIn}  out ${m.rowsOut}  batch ${m.lastCheckpoint?.id ?? 0}  lag ${m.lag ?? 0} ${m.lagUnit ?? ""}  ${m.throughputPerSec ?? 0}/s\n`);
    });
  }, 2000);
  try {
    return await engine.wait(id);
  } finally {
    clearInterval(ticker);
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
