import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import { batchInstances, instanceEvents } from "../../db/schema/index";
import { emitAlertEventSafely } from "../alerts/events";
import { actorLabel } from "../context";
import { NotFoundError, PreconditionFailedError } from "../errors";
import { partitionKeyText, type Bizdate, type PartitionKey } from "../scheduling/index";
import { markPartitionReady, missingPartitions, type RegistryContext, type ReleasedInstance } from "./partitions";
import { InvalidTransitionError, parseState, transition, type InstanceAction, type InstanceState } from "./states";

// Batch instances: one run of a deployed job for one bizdate. These are the only writes to an instance;
// each changes its state through the state machine (states.ts) inside a transaction that locks the row and
// appends an event (who or what, when, why), so two callers (a worker retrying, a user cancelling) never
// both win. Who calls them: the scheduler's activities, the CLI and the API, all as thin callers.

export type InstanceTrigger = "schedule" | "rerun" | "backfill" | "manual";

export interface RunMetrics {
  rowsIn: number;
  rowsOut: number;
  partitionsRead: string[];
  durationMs: number;
  logExcerpt?: string;
}

export interface BatchInstance {
  id: string;
  job: string;
  /** yyyyMMdd */
  bizdate: string;
  deploymentVersion: number;
  state: InstanceState;
  attempt: number;
  trigger: InstanceTrigger;
  scheduledAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  waitingFor: PartitionKey[];
  metrics: RunMetrics | null;
  error: string | null;
  engineJobId: string | null;
}

export interface InstanceEvent {
  at: Date;
  attempt: number;
  kind: string;
  actor: string;
  message: string;
  data: unknown;
}

export interface InstanceRef {
  job: string;
  bizdate: Bizdate;
}

type Row = typeof batchInstances.$inferSelect;

function toInstance(row: Row): BatchInstance {
  return {
    id: row.id, job: row.jobName, bizdate: row.bizdate, deploymentVersion: row.deploymentVersion, state: parseState(row.state),
    attempt: row.attempt, trigger: row.trigger as InstanceTrigger, scheduledAt: row.scheduledAt, startedAt: row.startedAt,
    endedAt: row.endedAt, waitingFor: row.waitingFor, metrics: row.metrics as RunMetrics | null, error: row.error, engineJobId: row.engineJobId,
  };
}

async function inTransaction<T>(ctx: RegistryContext, fn: (tx: RegistryContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction((tx) => fn({ ...ctx, db: tx }));
}

async function lockInstance(ctx: RegistryContext, ref: InstanceRef): Promise<Row> {
  const [row] = await ctx.db.select().from(batchInstances)
    .where(and(eq(batchInstances.projectId, ctx.project.id), eq(batchInstances.jobName, ref.job), eq(batchInstances.bizdate, ref.bizdate.toString())))
    .for("update");
  if (!row) throw new NotFoundError("batch instance", `${ref.job} ${ref.bizdate.format("yyyy-MM-dd")}`);
  return row;
}

async function appendEvent(ctx: RegistryContext, row: Pick<Row, "id" | "attempt">, kind: string, message: string, data?: unknown): Promise<void> {
  await ctx.db.insert(instanceEvents).values({ instanceId: row.id, attempt: row.attempt, kind, actor: actorLabel(ctx.actor), message, data: data ?? null });
}

/** A note in an instance's event log that changes no state (e.g. its quality results). */
export async function noteInstance(ctx: RegistryContext, ref: InstanceRef, kind: string, message: string, data?: unknown): Promise<void> {
  await inTransaction(ctx, async (tx) => appendEvent(tx, await lockInstance(tx, ref), kind, message, data));
}

/** The state machine's refusal as the domain's precondition error (the API maps it to a clear 412). */
function nextState(row: Row, action: InstanceAction): InstanceState {
  try {
    return transition(parseState(row.state), action);
  } catch (e) {
    if (e instanceof InvalidTransitionError) throw new PreconditionFailedError(`${row.jobName} ${row.bizdate}: ${e.message}`);
    throw e;
  }
}

function waitingMessage(missing: PartitionKey[]): string {
  return missing.length === 0 ? "every upstream partition is ready" : `waiting for ${missing.map(partitionKeyText).join(", ")}`;
}

/** The `instance_failed` alert, in the failure's transaction (queued for delivery, never sent from here). */
async function alertFailure(ctx: RegistryContext, row: Row, error: string): Promise<void> {
  await emitAlertEventSafely(ctx, {
    kind: "instance_failed", job: row.jobName, bizdate: row.bizdate, discriminator: `attempt-${row.attempt}`,
    reason: `attempt ${row.attempt} of ${row.jobName} for ${row.bizdate} failed: ${error.slice(0, 1000)}`,
    data: { attempt: row.attempt, deploymentVersion: row.deploymentVersion, trigger: row.trigger },
  });
}

export interface CreateInstanceInput extends InstanceRef {
  deploymentVersion: number;
  scheduledAt: Date;
  trigger: InstanceTrigger;
  /** The partitions this run reads that other jobs (or people) produce. */
  upstream: readonly PartitionKey[];
}

/**
 * The instance of a job for a bizdate, created waiting for its missing upstream partitions (queued when none
 * is missing). Idempotent: a second call for the same job and day returns the existing instance untouched.
 */
export async function createInstance(ctx: RegistryContext, input: CreateInstanceInput): Promise<{ instance: BatchInstance; created: boolean }> {
  return inTransaction(ctx, async (tx) => {
    const missing = await missingPartitions(tx, input.upstream);
    const state: InstanceState = missing.length === 0 ? "queued" : "waiting";
    const [row] = await tx.db.insert(batchInstances).values({
      projectId: ctx.project.id, jobName: input.job, bizdate: input.bizdate.toString(), deploymentVersion: input.deploymentVersion,
      state, trigger: input.trigger, scheduledAt: input.scheduledAt, waitingFor: missing,
    }).onConflictDoNothing().returning();
    if (!row) return { instance: toInstance(await lockInstance(tx, input)), created: false };
    await appendEvent(tx, row, "created", `${input.trigger} instance of version ${input.deploymentVersion} for ${input.bizdate.format("yyyy-MM-dd")}`);
    await appendEvent(tx, row, state, waitingMessage(missing), { waitingFor: missing });
    return { instance: toInstance(row), created: true };
  });
}

/** queued → running, for the attempt the engine now runs. */
export async function startInstance(ctx: RegistryContext, ref: InstanceRef, opts: { engineJobId?: string } = {}): Promise<BatchInstance> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    const state = nextState(row, "start");
    const [updated] = await tx.db.update(batchInstances)
      .set({ state, startedAt: sql`now()`, endedAt: null, engineJobId: opts.engineJobId ?? null, updatedAt: sql`now()` })
      .where(eq(batchInstances.id, row.id)).returning();
    await appendEvent(tx, row, state, `attempt ${row.attempt} started${opts.engineJobId ? ` (engine job ${opts.engineJobId})` : ""}`);
    return toInstance(updated ?? row);
  });
}

