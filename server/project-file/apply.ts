import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { connections, dashboards, jobs, metaTables, metricTasks, physicalTables, projects, type StoredSecret } from "../../db/schema/index";
import { canonicalJson, changedFields } from "../catalog/canonical";
import { jobRow, metaTableRow, physicalTableRow } from "../catalog/rows";
import type { ConnectionSpecParsed, ProjectFileParsed } from "../catalog/schemas";
import type { SecretBox } from "../catalog/secrets";
import { ValidationError, type Issue } from "../errors";
import { recordAudit } from "../audit/audit";
import type { Actor } from "../context";
import { snapshotFromProjectFile } from "./load";
import { checkMetricTasks, withGeneratedJobs } from "./metric-tasks";

// `tandem apply`: make the catalog of one project match a project file. Planning reads the catalog and
// computes the changes without writing; applying runs the plan in one transaction, so a file with any
// mistake writes nothing. Objects absent from the file are left alone unless `prune` is set.

export type Entity = "connection" | "physicalTable" | "metaTable" | "job" | "dashboard" | "metricTask";
export interface Change {
  action: "create" | "update" | "delete";
  entity: Entity;
  name: string;
  /** Changed fields for updates; secret keys appear as `secrets.<key>` without values. */
  fields: string[];
}
export interface ApplyPlan {
  project: string;
  projectExists: boolean;
  changes: Change[];
  /** Objects in the catalog but not in the file (deleted only with prune). */
  unmanaged: { entity: Entity; name: string }[];
}

export interface ApplyOptions {
  prune?: boolean;
  dryRun?: boolean;
  secretBox: SecretBox;
  /** Reads an environment variable for `{ env: NAME }` secrets. */
  readEnv: (name: string) => string | undefined;
  /** Who applies: recorded in the audit trail (default: the system actor "apply"). */
  actor?: Actor;
  /** Access check of the computed plan, inside the transaction (use `tx`), before anything is written. */
  authorize?: (plan: ApplyPlan, tx: Tx) => Promise<void>;
}

interface Current {
  projectId?: string;
  connections: Map<string, { id: string; type: string; description: string; properties: Record<string, string>; secrets: Record<string, StoredSecret> }>;
  physicalTables: Map<string, { id: string; spec: unknown }>;
  metaTables: Map<string, { id: string; spec: unknown }>;
  jobs: Map<string, { id: string; spec: unknown }>;
  dashboards: Map<string, { id: string; spec: unknown }>;
  metricTasks: Map<string, { id: string; spec: unknown }>;
}

const CHUNK = 500;

export async function applyProjectFile(db: Database, given: ProjectFileParsed, opts: ApplyOptions): Promise<ApplyPlan> {
  // Metric tasks are checked against the catalog the file describes before anything is read or written;
  // a task the builder would refuse to save is refused here, with its path in the file. The jobs a task
  // generates and the file lacks are applied as the task generates them.
  const tasks = checkMetricTasks(given, snapshotFromProjectFile(given));
  const file = withGeneratedJobs(given, tasks);
  const generatedJobs = tasks.jobsOf;
  return db.transaction(async (tx) => {
    const current = await loadCurrent(tx, file.project);
    const sealed = resolveSecrets(file.connections, current, opts);
    const plan = computePlan(file, current, sealed, opts.prune ?? false);
    await opts.authorize?.(plan, tx);
    // A file that only names a new project still creates it (an empty project is a change).
    if (!opts.dryRun && (plan.changes.length > 0 || !plan.projectExists)) await write(tx, file, current, sealed, plan, opts.actor ?? { kind: "system", reason: "apply" }, generatedJobs);
    return plan;
  }).then(async (plan) => {
    // PGlite runs no autovacuum: after a bulk apply the planner would have no statistics and the trigram
    // (GIN) indexes a long pending list, and list queries would fall back to full scans. VACUUM ANALYZE
    // fixes both (outside the transaction; about a second for 10,000 tables).
    if (!opts.dryRun && plan.changes.length >= ANALYZE_AFTER) await db.execute(sql`VACUUM (ANALYZE) physical_tables, meta_tables, connections, jobs`);
    return plan;
  });
}

const ANALYZE_AFTER = 500;

