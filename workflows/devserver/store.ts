import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  temporalBufferedEvents,
  temporalExecutions,
  temporalHistoryEvents,
  temporalNamespaces,
  temporalSchedules,
  type TemporalExecutionRuntime,
  type TemporalScheduleState,
} from "../../db/schema/temporal";
import { temporal, type pb } from "./proto";

// Durable state of the dev service. Writes are queued in the order the engine makes them and committed by
// one loop, many operations per transaction (group commit): callers await the commit that holds their
// writes before they answer an RPC or hand a task to a worker. History is append-only.

export type ExecutionRow = typeof temporalExecutions.$inferInsert;
export interface ScheduleRow {
  namespace: string;
  scheduleId: string;
  schedule: Uint8Array;
  memo: Uint8Array | null;
  state: TemporalScheduleState;
}

interface Batch {
  executions: Map<string, ExecutionRow>;
  /** Events appended per run in this batch; stored as one row (a chunk) per run. */
  events: Map<string, HistoryEventProps[]>;
  /** Per run: drop the stored buffer first, then insert these. */
  buffered: Map<string, { clear: boolean; rows: { seq: number; data: Uint8Array }[] }>;
  schedules: Map<string, ScheduleRow | { deleted: true; namespace: string; scheduleId: string }>;
  namespaces: Map<string, { name: string; description: string; retentionDays: number }>;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

function emptyBatch(): Batch {
  return { executions: new Map(), events: new Map(), buffered: new Map(), schedules: new Map(), namespaces: new Map(), waiters: [] };
}

const HistoryEvent = temporal.api.history.v1.HistoryEvent;
const History = temporal.api.history.v1.History;
type HistoryEventProps = pb.api.history.v1.IHistoryEvent;

export function encodeEvent(e: HistoryEventProps): Uint8Array {
  return HistoryEvent.encode(e).finish();
}

export function decodeEvent(data: Uint8Array): HistoryEventProps {
  return HistoryEvent.toObject(HistoryEvent.decode(data), { defaults: false, arrays: true });
}

/** A chunk: consecutive events of one run written by one commit, encoded as a History message. */
function encodeChunk(events: HistoryEventProps[]): Uint8Array {
  return History.encode({ events }).finish();
}

function decodeChunk(data: Uint8Array): HistoryEventProps[] {
  const h = History.toObject(History.decode(data), { defaults: false, arrays: true }) as { events?: HistoryEventProps[] };
  return h.events ?? [];
}

export class Store {
  private batch = emptyBatch();
  private committing: Promise<void> | undefined;
  private closed = false;

  /** One round trip per commit when the driver offers the simple query protocol (PGlite, node-postgres). */
  private readonly simpleQuery: ((text: string) => Promise<unknown>) | undefined;

  constructor(private readonly db: Database) {
    this.simpleQuery = simpleQueryOf(db);
  }

  putExecution(row: ExecutionRow): void {
    this.batch.executions.set(row.runId, row);
  }

  /** Queue events for the history of `runId` (they are encoded at commit time and must not change after). */
  appendEvents(runId: string, events: HistoryEventProps[]): void {
    const list = this.batch.events.get(runId);
    if (list) list.push(...events);
    else this.batch.events.set(runId, [...events]);
  }

  bufferEvent(runId: string, seq: number, e: HistoryEventProps): void {
    const entry = this.batch.buffered.get(runId) ?? { clear: false, rows: [] };
    entry.rows.push({ seq, data: encodeEvent(e) });
    this.batch.buffered.set(runId, entry);
  }

  clearBuffered(runId: string): void {
    this.batch.buffered.set(runId, { clear: true, rows: [] });
  }

  putSchedule(row: ScheduleRow): void {
    this.batch.schedules.set(`${row.namespace}\u0000${row.scheduleId}`, row);
  }

  deleteSchedule(namespace: string, scheduleId: string): void {
    this.batch.schedules.set(`${namespace}\u0000${scheduleId}`, { deleted: true, namespace, scheduleId });
  }

  putNamespace(ns: { name: string; description: string; retentionDays: number }): void {
    this.batch.namespaces.set(ns.name, ns);
  }

  /** Resolves once every write queued so far is committed. */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the dev service store is closed"));
    const p = new Promise<void>((resolve, reject) => this.batch.waiters.push({ resolve, reject }));
    if (!this.committing) this.committing = this.loop();
    return p;
  }

  async close(): Promise<void> {
    if (this.committing) await this.committing.catch(() => undefined);
    this.closed = true;
  }