export type InstanceOutcome =
  | { outcome: "succeeded"; metrics: RunMetrics; output: readonly { key: PartitionKey; rows: number | null }[] }
  | { outcome: "failed"; error: string; metrics?: RunMetrics };

/**
 * running → succeeded (its output partitions marked ready by it, releasing what waits for them) or failed.
 * Returns the downstream instances the output released.
 */
export async function finishInstance(ctx: RegistryContext, ref: InstanceRef, result: InstanceOutcome): Promise<{ instance: BatchInstance; released: ReleasedInstance[] }> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    const state = nextState(row, result.outcome === "succeeded" ? "succeed" : "fail");
    const [updated] = await tx.db.update(batchInstances)
      .set({ state, endedAt: sql`now()`, metrics: result.metrics ?? null, error: result.outcome === "failed" ? result.error : null, updatedAt: sql`now()` })
      .where(eq(batchInstances.id, row.id)).returning();
    const released: ReleasedInstance[] = [];
    if (result.outcome === "succeeded") {
      await appendEvent(tx, row, state, `attempt ${row.attempt} succeeded: ${result.metrics.rowsIn} rows in, ${result.metrics.rowsOut} rows out in ${result.metrics.durationMs} ms`, result.metrics);
      for (const out of result.output) released.push(...(await markPartitionReady(tx, out.key, { rows: out.rows, producedBy: row.id })).instances);
    } else {
      await appendEvent(tx, row, state, `attempt ${row.attempt} failed: ${result.error}`, result.metrics ?? null);
      await alertFailure(tx, row, result.error);
    }
    return { instance: toInstance(updated ?? row), released };
  });
}

/** A waiting instance whose deadline passed fails, naming the partitions it still lacks. */
export async function failWaiting(ctx: RegistryContext, ref: InstanceRef): Promise<BatchInstance> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    if (row.state !== "waiting") throw new PreconditionFailedError(`${row.jobName} ${row.bizdate} is ${row.state}, not waiting`);
    const error = `gave up waiting for ${row.waitingFor.map(partitionKeyText).join(", ")}`;
    const [updated] = await tx.db.update(batchInstances)
      .set({ state: nextState(row, "fail"), endedAt: sql`now()`, error, updatedAt: sql`now()` })
      .where(eq(batchInstances.id, row.id)).returning();
    await appendEvent(tx, row, "failed", error, { waitingFor: row.waitingFor });
    await alertFailure(tx, row, error);
    return toInstance(updated ?? row);
  });
}

/** waiting | queued | running → cancelled, or waiting | queued → skipped, with the reason. */
export async function stopInstance(ctx: RegistryContext, ref: InstanceRef, action: "cancel" | "skip", reason: string): Promise<BatchInstance> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    const state = nextState(row, action);
    const [updated] = await tx.db.update(batchInstances)
      .set({ state, endedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(batchInstances.id, row.id)).returning();
    await appendEvent(tx, row, state, reason || (action === "cancel" ? "cancelled" : "skipped"));
    return toInstance(updated ?? row);
  });
}

