import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";

// Retention of the history that grows with every run and is only read recently: quality results, alert
// events and their deliveries. Rows older than the window go, in small batches (each its own statement,
// so a large backlog never holds locks for long), except what is still needed: a pending delivery and its
// event, and each rule's newest result on each table (the quality page and health read the latest status).
// Instance events and the audit trail are records, not history, and are never pruned here.

export interface RetentionOptions {
  /** Rows older than this many days go. */
  days: number;
  now?: Date;
  /** Rows deleted per statement. */
  batch?: number;
  /** Only this project's rows (default: every project's). */
  projectId?: string;
}

export interface Pruned {
  qualityResults: number;
  alertEvents: number;
  alertDeliveries: number;
}

const BATCH = 5_000;

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await run();
    total += n;
    if (n === 0) return total;
  }
}

function deleted(result: unknown): number {
  // node-postgres answers { rowCount }, PGlite { affectedRows }: both through Drizzle's execute.
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return r.rowCount ?? r.affectedRows ?? 0;
}

export async function pruneHistory(db: Database, opts: RetentionOptions): Promise<Pruned> {
  if (!Number.isFinite(opts.days) || opts.days <= 0) throw new RangeError(`retention must be a positive number of days, not ${opts.days}`);
  const cut = new Date((opts.now ?? new Date()).getTime() - opts.days * 86_400_000);
  const batch = opts.batch ?? BATCH;
  const inProject = (alias: string) => (opts.projectId === undefined ? sql`true` : sql`${sql.raw(alias)}.project_id = ${opts.projectId}`);
  const alertDeliveries = await inBatches(async () => deleted(await db.execute(sql`
    DELETE FROM alert_deliveries WHERE id IN (
      SELECT d.id FROM alert_deliveries d WHERE d.status <> 'pending' AND d.created_at < ${cut} AND ${inProject("d")} LIMIT ${batch})`)));
  // An event goes once it has no pending delivery (its delivered or failed ones go with it: cascade).
  const alertEvents = await inBatches(async () => deleted(await db.execute(sql`
    DELETE FROM alert_events WHERE id IN (
      SELECT e.id FROM alert_events e WHERE e.at < ${cut} AND ${inProject("e")}
        AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
      LIMIT ${batch})`)));
  const qualityResults = await inBatches(async () => deleted(await db.execute(sql`
    DELETE FROM quality_results WHERE id IN (
      SELECT q.id FROM quality_results q WHERE q.evaluated_at < ${cut} AND ${inProject("q")}
        AND EXISTS (SELECT 1 FROM quality_results n
          WHERE n.project_id = q.project_id AND n.table_name = q.table_name AND n.rule_name = q.rule_name AND n.id > q.id)
      LIMIT ${batch})`)));
  return { qualityResults, alertEvents, alertDeliveries };
}
