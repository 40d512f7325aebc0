import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { batchInstances, qualityResults, tablePartitions } from "../../db/schema/index";
import type { ProjectRef } from "../context";
import { loadLineageGraph } from "../lineage/index";

// A table's partitions as the console shows them: readiness and rows from the partition registry, the
// producing instance (job, day, state), and the latest quality result of each rule on the partition. A
// partition with results but no registry row (a blocking failure kept it not ready) is listed as not ready.
// The producer of a partition also names the job a check by hand is attributed to (so its failures reach
// that job's health score).

type Ctx = { db: Database | Tx; project: ProjectRef };

export interface PartitionResult {
  rule: string;
  kind: string;
  severity: string;
  passed: boolean;
  message: string;
  evaluatedAt: Date;
}

export interface PartitionQuality {
  partition: string;
  ready: boolean;
  rows: number | null;
  readyAt: Date | null;
  markedBy: string | null;
  producer: { instanceId: string; job: string; bizdate: string; state: string } | null;
  /** The latest result of each rule, failed first. */
  results: PartitionResult[];
}

export async function listPartitionQuality(ctx: Ctx, table: string, limit = 60): Promise<PartitionQuality[]> {
  const ready = await ctx.db.select({
    partition: tablePartitions.partition, rows: tablePartitions.rows, readyAt: tablePartitions.readyAt, markedBy: tablePartitions.markedBy,
    instanceId: batchInstances.id, job: batchInstances.jobName, bizdate: batchInstances.bizdate, state: batchInstances.state,
  }).from(tablePartitions).leftJoin(batchInstances, eq(batchInstances.id, tablePartitions.producedBy))
    .where(and(eq(tablePartitions.projectId, ctx.project.id), eq(tablePartitions.tableName, table)))
    .orderBy(desc(tablePartitions.partition)).limit(limit);
  const checked = await ctx.db.selectDistinct({ partition: qualityResults.partition }).from(qualityResults)
    .where(and(eq(qualityResults.projectId, ctx.project.id), eq(qualityResults.tableName, table)))
    .orderBy(desc(qualityResults.partition)).limit(limit);
  const byKey = new Map<string, PartitionQuality>();
  for (const r of ready) {
    byKey.set(r.partition, {
      partition: r.partition, ready: true, rows: r.rows, readyAt: r.readyAt, markedBy: r.markedBy, results: [],
      producer: r.instanceId && r.job && r.bizdate && r.state ? { instanceId: r.instanceId, job: r.job, bizdate: r.bizdate, state: r.state } : null,
    });
  }
  for (const c of checked) {
    if (!byKey.has(c.partition)) byKey.set(c.partition, { partition: c.partition, ready: false, rows: null, readyAt: null, markedBy: null, producer: null, results: [] });
  }
  const keys = [...byKey.keys()].sort().reverse().slice(0, limit);
  if (keys.length > 0) {
    const rows = await ctx.db.select().from(qualityResults)
      .where(and(eq(qualityResults.projectId, ctx.project.id), eq(qualityResults.tableName, table), inArray(qualityResults.partition, keys)))
      .orderBy(desc(qualityResults.id)).limit(5000);
    const seen = new Set<string>();
    for (const r of rows) {
      const id = `${r.partition}\u0000${r.ruleName}`;
      if (seen.has(id)) continue; // newest first: the first row of a rule is its latest result
      seen.add(id);
      byKey.get(r.partition)?.results.push({ rule: r.ruleName, kind: r.kind, severity: r.severity, passed: r.passed, message: r.message, evaluatedAt: r.evaluatedAt });
    }
    for (const p of byKey.values()) p.results.sort((a, b) => Number(a.passed) - Number(b.passed) || a.rule.localeCompare(b.rule));
  }
  return keys.map((k) => byKey.get(k) as PartitionQuality);
}

/**
 * The job a partition belongs to: its producing instance's job, else the one deployed job whose batch side
 * writes the table (lineage). None (a source table, or several writers): undefined.
 */
export async function producerJob(ctx: Ctx, table: string, partition: string): Promise<{ job: string; instanceId?: string } | undefined> {
  const [row] = await ctx.db.select({ instanceId: batchInstances.id, job: batchInstances.jobName }).from(tablePartitions)
    .innerJoin(batchInstances, eq(batchInstances.id, tablePartitions.producedBy))
    .where(and(eq(tablePartitions.projectId, ctx.project.id), eq(tablePartitions.tableName, table), eq(tablePartitions.partition, partition)));
  if (row) return { job: row.job, instanceId: row.instanceId };
  const g = await loadLineageGraph(ctx.db, ctx.project.id);
  const writers = new Set((g.tablesIn.get(table) ?? []).filter((e) => e.side === "batch").map((e) => e.job));
  return writers.size === 1 ? { job: [...writers][0] as string } : undefined;
}
