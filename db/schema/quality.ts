import { bigserial, boolean, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";
import { batchInstances } from "./runs";

// Quality results (server/quality/): one row per rule evaluated on a table's partition, with the query that
// produced it and what it observed. Rules themselves live in the physical table's spec (its `quality:`).

export const qualityResults = pgTable(
  "quality_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    tableName: text("table_name").notNull(),
    /** yyyyMMdd. */
    partition: text("partition").notNull(),
    ruleName: text("rule_name").notNull(),
    /** rowCount | nullRatio | unique | range | freshness | sql | reconcile */
    kind: text("kind").notNull(),
    /** blocking | warning */
    severity: text("severity").notNull(),
    passed: boolean("passed").notNull(),
    /** What was measured (per kind: rows, ratio, duplicates, out-of-range rows, differing keys...). */
    observed: jsonb("observed").notNull(),
    message: text("message").notNull(),
    /** The SQL that measured it (the shared scan for the single-scan kinds). */
    query: text("query").notNull(),
    /** The batch instance whose output was checked; null for checks run by hand. */
    instanceId: uuid("instance_id").references(() => batchInstances.id, { onDelete: "set null" }),
    job: text("job"),
    evaluatedAt: timestamp("evaluated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("quality_results_table_partition").on(t.projectId, t.tableName, t.partition, t.id),
    index("quality_results_job").on(t.projectId, t.job, t.id),
  ],
);
