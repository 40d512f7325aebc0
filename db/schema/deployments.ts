import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// Production deployments of jobs. A deployment freezes the job's spec (its SQL and settings) as it was
// validated and translated at that moment; versions count up per job and are never rewritten, so a
// rollback is a new version that copies an older one. Keyed by the job's name, so the history outlives
// a deleted and recreated job.

export const jobDeployments = pgTable(
  "job_deployments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    jobName: text("job_name").notNull(),
    version: integer("version").notNull(),
    /** The job spec as deployed (JobSpec, parsed). */
    spec: jsonb("spec").notNull(),
    /** The stream script at deploy time, secrets masked (null for a batch-only job): for review and diff. */
    streamScript: text("stream_script"),
    /** Meta-tables read and written, from the lineage, for the deployment list. */
    sources: jsonb("sources").$type<string[]>().notNull(),
    sinks: jsonb("sinks").$type<string[]>().notNull(),
    /** The batch script for the deploy day (review only: runs translate the frozen spec for their own bizdate). */
    batchScript: text("batch_script"),
    /** The slice of the catalog this version runs (FrozenCatalog); null for versions deployed before it was kept. */
    catalog: jsonb("catalog"),
    /** Table and column lineage edges of this version (Lineage). */
    lineage: jsonb("lineage"),
    /** The job's manual dependencies resolved at deploy to the daily tables they wait for (FrozenDependency[]). */
    dependencies: jsonb("dependencies").$type<unknown[]>().notNull().default([]),
    note: text("note").notNull().default(""),
    /** The version this one restores, when it is a rollback. */
    rollbackOf: integer("rollback_of"),
    deployedBy: text("deployed_by").notNull(),
    deployedAt: timestamp("deployed_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set on the newest version when the job is taken out of production (`tandem undeploy`); a deploy appends a live version. */
    undeployedAt: timestamp("undeployed_at", { withTimezone: true }),
    undeployedBy: text("undeployed_by"),
  },
  (t) => [
    uniqueIndex("job_deployments_project_job_version").on(t.projectId, t.jobName, t.version),
    index("job_deployments_project_at").on(t.projectId, t.deployedAt),
  ],
);
