import { jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// Metric tasks (server/metrics/): the builder's spec, kept so the form can be reopened; the jobs it generates
// are ordinary rows of `jobs` (their names listed here), deployed like any job.

export const metricTasks = pgTable(
  "metric_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    spec: jsonb("spec").notNull(),
    /** Names of the jobs the last save generated. */
    jobs: jsonb("jobs").$type<string[]>().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("metric_tasks_project_name").on(t.projectId, t.name)],
);