/**
 * A finished instance runs again as its next attempt, of `deploymentVersion` (the same one for a faithful
 * rerun), waiting for whatever upstream partitions are missing now. Its output partition stays ready (with the
 * previous data) until the new attempt replaces it.
 */
export async function rerunInstance(ctx: RegistryContext, ref: InstanceRef, input: { deploymentVersion: number; upstream: readonly PartitionKey[]; reason: string }): Promise<BatchInstance> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    nextState(row, "rerun");
    const missing = await missingPartitions(tx, input.upstream);
    const state: InstanceState = missing.length === 0 ? "queued" : "waiting";
    const next = { id: row.id, attempt: row.attempt + 1 };
    const [updated] = await tx.db.update(batchInstances)
      .set({
        state, attempt: next.attempt, deploymentVersion: input.deploymentVersion, trigger: "rerun", waitingFor: missing,
        startedAt: null, endedAt: null, metrics: null, error: null, engineJobId: null, updatedAt: sql`now()`,
      })
      .where(eq(batchInstances.id, row.id)).returning();
    await appendEvent(tx, next, "rerun", `attempt ${next.attempt} of version ${input.deploymentVersion}${input.reason ? `: ${input.reason}` : ""}`);
    await appendEvent(tx, next, state, waitingMessage(missing), { waitingFor: missing });
    return toInstance(updated ?? row);
  });
}

/**
 * A finished instance that did not succeed (failed, cancelled, skipped) marked succeeded by a person: its
 * output partitions are marked ready by it (with no row count), releasing what waits for them. A running or
 * waiting one is refused: cancel it first, so no worker finishes it behind the person's back.
 */
export async function markInstanceSucceeded(ctx: RegistryContext, ref: InstanceRef, input: { output: readonly PartitionKey[]; reason: string }): Promise<{ instance: BatchInstance; released: ReleasedInstance[] }> {
  return inTransaction(ctx, async (tx) => {
    const row = await lockInstance(tx, ref);
    const from = parseState(row.state);
    if (from === "succeeded") throw new PreconditionFailedError(`${row.jobName} ${row.bizdate} already succeeded`);
    if (!["failed", "cancelled", "skipped"].includes(from)) {
      throw new PreconditionFailedError(`${row.jobName} ${row.bizdate} is ${from}; only a failed, cancelled or skipped instance can be marked successful — cancel it first`);
    }
    const [updated] = await tx.db.update(batchInstances)
      .set({ state: "succeeded", endedAt: sql`now()`, error: null, waitingFor: [], updatedAt: sql`now()` })
      .where(eq(batchInstances.id, row.id)).returning();
    await appendEvent(tx, row, "succeeded", `marked successful by hand (was ${from})${input.reason ? `: ${input.reason}` : ""}`, { markedFrom: from });
    const released: ReleasedInstance[] = [];
    for (const key of input.output) released.push(...(await markPartitionReady(tx, key, { producedBy: row.id })).instances);
    return { instance: toInstance(updated ?? row), released };
  });
}

export async function getInstance(ctx: RegistryContext, ref: InstanceRef): Promise<BatchInstance> {
  const [row] = await ctx.db.select().from(batchInstances)
    .where(and(eq(batchInstances.projectId, ctx.project.id), eq(batchInstances.jobName, ref.job), eq(batchInstances.bizdate, ref.bizdate.toString())));
  if (!row) throw new NotFoundError("batch instance", `${ref.job} ${ref.bizdate.format("yyyy-MM-dd")}`);
  return toInstance(row);
}

export interface ListInstancesInput {
  job?: string;
  from?: Bizdate;
  to?: Bizdate;
  states?: readonly InstanceState[];
  limit?: number;
}

/** Newest bizdate first (then job name), at most `limit` (default 200). */
export async function listInstances(ctx: RegistryContext, input: ListInstancesInput = {}): Promise<BatchInstance[]> {
  const where: SQL[] = [eq(batchInstances.projectId, ctx.project.id)];
  if (input.job) where.push(eq(batchInstances.jobName, input.job));
  if (input.from) where.push(gte(batchInstances.bizdate, input.from.toString()));
  if (input.to) where.push(lte(batchInstances.bizdate, input.to.toString()));
  if (input.states?.length) where.push(inArray(batchInstances.state, [...input.states]));
  const rows = await ctx.db.select().from(batchInstances).where(and(...where))
    .orderBy(desc(batchInstances.bizdate), asc(batchInstances.jobName))
    .limit(Math.min(input.limit ?? 200, 5000));
  return rows.map(toInstance);
}

/** The instance's history, oldest first. */
export async function instanceEventLog(ctx: RegistryContext, ref: InstanceRef): Promise<InstanceEvent[]> {
  const instance = await getInstance(ctx, ref);
  const rows = await ctx.db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id)).orderBy(asc(instanceEvents.id));
  return rows.map((r) => ({ at: r.at, attempt: r.attempt, kind: r.kind, actor: r.actor, message: r.message, data: r.data }));
}
