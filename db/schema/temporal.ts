import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// Tables of the embedded Temporal-compatible dev service (workflows/devserver). History is the source of
// truth: each history row is a chunk of consecutive events of one run (those one commit appended), stored
// as an encoded temporal.api.history.v1.History message, exactly as the SDK sees them; event_id is the
// chunk's first event id. The execution row is an index (list, describe, boot) plus the little runtime state that
// real Temporal keeps outside history (activity attempts in flight, heartbeats).

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  // node-postgres returns Buffer, PGlite Uint8Array: both are Uint8Array.
  fromDriver: (v) => v,
  toDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/** State of one activity that history does not record until it finishes. */
export interface TemporalActivityRuntime {
  attempt: number;
  /** When the current attempt was scheduled (first attempt: the scheduled event time). */
  attemptScheduledMs: number;
  /** Set while a worker holds the current attempt. */
  startedMs?: number;
  startedIdentity?: string;
  lastHeartbeatMs?: number;
  /** Base64 of encoded temporal.api.common.v1.Payloads. */
  heartbeatDetails?: string;
  /** Base64 of encoded temporal.api.failure.v1.Failure of the previous attempt. */
  lastFailure?: string;
  /** Set while waiting for a retry backoff. */
  retryAtMs?: number;
}

export interface TemporalExecutionRuntime {
  activities: Record<string, TemporalActivityRuntime>;
}

export const temporalNamespaces = pgTable("temporal_namespaces", {
  name: text("name").primaryKey(),
  description: text("description").notNull().default(""),
  retentionDays: integer("retention_days").notNull().default(3),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const temporalExecutions = pgTable(
  "temporal_executions",
  {
    runId: text("run_id").primaryKey(),
    namespace: text("namespace").notNull(),
    workflowId: text("workflow_id").notNull(),
    workflowType: text("workflow_type").notNull(),
    taskQueue: text("task_queue").notNull(),
    /** temporal.api.enums.v1.WorkflowExecutionStatus */
    status: integer("status").notNull(),
    startTime: timestamp("start_time", { withTimezone: true, mode: "date" }).notNull(),
    closeTime: timestamp("close_time", { withTimezone: true, mode: "date" }),
    historyLength: integer("history_length").notNull(),
    runtime: jsonb("runtime").$type<TemporalExecutionRuntime>().notNull(),
  },
  (t) => [
    index("temporal_executions_workflow_idx").on(t.namespace, t.workflowId),
    index("temporal_executions_status_idx").on(t.status),
  ],
);

export const temporalHistoryEvents = pgTable(
  "temporal_history_events",
  {
    runId: text("run_id").notNull(),
    eventId: integer("event_id").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.eventId] })],
);

/** Events that arrived while a workflow task was running; appended to history when it completes. */
export const temporalBufferedEvents = pgTable(
  "temporal_buffered_events",
  {
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Runtime bookkeeping of a schedule (counters, recent actions, buffered starts, last processed time). */
export interface TemporalScheduleState {
  createdMs: number;
  updatedMs: number;
  /** Nominal times up to this instant have been handled (started, skipped or missed). */
  processedUntilMs: number;
  conflictToken: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  /** Nominal start times waiting for the running workflow to close (buffer-one / buffer-all). */
  buffered: { nominalMs: number; overlapPolicy: number }[];
  running: { workflowId: string; runId: string }[];
  recentActions: { nominalMs: number; actualMs: number; workflowId: string; runId: string }[];
}

export const temporalSchedules = pgTable(
  "temporal_schedules",
  {
    namespace: text("namespace").notNull(),
    scheduleId: text("schedule_id").notNull(),
    /** Encoded temporal.api.schedule.v1.Schedule as last created or updated. */
    schedule: bytea("schedule").notNull(),
    /** Encoded temporal.api.common.v1.Memo, when given. */
    memo: bytea("memo"),
    state: jsonb("state").$type<TemporalScheduleState>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.namespace, t.scheduleId] })],
);