async function loadCurrent(tx: Tx, projectName: string): Promise<Current> {
  const empty: Current = { connections: new Map(), physicalTables: new Map(), metaTables: new Map(), jobs: new Map(), dashboards: new Map(), metricTasks: new Map() };
  const [project] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.name, projectName));
  if (!project) return empty;
  const pid = project.id;
  // One after another: on a transaction (one connection) pg would queue them anyway, with a warning.
  const c = await tx.select().from(connections).where(eq(connections.projectId, pid));
  const p = await tx.select({ id: physicalTables.id, name: physicalTables.name, spec: physicalTables.spec }).from(physicalTables).where(eq(physicalTables.projectId, pid));
  const m = await tx.select({ id: metaTables.id, name: metaTables.name, spec: metaTables.spec }).from(metaTables).where(eq(metaTables.projectId, pid));
  const j = await tx.select({ id: jobs.id, name: jobs.name, spec: jobs.spec }).from(jobs).where(eq(jobs.projectId, pid));
  const d = await tx.select({ id: dashboards.id, name: dashboards.name, spec: dashboards.spec }).from(dashboards).where(eq(dashboards.projectId, pid));
  const t = await tx.select({ id: metricTasks.id, name: metricTasks.name, spec: metricTasks.spec }).from(metricTasks).where(eq(metricTasks.projectId, pid));
  return {
    projectId: pid,
    connections: new Map(c.map((r) => [r.name, r])),
    physicalTables: new Map(p.map((r) => [r.name, r])),
    metaTables: new Map(m.map((r) => [r.name, r])),
    jobs: new Map(j.map((r) => [r.name, r])),
    dashboards: new Map(d.map((r) => [r.name, r])),
    metricTasks: new Map(t.map((r) => [r.name, r])),
  };
}

/** Per connection, the secrets as they will be stored; unchanged ones keep their stored form. */
type SealedSecrets = Map<string, Record<string, StoredSecret>>;

function resolveSecrets(conns: ConnectionSpecParsed[], current: Current, opts: ApplyOptions): SealedSecrets {
  const issues: Issue[] = [];
  const out: SealedSecrets = new Map();
  for (const c of conns) {
    const stored = current.connections.get(c.name)?.secrets ?? {};
    const result: Record<string, StoredSecret> = {};
    for (const [key, value] of Object.entries(c.secrets)) {
      const path = `connections.${c.name}.secrets.${key}`;
      const existing = stored[key];
      if (typeof value === "object" && "stored" in value) {
        if (!existing) issues.push({ path, message: `connection '${c.name}' has no stored secret '${key}' to keep; give its value or { env: NAME }` });
        else result[key] = existing;
        continue;
      }
      const source: StoredSecret["source"] = typeof value === "string" ? { literal: true } : { env: value.env };
      const plaintext = typeof value === "string" ? value : opts.readEnv(value.env);
      if (plaintext === undefined || plaintext === "") {
        issues.push({ path, message: `secret '${key}' of connection '${c.name}' reads environment variable ${"env" in source ? source.env : ""}, which is not set` });
        continue;
      }
      const same = existing && existing.fingerprint === opts.secretBox.fingerprint(plaintext) && canonicalJson(existing.source) === canonicalJson(source);
      result[key] = same ? existing : opts.secretBox.seal(plaintext, source);
    }
    out.set(c.name, result);
  }
  if (issues.length) throw new ValidationError(issues);
  return out;
}

function computePlan(file: ProjectFileParsed, current: Current, sealed: SealedSecrets, prune: boolean): ApplyPlan {
  const changes: Change[] = [];
  const unmanaged: ApplyPlan["unmanaged"] = [];

  for (const c of file.connections) {
    const before = current.connections.get(c.name);
    if (!before) {
      changes.push({ action: "create", entity: "connection", name: c.name, fields: [] });
      continue;
    }
    const fields = changedFields(
      { type: before.type, description: before.description, properties: before.properties },
      { type: c.type, description: c.description, properties: c.properties },
    );
    const after = sealed.get(c.name) ?? {};
    for (const key of new Set([...Object.keys(before.secrets), ...Object.keys(after)])) {
      const b = before.secrets[key], a = after[key];
      if (!b || !a || b.fingerprint !== a.fingerprint || canonicalJson(b.source) !== canonicalJson(a.source)) fields.push(`secrets.${key}`);
    }
    if (fields.length) changes.push({ action: "update", entity: "connection", name: c.name, fields });
  }

  const specDiff = (entity: Entity, items: { name: string }[], existing: Map<string, { spec: unknown }>) => {
    for (const item of items) {
      const before = existing.get(item.name);
      if (!before) changes.push({ action: "create", entity, name: item.name, fields: [] });
      else if (canonicalJson(before.spec) !== canonicalJson(item)) {
        changes.push({ action: "update", entity, name: item.name, fields: changedFields(before.spec as Record<string, unknown>, item) });
      }
    }
  };
  specDiff("physicalTable", file.physicalTables, current.physicalTables);
  specDiff("metaTable", file.metaTables, current.metaTables);
  specDiff("job", file.jobs, current.jobs);
  specDiff("dashboard", file.dashboards, current.dashboards);
  specDiff("metricTask", file.metricTasks, current.metricTasks);

  const declared: Record<Entity, Set<string>> = {
    connection: new Set(file.connections.map((c) => c.name)),
    physicalTable: new Set(file.physicalTables.map((t) => t.name)),
    metaTable: new Set(file.metaTables.map((m) => m.name)),
    job: new Set(file.jobs.map((j) => j.name)),
    dashboard: new Set(file.dashboards.map((d) => d.name)),
    metricTask: new Set(file.metricTasks.map((t) => t.name)),
  };
  // Deletions run dependents first: metric tasks, dashboards, jobs, meta-tables, tables, then connections.
  const existingByEntity: [Entity, Map<string, unknown>][] = [
    ["metricTask", current.metricTasks], ["dashboard", current.dashboards], ["job", current.jobs], ["metaTable", current.metaTables], ["physicalTable", current.physicalTables], ["connection", current.connections],
  ];
  for (const [entity, map] of existingByEntity) {
    for (const name of map.keys()) {
      if (declared[entity].has(name)) continue;
      if (prune) changes.push({ action: "delete", entity, name, fields: [] });
      else unmanaged.push({ entity, name });
    }
  }
  return { project: file.project, projectExists: current.projectId !== undefined, changes, unmanaged };
}