  private async loop(): Promise<void> {
    // Take whatever accumulated, commit it, repeat until nothing waits.
    while (this.batch.waiters.length > 0) {
      const b = this.batch;
      this.batch = emptyBatch();
      try {
        await this.commit(b);
        for (const w of b.waiters) w.resolve();
      } catch (e) {
        for (const w of b.waiters) w.reject(e);
      }
    }
    this.committing = undefined;
  }

  private async commit(b: Batch): Promise<void> {
    const empty =
      b.executions.size === 0 && b.events.size === 0 && b.buffered.size === 0 && b.schedules.size === 0 && b.namespaces.size === 0;
    if (empty) return;
    if (this.simpleQuery) {
      await this.simpleQuery(batchSql(b));
      return;
    }
    await this.db.transaction(async (tx) => {
      for (const ns of b.namespaces.values()) {
        await tx.insert(temporalNamespaces).values(ns).onConflictDoNothing();
      }
      const rows = [...b.executions.values()];
      for (let i = 0; i < rows.length; i += 500) {
        await tx
          .insert(temporalExecutions)
          .values(rows.slice(i, i + 500))
          .onConflictDoUpdate({
            target: temporalExecutions.runId,
            set: {
              status: sqlExcluded("status"),
              closeTime: sqlExcluded("close_time"),
              historyLength: sqlExcluded("history_length"),
              runtime: sqlExcluded("runtime"),
            },
          });
      }
      const chunks = [...b.events.entries()].map(([runId, events]) => ({ runId, eventId: Number(events[0]?.eventId ?? 0), data: encodeChunk(events) }));
      for (let i = 0; i < chunks.length; i += 1000) {
        await tx.insert(temporalHistoryEvents).values(chunks.slice(i, i + 1000));
      }
      const clears = [...b.buffered.entries()].filter(([, v]) => v.clear).map(([k]) => k);
      if (clears.length > 0) await tx.delete(temporalBufferedEvents).where(inArray(temporalBufferedEvents.runId, clears));
      const bufferedRows = [...b.buffered.entries()].flatMap(([runId, v]) => v.rows.map((r) => ({ runId, ...r })));
      if (bufferedRows.length > 0) await tx.insert(temporalBufferedEvents).values(bufferedRows);
      for (const s of b.schedules.values()) {
        if ("deleted" in s) {
          await tx
            .delete(temporalSchedules)
            .where(and(eq(temporalSchedules.namespace, s.namespace), eq(temporalSchedules.scheduleId, s.scheduleId)));
        } else {
          await tx
            .insert(temporalSchedules)
            .values(s)
            .onConflictDoUpdate({
              target: [temporalSchedules.namespace, temporalSchedules.scheduleId],
              set: { schedule: s.schedule, memo: s.memo, state: s.state },
            });
        }
      }
    });
  }

  // ---- boot ----

  async loadNamespaces(): Promise<{ name: string; description: string; retentionDays: number }[]> {
    return this.db.select().from(temporalNamespaces);
  }

  async loadExecutions(): Promise<ExecutionRow[]> {
    return this.db.select().from(temporalExecutions).orderBy(asc(temporalExecutions.startTime));
  }

  async loadEvents(runId: string): Promise<HistoryEventProps[]> {
    const rows = await this.db
      .select({ data: temporalHistoryEvents.data })
      .from(temporalHistoryEvents)
      .where(eq(temporalHistoryEvents.runId, runId))
      .orderBy(asc(temporalHistoryEvents.eventId));
    return rows.flatMap((r) => decodeChunk(r.data));
  }

  /** Events of many runs at once (boot), grouped by run. */
  async loadEventsOfOpenRuns(openStatus: number): Promise<Map<string, HistoryEventProps[]>> {
    const rows = await this.db
      .select({ runId: temporalHistoryEvents.runId, data: temporalHistoryEvents.data })
      .from(temporalHistoryEvents)
      .innerJoin(temporalExecutions, eq(temporalExecutions.runId, temporalHistoryEvents.runId))
      .where(eq(temporalExecutions.status, openStatus))
      .orderBy(asc(temporalHistoryEvents.runId), asc(temporalHistoryEvents.eventId));
    const out = new Map<string, HistoryEventProps[]>();
    for (const r of rows) {
      const list = out.get(r.runId) ?? [];
      list.push(...decodeChunk(r.data));
      out.set(r.runId, list);
    }
    return out;
  }

  async loadBuffered(): Promise<Map<string, { seq: number; event: HistoryEventProps }[]>> {
    const rows = await this.db.select().from(temporalBufferedEvents).orderBy(asc(temporalBufferedEvents.runId), asc(temporalBufferedEvents.seq));
    const out = new Map<string, { seq: number; event: HistoryEventProps }[]>();
    for (const r of rows) {
      const list = out.get(r.runId) ?? [];
      list.push({ seq: r.seq, event: decodeEvent(r.data) });
      out.set(r.runId, list);
    }
    return out;
  }

