import { bigint, bigserial, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// Samples of a running stream side's metrics (server/streams/metric-history.ts), every few seconds while it
// runs and kept for two days: the job page draws lag and throughput from them.

export const streamMetricSamples = pgTable(
  "stream_metric_samples",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    job: text("job").notNull(),
    version: integer("version").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    rowsIn: bigint("rows_in", { mode: "number" }).notNull(),
    rowsOut: bigint("rows_out", { mode: "number" }).notNull(),
    /** null when the engine does not report lag. */
    lag: bigint("lag", { mode: "number" }),
    lagUnit: text("lag_unit"),
  },
  (t) => [index("stream_metric_samples_job_at").on(t.projectId, t.job, t.at)],
);
