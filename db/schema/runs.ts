import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// The run domain (server/runs/): batch instances of deployed jobs, their event log, and the partition
// registry whose readiness releases downstream instances. Keyed by names (job, table), like deployments,
// so history outlives a deleted and recreated job.

/**
 * One batch instance: a job's run for one bizdate. One row per (job, bizdate); a rerun is the next attempt
 * of the same row (each attempt's start, end and metrics are in its events).
 */
export const batchInstances = pgTable(
  "batch_instances",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    jobName: text("job_name").notNull(),
    /** yyyyMMdd (Bizdate.toString()). */
    bizdate: text("bizdate").notNull(),
    /** The deployment version this attempt runs. */
    deploymentVersion: integer("deployment_version").notNull(),
    /** waiting | queued | running | succeeded | failed | skipped | cancelled (server/runs/states.ts). */
    state: text("state").notNull(),
    attempt: integer("attempt").notNull().default(1),
    /** schedule | rerun | backfill | manual */
    trigger: text("trigger").notNull(),
    /** When the schedule meant it to run, apart from when it started. */
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** Partitions it still waits for, while waiting: [{ table, partition }]. */
    waitingFor: jsonb("waiting_for").$type<{ table: string; partition: string }[]>().notNull().default([]),
    /** The last attempt's metrics (RunMetrics) and error. */
    metrics: jsonb("metrics"),
    error: text("error"),
    engineJobId: text("engine_job_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("batch_instances_job_bizdate").on(t.projectId, t.jobName, t.bizdate),
    index("batch_instances_project_state").on(t.projectId, t.state),
  ],
);

/** What happened to an instance, in order: who or what, when, why. */
export const instanceEvents = pgTable(
  "instance_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    instanceId: uuid("instance_id").notNull().references(() => batchInstances.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    attempt: integer("attempt").notNull(),
    /** The state entered, or a note (e.g. `waiting` again with fewer partitions). */
    kind: text("kind").notNull(),
    actor: text("actor").notNull(),
    message: text("message").notNull(),
    data: jsonb("data"),
  },
  (t) => [index("instance_events_instance").on(t.instanceId, t.id)],
);

/** The partition registry: a table's partition is ready once its producer (or a person) says so. */
export const tablePartitions = pgTable(
  "table_partitions",
  {
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    tableName: text("table_name").notNull(),
    partition: text("partition").notNull(),
    rows: integer("rows"),
    /** The instance that wrote it; null when marked ready by hand or found on disk. */
    producedBy: uuid("produced_by").references(() => batchInstances.id, { onDelete: "set null" }),
    markedBy: text("marked_by").notNull(),
    readyAt: timestamp("ready_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.tableName, t.partition] })],
);