  async loadSchedules(): Promise<ScheduleRow[]> {
    return this.db.select().from(temporalSchedules).where(ne(temporalSchedules.scheduleId, ""));
  }
}

export type { TemporalExecutionRuntime, TemporalScheduleState };

function sqlExcluded(column: string) {
  return sql.raw(`excluded."${column}"`);
}

// ---- one-statement-list commits
// The simple query protocol runs a multi-statement string as one implicit transaction (all or nothing)
// in a single round trip, which matters for PGlite (every round trip crosses into WASM). Values are
// inlined as literals; every one goes through lit()/bytes()/int() below.

function simpleQueryOf(db: Database): ((text: string) => Promise<unknown>) | undefined {
  const client = (db as unknown as { $client?: { exec?: (q: string) => Promise<unknown>; query?: (q: string) => Promise<unknown>; totalCount?: number } }).$client;
  if (!client) return undefined;
  if (typeof client.exec === "function") return (q) => client.exec!(q); // PGlite
  if (typeof client.query === "function" && typeof client.totalCount === "number") return (q) => client.query!(q); // pg.Pool
  return undefined;
}

function lit(v: string | null | undefined): string {
  return v === null || v === undefined ? "NULL" : `'${v.replace(/'/g, "''")}'`;
}

function bytes(v: Uint8Array | null | undefined): string {
  return v ? `'\\x${Buffer.from(v).toString("hex")}'::bytea` : "NULL";
}

function int(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a number: ${v}`);
  return String(Math.trunc(v));
}

function time(v: Date | null | undefined): string {
  return v ? `${lit(v.toISOString())}::timestamptz` : "NULL";
}

function json(v: unknown): string {
  return `${lit(JSON.stringify(v))}::jsonb`;
}

function batchSql(b: Batch): string {
  const out: string[] = [];
  for (const ns of b.namespaces.values()) {
    out.push(`INSERT INTO temporal_namespaces (name, description, retention_days) VALUES (${lit(ns.name)}, ${lit(ns.description)}, ${int(ns.retentionDays)}) ON CONFLICT DO NOTHING`);
  }
  const rows = [...b.executions.values()];
  if (rows.length > 0) {
    const values = rows.map(
      (r) =>
        `(${lit(r.runId)}, ${lit(r.namespace)}, ${lit(r.workflowId)}, ${lit(r.workflowType)}, ${lit(r.taskQueue)}, ${int(r.status)}, ${time(r.startTime)}, ${time(r.closeTime)}, ${int(r.historyLength)}, ${json(r.runtime)})`,
    );
    out.push(
      `INSERT INTO temporal_executions (run_id, namespace, workflow_id, workflow_type, task_queue, status, start_time, close_time, history_length, runtime) VALUES ${values.join(", ")} ` +
        `ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, close_time = excluded.close_time, history_length = excluded.history_length, runtime = excluded.runtime`,
    );
  }
  if (b.events.size > 0) {
    const values = [...b.events.entries()].map(([runId, events]) => `(${lit(runId)}, ${int(Number(events[0]?.eventId ?? 0))}, ${bytes(encodeChunk(events))})`);
    out.push(`INSERT INTO temporal_history_events (run_id, event_id, data) VALUES ${values.join(", ")}`);
  }
  const clears = [...b.buffered.entries()].filter(([, v]) => v.clear).map(([k]) => lit(k));
  if (clears.length > 0) out.push(`DELETE FROM temporal_buffered_events WHERE run_id IN (${clears.join(", ")})`);
  const buffered = [...b.buffered.entries()].flatMap(([runId, v]) => v.rows.map((r) => `(${lit(runId)}, ${int(r.seq)}, ${bytes(r.data)})`));
  if (buffered.length > 0) out.push(`INSERT INTO temporal_buffered_events (run_id, seq, data) VALUES ${buffered.join(", ")}`);
  for (const s of b.schedules.values()) {
    if ("deleted" in s) out.push(`DELETE FROM temporal_schedules WHERE namespace = ${lit(s.namespace)} AND schedule_id = ${lit(s.scheduleId)}`);
    else
      out.push(
        `INSERT INTO temporal_schedules (namespace, schedule_id, schedule, memo, state) VALUES (${lit(s.namespace)}, ${lit(s.scheduleId)}, ${bytes(s.schedule)}, ${bytes(s.memo)}, ${json(s.state)}) ` +
          `ON CONFLICT (namespace, schedule_id) DO UPDATE SET schedule = excluded.schedule, memo = excluded.memo, state = excluded.state`,
      );
  }
  return `${out.join(";\n")};`;
}
