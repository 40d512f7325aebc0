import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// Alerts (server/alerts/): a project's channels (a webhook and the event kinds it wants), the events that
// happened (one row per event key: emitting the same key twice is one event), and the outbox of
// deliveries, one per event and channel, which is also the history of sent alerts.

export const alertChannels = pgTable(
  "alert_channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** http(s) URL the alert is POSTed to. It may carry a token (IM webhooks do): listed masked. */
    url: text("url").notNull(),
    /** Optional `{{job}} {{bizdate}} {{reason}}` text sent as the payload's `text` (IM/email-style). */
    template: text("template"),
    /** The AlertKinds this channel receives. */
    kinds: jsonb("kinds").$type<string[]>().notNull(),
    /** Only these jobs; empty: every job. */
    jobs: jsonb("jobs").$type<string[]>().notNull().default([]),
    /** A stream's lag above this (in the engine's lag unit) is a `stream_lag` event; null: the default. */
    lagThreshold: integer("lag_threshold"),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("alert_channels_project_name").on(t.projectId, t.name)],
);

/** Something that happened and may be alerted on; also read by the health score (restarts, quality). */
export const alertEvents = pgTable(
  "alert_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    /** De-duplication key (kind/job/bizdate/rule/...): the same key is one event, delivered once. */
    key: text("key").notNull(),
    kind: text("kind").notNull(),
    jobName: text("job_name").notNull(),
    bizdate: text("bizdate"),
    rule: text("rule"),
    severity: text("severity").notNull(),
    reason: text("reason").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_events_project_key").on(t.projectId, t.key),
    index("alert_events_project_job_at").on(t.projectId, t.jobName, t.at),
  ],
);

/** The outbox: one delivery of an event to a channel, retried with backoff until delivered or given up. */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    eventId: integer("event_id").notNull().references(() => alertEvents.id, { onDelete: "cascade" }),
    /** Kept (null) when the channel is deleted, so the history stays. */
    channelId: uuid("channel_id").references(() => alertChannels.id, { onDelete: "set null" }),
    channelName: text("channel_name").notNull(),
    /** pending | delivered | failed (gave up after the last attempt) */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A deliverer holds the row until then (another deliverer skips it; a dead one's lease runs out). */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_deliveries_event_channel").on(t.eventId, t.channelId),
    index("alert_deliveries_due").on(t.status, t.nextAttemptAt),
  ],
);
