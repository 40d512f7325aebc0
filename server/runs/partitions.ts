import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { batchInstances, instanceEvents, tablePartitions } from "../../db/schema/index";
import { actorLabel, type Actor, type ProjectRef } from "../context";
import { partitionKeyText, type PartitionKey } from "../scheduling/index";

// The partition registry: (table, partition) → ready, rows, produced by which instance, when. A partition
// becoming ready is what releases the instances waiting for it: marking one ready takes it off their lists,
// and those left waiting for nothing are queued, in the same transaction.

export interface RegistryContext {
  db: Database | Tx;
  actor: Actor;
  project: ProjectRef;
}

export interface PartitionRecord extends PartitionKey {
  rows: number | null;
  producedBy: string | null;
  markedBy: string;
  readyAt: Date;
}

/** An instance that a ready partition released (now queued) or that still waits for others. */
export interface ReleasedInstance {
  id: string;
  job: string;
  bizdate: string;
  released: boolean;
}

export async function markPartitionReady(
  ctx: RegistryContext,
  key: PartitionKey,
  opts: { rows?: number | null; producedBy?: string | null } = {},
): Promise<{ partition: PartitionRecord; instances: ReleasedInstance[] }> {
  return ctx.db.transaction(async (tx) => markReadyIn({ ...ctx, db: tx }, key, opts));
}

async function markReadyIn(
  ctx: RegistryContext,
  key: PartitionKey,
  opts: { rows?: number | null; producedBy?: string | null },
): Promise<{ partition: PartitionRecord; instances: ReleasedInstance[] }> {
  const by = actorLabel(ctx.actor);
  const values = { projectId: ctx.project.id, tableName: key.table, partition: key.partition, rows: opts.rows ?? null, producedBy: opts.producedBy ?? null, markedBy: by };
  const [row] = await ctx.db.insert(tablePartitions).values(values)
    .onConflictDoUpdate({ target: [tablePartitions.projectId, tablePartitions.tableName, tablePartitions.partition], set: { rows: values.rows, producedBy: values.producedBy, markedBy: by, readyAt: sql`now()` } })
    .returning();
  if (!row) throw new Error("the partition registry returned no row"); // an insert ... returning always does
  return { partition: toRecord(row), instances: await releaseWaiting(ctx, key) };
}

async function releaseWaiting(ctx: RegistryContext, key: PartitionKey): Promise<ReleasedInstance[]> {
  const needle = JSON.stringify([{ table: key.table, partition: key.partition }]);
  const waiting = await ctx.db.select().from(batchInstances)
    .where(and(eq(batchInstances.projectId, ctx.project.id), eq(batchInstances.state, "waiting"), sql`${batchInstances.waitingFor} @> ${needle}::jsonb`))
    .orderBy(asc(batchInstances.bizdate), asc(batchInstances.jobName))
    .for("update");
  const out: ReleasedInstance[] = [];
  for (const inst of waiting) {
    const left = inst.waitingFor.filter((p) => !(p.table === key.table && p.partition === key.partition));
    const released = left.length === 0;
    await ctx.db.update(batchInstances)
      .set({ waitingFor: left, state: released ? "queued" : "waiting", updatedAt: sql`now()` })
      .where(eq(batchInstances.id, inst.id));
    await ctx.db.insert(instanceEvents).values({
      instanceId: inst.id, attempt: inst.attempt, kind: released ? "queued" : "waiting", actor: actorLabel(ctx.actor),
      message: released
        ? `${partitionKeyText(key)} is ready; every upstream partition is ready`
        : `${partitionKeyText(key)} is ready; still waiting for ${left.map(partitionKeyText).join(", ")}`,
      data: { ready: key, waitingFor: left },
    });
    out.push({ id: inst.id, job: inst.jobName, bizdate: inst.bizdate, released });
  }
  return out;
}

/** The keys among `keys` that are not ready, in the order given. */
export async function missingPartitions(ctx: Pick<RegistryContext, "db" | "project">, keys: readonly PartitionKey[]): Promise<PartitionKey[]> {
  if (keys.length === 0) return [];
  const tables = [...new Set(keys.map((k) => k.table))];
  const rows = await ctx.db.select({ table: tablePartitions.tableName, partition: tablePartitions.partition }).from(tablePartitions)
    .where(and(eq(tablePartitions.projectId, ctx.project.id), inArray(tablePartitions.tableName, tables), inArray(tablePartitions.partition, [...new Set(keys.map((k) => k.partition))])));
  const ready = new Set(rows.map((r) => partitionKeyText(r)));
  return keys.filter((k) => !ready.has(partitionKeyText(k)));
}

/** A table's ready partitions, newest first. */
export async function listPartitions(ctx: Pick<RegistryContext, "db" | "project">, table: string, limit = 100): Promise<PartitionRecord[]> {
  const rows = await ctx.db.select().from(tablePartitions)
    .where(and(eq(tablePartitions.projectId, ctx.project.id), eq(tablePartitions.tableName, table)))
    .orderBy(desc(tablePartitions.partition))
    .limit(limit);
  return rows.map(toRecord);
}

function toRecord(row: typeof tablePartitions.$inferSelect): PartitionRecord {
  return { table: row.tableName, partition: row.partition, rows: row.rows, producedBy: row.producedBy, markedBy: row.markedBy, readyAt: row.readyAt };
}
