import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { physicalTables, qualityResults } from "../../db/schema/index";
import { emitAlertEventSafely } from "../alerts/index";
import { recordAudit } from "../audit/audit";
import { PhysicalTableSpec, type PhysicalTableSpecParsed } from "../catalog/schemas";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { validateProjectFile } from "../catalog/validate";
import type { ProjectContext, ProjectRef } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { tablesRead } from "../query/index";
import type { RuleResult } from "./evaluate";
import { QualityRule, type QualityRuleParsed } from "./schema";

// Rules are stored in their physical table's spec (so the project file carries them and apply/export
// round-trip them); results are rows of quality_results, each with its query. Listeners (alerts, health)
// hear every stored batch of results.

export interface QualityResultRecord extends RuleResult {
  id: number;
  table: string;
  partition: string;
  instanceId: string | null;
  job: string | null;
  evaluatedAt: Date;
}

export interface ResultScope {
  table: string;
  /** yyyyMMdd */
  partition: string;
  instanceId?: string | null;
  job?: string | null;
}

export type QualityListener = (project: ProjectRef, results: readonly QualityResultRecord[]) => void | Promise<void>;
const listeners = new Set<QualityListener>();

/** Hears every batch of stored results (after they are committed); returns the unsubscribe function. A listener's error is logged, never raised. */
export function onQualityResults(listener: QualityListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function recordResults(ctx: { db: Database | Tx; project: ProjectRef }, scope: ResultScope, results: readonly RuleResult[]): Promise<QualityResultRecord[]> {
  if (results.length === 0) return [];
  const rows = await ctx.db.insert(qualityResults).values(results.map((r) => ({
    projectId: ctx.project.id, tableName: scope.table, partition: scope.partition, ruleName: r.rule, kind: r.kind, severity: r.severity,
    passed: r.passed, observed: r.observed, message: r.message, query: r.query, instanceId: scope.instanceId ?? null, job: scope.job ?? null,
  }))).returning();
  const records = rows.map(toRecord);
  // A failed rule of a job's day is an alert event (and so a health finding): blocking, warning or drift.
  for (const r of records) {
    if (r.passed || !r.job) continue;
    await emitAlertEventSafely(ctx, {
      kind: r.kind === "reconcile" ? "reconciliation_drift" : r.severity === "blocking" ? "quality_blocking" : "quality_warning",
      job: r.job, bizdate: r.partition, rule: r.rule, reason: `${r.rule} (${r.severity}) on ${r.table}/${r.partition}: ${r.message}`,
      ...(r.instanceId ? { discriminator: r.instanceId } : {}),
      data: { table: r.table, partition: r.partition, observed: r.observed, query: r.query },
    });
  }
  for (const l of listeners) {
    try {
      await l(ctx.project, records);
    } catch (e) {
      console.error(`a quality results listener failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return records;
}

export interface ListResultsInput {
  table?: string;
  partition?: string;
  job?: string;
  instanceId?: string;
  /** Only failed results. */
  failed?: boolean;
  limit?: number;
}

/** Stored results, newest first. */
export async function listQualityResults(ctx: { db: Database | Tx; project: ProjectRef }, input: ListResultsInput = {}): Promise<QualityResultRecord[]> {
  const where = [eq(qualityResults.projectId, ctx.project.id)];
  if (input.table) where.push(eq(qualityResults.tableName, input.table));
  if (input.partition) where.push(eq(qualityResults.partition, input.partition));
  if (input.job) where.push(eq(qualityResults.job, input.job));
  if (input.instanceId) where.push(eq(qualityResults.instanceId, input.instanceId));
  if (input.failed) where.push(eq(qualityResults.passed, false));
  const rows = await ctx.db.select().from(qualityResults).where(and(...where)).orderBy(desc(qualityResults.id)).limit(input.limit ?? 100);
  return rows.map(toRecord);
}

function toRecord(r: typeof qualityResults.$inferSelect): QualityResultRecord {
  return {
    id: r.id, table: r.tableName, partition: r.partition, rule: r.ruleName, kind: r.kind as RuleResult["kind"], severity: r.severity as RuleResult["severity"],
    passed: r.passed, observed: r.observed as Record<string, unknown>, message: r.message, query: r.query, instanceId: r.instanceId, job: r.job, evaluatedAt: r.evaluatedAt,
  };
}

// ---------------------------------------------------------------------------------------------------
// Rules (in the physical table's spec)

async function tableSpec(db: Database | Tx, project: ProjectRef, table: string, lock = false): Promise<PhysicalTableSpecParsed> {
  const query = db.select({ spec: physicalTables.spec }).from(physicalTables).where(and(eq(physicalTables.projectId, project.id), eq(physicalTables.name, table)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw new NotFoundError("physical table", table, `physical table '${table}' not found in project '${project.name}'`);
  return PhysicalTableSpec.parse(row.spec);
}

/** A table's rules as declared (the live catalog: editing a rule needs no redeploy). */
export async function listRules(ctx: { db: Database | Tx; project: ProjectRef }, table: string): Promise<QualityRuleParsed[]> {
  return (await tableSpec(ctx.db, ctx.project, table)).quality ?? [];
}

/** Creates or replaces the rule of that name on the table, validated like the project file; audited. */
export async function upsertRule(ctx: ProjectContext, table: string, input: unknown): Promise<QualityRuleParsed> {
  const parsed = QualityRule.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: ["rule", ...i.path.map(String)].join("."), message: i.message })));
  const rule = parsed.data;
  if (rule.kind === "sql") {
    const read = await tablesRead(rule.sql).catch((e: unknown) => {
      if (e instanceof ValidationError) throw new ValidationError(e.issues.map((i) => ({ ...i, path: "rule.sql" })));
      throw e;
    });
    const others = read.filter((t) => t !== table.toLowerCase());
    if (others.length) throw new ValidationError([{ path: "rule.sql", message: `the query may read only '${table}' (its partition); it reads ${others.join(", ")}` }]);
  }
  return ctx.db.transaction(async (tx) => {
    const spec = await tableSpec(tx, ctx.project, table, true);
    const rules = spec.quality ?? [];
    const existed = rules.some((r) => r.name === rule.name);
    const next: PhysicalTableSpecParsed = { ...spec, quality: existed ? rules.map((r) => (r.name === rule.name ? rule : r)) : [...rules, rule] };
    await checkAgainstCatalog(tx, ctx.project, next);
    await tx.update(physicalTables).set({ spec: next, updatedAt: sql`now()` }).where(and(eq(physicalTables.projectId, ctx.project.id), eq(physicalTables.name, table)));
    await recordAudit(tx, ctx.actor, ctx.project, { action: existed ? "quality.rule.update" : "quality.rule.create", entity: "physicalTable", name: table, details: { rule: rule.name, kind: rule.kind, severity: rule.severity } });
    return rule;
  });
}

export async function deleteRule(ctx: ProjectContext, table: string, name: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const spec = await tableSpec(tx, ctx.project, table, true);
    const rules = spec.quality ?? [];
    if (!rules.some((r) => r.name === name)) throw new NotFoundError("quality rule", name, `table '${table}' has no quality rule '${name}'`);
    const rest = rules.filter((r) => r.name !== name);
    const next: PhysicalTableSpecParsed = { ...spec, quality: rest.length ? rest : undefined };
    if (!next.quality) delete next.quality;
    await tx.update(physicalTables).set({ spec: next, updatedAt: sql`now()` }).where(and(eq(physicalTables.projectId, ctx.project.id), eq(physicalTables.name, table)));
    await recordAudit(tx, ctx.actor, ctx.project, { action: "quality.rule.delete", entity: "physicalTable", name: table, details: { rule: name } });
  });
}

/** The table's rules checked against the rest of the catalog (columns, the reconciled table). */
async function checkAgainstCatalog(tx: Tx, project: ProjectRef, next: PhysicalTableSpecParsed): Promise<void> {
  const snapshot = await loadCatalogSnapshot(tx, project);
  const tables = [...snapshot.physicalTables.values()].map((t) => (t.name === next.name ? next : t));
  const issues = validateProjectFile({ version: 1, project: project.name, connections: [...snapshot.connections.values()], physicalTables: tables, metaTables: [], jobs: [], dashboards: [], metricTasks: [] })
    .filter((i) => i.path.startsWith(`physicalTables.${next.name}.quality`));
  if (issues.length) throw new ValidationError(issues);
}