async function write(
  tx: Tx, file: ProjectFileParsed, current: Current, sealed: SealedSecrets, plan: ApplyPlan, actor: Actor, generatedJobs: ReadonlyMap<string, string[]>,
): Promise<void> {
  let projectId = current.projectId;
  if (!projectId) {
    const [p] = await tx.insert(projects).values({ name: file.project, description: file.description ?? "" }).returning({ id: projects.id });
    if (!p) throw new Error("project insert returned no row");
    projectId = p.id;
  }
  const pid = projectId;
  // One audit row per change, in this transaction (field names only: secrets appear as `secrets.<key>`).
  await recordAudit(tx, actor, { id: pid, name: file.project },
    ...(current.projectId ? [] : [{ action: "project.create", entity: "project", name: file.project, details: { via: "apply" } }]),
    ...plan.changes.map((c) => ({ action: `${c.entity}.${c.action}`, entity: c.entity, name: c.name, details: { via: "apply", ...(c.fields.length ? { fields: c.fields } : {}) } })));
  const wanted = (entity: Entity, action: Change["action"]) =>
    new Set(plan.changes.filter((c) => c.entity === entity && c.action === action).map((c) => c.name));
  const now = new Date();

  // Deletes first (dependents first), so a rename that frees a name can be re-created below.
  const del = async (entity: Entity, table: typeof metricTasks | typeof dashboards | typeof jobs | typeof metaTables | typeof physicalTables | typeof connections) => {
    const names = [...wanted(entity, "delete")];
    for (let i = 0; i < names.length; i += CHUNK) {
      await tx.delete(table).where(and(eq(table.projectId, pid), inArray(table.name, names.slice(i, i + CHUNK))));
    }
  };
  await del("metricTask", metricTasks);
  await del("dashboard", dashboards);
  await del("job", jobs);
  await del("metaTable", metaTables);
  await del("physicalTable", physicalTables);
  await del("connection", connections);

  const connectionIds = new Map<string, string>([...current.connections].map(([n, c]) => [n, c.id]));
  const createConn = wanted("connection", "create");
  const updateConn = wanted("connection", "update");
  for (const c of file.connections) {
    const values = { type: c.type, description: c.description, properties: c.properties, secrets: sealed.get(c.name) ?? {} };
    if (createConn.has(c.name)) {
      const [row] = await tx.insert(connections).values({ projectId: pid, name: c.name, ...values }).returning({ id: connections.id });
      if (row) connectionIds.set(c.name, row.id);
    } else if (updateConn.has(c.name)) {
      await tx.update(connections).set({ ...values, updatedAt: now }).where(and(eq(connections.projectId, pid), eq(connections.name, c.name)));
    }
  }
  const connectionId = (name: string) => {
    const id = connectionIds.get(name);
    if (!id) throw new Error(`connection '${name}' has no id after apply`); // validation guarantees it exists
    return id;
  };

  const createTables = wanted("physicalTable", "create");
  const updateTables = wanted("physicalTable", "update");
  const newTables = file.physicalTables.filter((t) => createTables.has(t.name)).map((t) => physicalTableRow(pid, connectionId(t.connection), t));
  for (let i = 0; i < newTables.length; i += CHUNK) await tx.insert(physicalTables).values(newTables.slice(i, i + CHUNK));
  for (const t of file.physicalTables.filter((t) => updateTables.has(t.name))) {
    await tx.update(physicalTables).set({ ...physicalTableRow(pid, connectionId(t.connection), t), updatedAt: now })
      .where(and(eq(physicalTables.projectId, pid), eq(physicalTables.name, t.name)));
  }

  const createMeta = wanted("metaTable", "create");
  const updateMeta = wanted("metaTable", "update");
  const newMeta = file.metaTables.filter((m) => createMeta.has(m.name)).map((m) => metaTableRow(pid, m));
  for (let i = 0; i < newMeta.length; i += CHUNK) await tx.insert(metaTables).values(newMeta.slice(i, i + CHUNK));
  for (const m of file.metaTables.filter((m) => updateMeta.has(m.name))) {
    await tx.update(metaTables).set({ ...metaTableRow(pid, m), updatedAt: now }).where(and(eq(metaTables.projectId, pid), eq(metaTables.name, m.name)));
  }

  const createJobs = wanted("job", "create");
  const updateJobs = wanted("job", "update");
  const newJobs = file.jobs.filter((j) => createJobs.has(j.name)).map((j) => jobRow(pid, j));
  for (let i = 0; i < newJobs.length; i += CHUNK) await tx.insert(jobs).values(newJobs.slice(i, i + CHUNK));
  for (const j of file.jobs.filter((j) => updateJobs.has(j.name))) {
    await tx.update(jobs).set({ ...jobRow(pid, j), updatedAt: now }).where(and(eq(jobs.projectId, pid), eq(jobs.name, j.name)));
  }

  const createDash = wanted("dashboard", "create");
  const updateDash = wanted("dashboard", "update");
  for (const d of file.dashboards) {
    if (createDash.has(d.name)) await tx.insert(dashboards).values({ projectId: pid, name: d.name, spec: d });
    else if (updateDash.has(d.name)) {
      await tx.update(dashboards).set({ spec: d, version: sql`${dashboards.version} + 1`, updatedAt: now }).where(and(eq(dashboards.projectId, pid), eq(dashboards.name, d.name)));
    }
  }

  // A task is stored as the builder's save stores it (spec and the names of its generated jobs); the jobs
  // themselves are the file's `jobs:` entries, written above like any job.
  const createTask = wanted("metricTask", "create");
  const updateTask = wanted("metricTask", "update");
  for (const t of file.metricTasks) {
    const generated = generatedJobs.get(t.name) ?? [];
    if (createTask.has(t.name)) await tx.insert(metricTasks).values({ projectId: pid, name: t.name, spec: t, jobs: generated });
    else if (updateTask.has(t.name)) {
      await tx.update(metricTasks).set({ spec: t, jobs: generated, updatedAt: now }).where(and(eq(metricTasks.projectId, pid), eq(metricTasks.name, t.name)));
    }
  }
}

