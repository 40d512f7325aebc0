import path from "node:path";
import type { CatalogSnapshot } from "../catalog/schemas";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import type { Database, Tx } from "../../db/client";
import type { ProjectRef } from "../context";
import type { SqlDatabase } from "../engines/local/jdbc";
import type { BoundTable } from "../engines/local/plan";
import { localQueryBackend, type QueryBackend } from "../query/index";
import type { Bizdate } from "../scheduling/index";
import { evaluatePartition, freshnessDeadline, unevaluated, type RuleResult } from "./evaluate";
import { reconcileDay } from "./reconcile";
import { listRules, recordResults, type QualityResultRecord } from "./store";

// The operations the scheduler and the API call: check a partition a batch instance wrote (before it is
// marked ready), and reconcile a day's stream and batch sinks.

export interface QualityDeps {
  /** Tandem's data folder (relative table paths). */
  dataDir: string;
  /** jdbc databases (the stream side's serving tables), e.g. EngineRegistry.jdbc. */
  jdbc?: (t: BoundTable) => SqlDatabase;
  /** Another backend (tests, later the serving database or Flink); the local DuckDB one by default. */
  backend?: (catalog: CatalogSnapshot) => QueryBackend;
}

type Ctx = { db: Database | Tx; project: ProjectRef };

function backendOf(deps: QualityDeps, catalog: CatalogSnapshot): QueryBackend {
  return deps.backend?.(catalog) ?? localQueryBackend({ catalog, env: { baseDir: path.dirname(deps.dataDir), dataDir: deps.dataDir }, jdbc: deps.jdbc });
}

export interface PartitionCheck {
  table: string;
  bizdate: Bizdate;
  /** The catalog the partition was written with (a deployment's frozen slice); the live one by default. */
  catalog?: CatalogSnapshot;
  instanceId?: string;
  job?: string;
  timeZone?: string;
  readyAt?: Date;
}

export interface CheckOutcome {
  results: QualityResultRecord[];
  /** Failed blocking results: the partition must not be marked ready. */
  blocking: QualityResultRecord[];
  warnings: QualityResultRecord[];
}

/** A table's rules (reconciliation aside) on one partition, stored. A rule that cannot be evaluated fails with the reason. */
export async function checkPartition(ctx: Ctx, deps: QualityDeps, input: PartitionCheck): Promise<CheckOutcome> {
  const rules = (await listRules(ctx, input.table)).filter((r) => r.kind !== "reconcile");
  if (rules.length === 0) return { results: [], blocking: [], warnings: [] };
  const catalog = input.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
  let results: RuleResult[];
  try {
    results = await evaluatePartition(backendOf(deps, catalog), { catalog, table: input.table, bizdate: input.bizdate, rules, timeZone: input.timeZone, readyAt: input.readyAt });
  } catch (e) {
    results = rules.map((r) => unevaluated(r, r.kind === "sql" ? r.sql : "", e));
  }
  const stored = await recordResults(ctx, { table: input.table, partition: input.bizdate.toString(), instanceId: input.instanceId, job: input.job }, results);
  return outcome(stored);
}

/** The table's reconcile rules for day D (both sides read as they are now), stored. */
export async function reconcile(ctx: Ctx, deps: QualityDeps, input: Omit<PartitionCheck, "timeZone" | "readyAt">): Promise<CheckOutcome> {
  const rules = (await listRules(ctx, input.table)).filter((r) => r.kind === "reconcile");
  if (rules.length === 0) return { results: [], blocking: [], warnings: [] };
  const catalog = input.catalog ?? (await loadCatalogSnapshot(ctx.db, ctx.project));
  const backend = backendOf(deps, catalog);
  const results: RuleResult[] = [];
  for (const rule of rules) {
    try {
      results.push(await reconcileDay(backend, catalog, input.table, input.bizdate, rule));
    } catch (e) {
      results.push(unevaluated(rule, "", e));
    }
  }
  return outcome(await recordResults(ctx, { table: input.table, partition: input.bizdate.toString(), instanceId: input.instanceId, job: input.job }, results));
}

/** Whether a stream side whose watermark is at `watermarkMs` is final for day D (the watermark passed D's end in the zone). */
export function streamFinalForDay(watermarkMs: number | null | undefined, bizdate: Bizdate, timeZone: string): boolean {
  if (watermarkMs === null || watermarkMs === undefined) return false;
  return watermarkMs >= freshnessDeadline(bizdate, { readyBy: "00:00", dayOffset: 1 }, timeZone).getTime();
}

/** Whether the table has reconcile rules (the scheduler then reconciles once the stream side is final). */
export async function hasReconcileRules(ctx: Ctx, table: string): Promise<boolean> {
  return (await listRules(ctx, table)).some((r) => r.kind === "reconcile");
}

function outcome(results: QualityResultRecord[]): CheckOutcome {
  return { results, blocking: results.filter((r) => !r.passed && r.severity === "blocking"), warnings: results.filter((r) => !r.passed && r.severity === "warning") };
}

/** One line naming failed results: `unique_key (blocking): (dt, coupon_id): 3 duplicate rows of 120`. */
export function describeFailures(results: readonly QualityResultRecord[]): string {
  return results.map((r) => `${r.rule} (${r.severity}) on ${r.table}/${r.partition}: ${r.message}`).join("; ");
}