export function formatPlan(plan: ApplyPlan, dryRun: boolean): string {
  const lines: string[] = [];
  const verb = dryRun ? "would" : "did";
  if (!plan.projectExists) lines.push(`+ project ${plan.project}`);
  const sign = { create: "+", update: "~", delete: "-" } as const;
  for (const c of plan.changes) {
    lines.push(`${sign[c.action]} ${c.entity} ${c.name}${c.fields.length ? ` (${c.fields.join(", ")})` : ""}`);
  }
  const counts = (a: Change["action"]) => plan.changes.filter((c) => c.action === a).length;
  if (plan.changes.length === 0 && !plan.projectExists) lines.push(dryRun ? `Dry run: would create the empty project '${plan.project}'.` : `Created the empty project '${plan.project}'.`);
  else if (plan.changes.length === 0) lines.push(`No changes: project '${plan.project}' already matches the file.`);
  else lines.push(`${dryRun ? "Dry run: " : ""}${verb === "would" ? "would create" : "created"} ${counts("create")}, ${dryRun ? "update" : "updated"} ${counts("update")}, ${dryRun ? "delete" : "deleted"} ${counts("delete")}.`);
  if (plan.unmanaged.length) {
    lines.push(`${plan.unmanaged.length} object(s) in the catalog are not in the file and were kept (use --prune to delete them): ` +
      plan.unmanaged.slice(0, 5).map((u) => `${u.entity} ${u.name}`).join(", ") + (plan.unmanaged.length > 5 ? ", ..." : ""));
  }
  return lines.join("\n");
}
