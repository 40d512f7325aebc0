import { z } from "zod";
import { QualityRule } from "../quality/schema";
import { DashboardSpec } from "../dashboards/schema";
import { MetricTask } from "../metrics/spec";
import { Description, Expression, Name, OptionText, ShortText, SqlText, TimeZone } from "./primitives";

// The primitives live in primitives.ts so specs the project file embeds (metric tasks) can use them without
// importing this module; re-exported here for the many importers that know them from here.
export { Description, Expression, FIELD_LIMITS, Name, NAME_PATTERN, OptionText, ShortText, SqlText, storableText, TimeZone } from "./primitives";

// The catalog's specs: what a user declares (in the project file or through the workbench) and what the
// catalog stores. One schema per noun; the inferred type shares its name. Cross-object rules (does the
// mapped column exist? do the sides agree?) live in validate.ts, which reports them with a path.

const Key = ShortText.min(1, "must not be empty");

/** Reserved logical column on every mixed meta-table: 'stream' or 'batch'. */
export const MODE_COLUMN = "__mode";
export const RESERVED_COLUMN_NAMES = [MODE_COLUMN] as const;

export const CONNECTION_TYPES = ["kafka", "filesystem", "jdbc", "datagen", "print", "blackhole", "duckdb"] as const;
export const ConnectionType = z.enum(CONNECTION_TYPES);
export type ConnectionType = z.infer<typeof ConnectionType>;

/**
 * A secret in a spec: a literal (stored encrypted, never shown again), a reference to an environment
 * variable read at apply time, or `{ stored: true }` meaning "keep the value already stored" (what
 * `tandem export` writes, so exported files never hold secrets).
 */
export const SecretValue = z.union([
  OptionText.min(1),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }).strict(),
  z.object({ stored: z.literal(true) }).strict(),
]);
export type SecretValue = z.infer<typeof SecretValue>;

export const OptionValue = z.union([OptionText, z.number(), z.boolean()]).transform(String);

export const ConnectionSpec = z
  .object({
    name: Name,
    type: ConnectionType,
    description: Description.default(""),
    /** Options merged into the WITH (...) clause of every table on this connection, e.g. properties.bootstrap.servers. */
    properties: z.record(Key, OptionValue).default({}),
    /** Connector options holding credentials, e.g. password; encrypted at rest. */
    secrets: z.record(Key, SecretValue).default({}),
  })
  .strict();
export type ConnectionSpec = z.input<typeof ConnectionSpec>;
export type ConnectionSpecParsed = z.output<typeof ConnectionSpec>;

export const ColumnSpec = z
  .object({
    name: Name,
    /** Flink SQL type, e.g. BIGINT, STRING, DECIMAL(10, 2), TIMESTAMP_LTZ(3). */
    type: ShortText.min(1),
    comment: Description.optional(),
  })
  .strict();
export type ColumnSpec = z.infer<typeof ColumnSpec>;

/** A computed column of a physical table, e.g. `ts AS TO_TIMESTAMP_LTZ(epoch_ms, 3)` or `METADATA FROM 'timestamp'`. */
export const ComputedColumnSpec = z
  .object({ name: Name, expr: Expression.min(1), comment: Description.optional() })
  .strict();

export const WatermarkSpec = z
  .object({
    column: Name,
    /** Allowed lateness as a Flink interval literal body: "5 SECOND", "1 MINUTE". */
    delay: z.string().regex(/^\d+\s+(SECOND|MINUTE|HOUR|DAY)S?$/i, "must look like '5 SECOND'").default("0 SECOND"),
  })
  .strict();

export const PARTITION_FORMATS = ["yyyy-MM-dd", "yyyyMMdd", "yyyy-MM-dd HH", "yyyyMMddHH"] as const;
export const PartitionSpec = z
  .object({
    column: Name,
    format: z.enum(PARTITION_FORMATS).default("yyyy-MM-dd"),
  })
  .strict();
export type PartitionSpec = z.infer<typeof PartitionSpec>;

export const TableKind = z.enum(["stream", "batch"]);
export type TableKind = z.infer<typeof TableKind>;

export const PhysicalTableSpec = z
  .object({
    name: Name,
    connection: Name,
    kind: TableKind,
    description: Description.default(""),
    columns: z.array(ColumnSpec).min(1, "a table needs at least one column"),
    computedColumns: z.array(ComputedColumnSpec).default([]),
    /** Table-level connector options (WITH clause), e.g. path, format, topic. */
    options: z.record(Key, OptionValue).default({}),
    watermark: WatermarkSpec.optional(),
    primaryKey: z.array(Name).optional(),
    /** Batch tables only: the partition column and its value format. */
    partition: PartitionSpec.optional(),
    /** Quality rules checked on each partition a batch instance writes (server/quality, docs/quality.md). */
    quality: z.array(QualityRule).max(200).optional(),
  })
  .strict();
export type PhysicalTableSpec = z.input<typeof PhysicalTableSpec>;
export type PhysicalTableSpecParsed = z.output<typeof PhysicalTableSpec>;

/** Maps one logical column to a physical column, or to an expression over the physical columns. */
export const FieldMapping = z.union([
  Name,
  z.object({ column: Name }).strict(),
  z.object({ expr: Expression.min(1) }).strict(),
]);
export type FieldMapping = z.infer<typeof FieldMapping>;

export const BindingSpec = z
  .object({
    table: Name,
    /** logical column -> physical column (or expression over physical columns). */
    mappings: z.record(Key, FieldMapping).default({}),
    /** logical column -> constant or expression, for columns this side does not have. */
    virtual: z.record(Key, Expression.min(1)).default({}),
  })
  .strict();
export type BindingSpec = z.input<typeof BindingSpec>;
export type BindingSpecParsed = z.output<typeof BindingSpec>;

export const LogicalColumnSpec = z
  .object({ name: Name, type: ShortText.min(1), description: Description.optional() })
  .strict();
export type LogicalColumnSpec = z.infer<typeof LogicalColumnSpec>;

export const MetaTableSpec = z
  .object({
    name: Name,
    description: Description.default(""),
    owner: ShortText.default(""),
    columns: z.array(LogicalColumnSpec).min(1, "a meta-table needs at least one column"),
    /** Single-source meta-table: one physical table. */
    source: BindingSpec.optional(),
    /** Mixed meta-table: the stream side and the batch side. */
    stream: BindingSpec.optional(),
    batch: BindingSpec.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const mixed = m.stream !== undefined || m.batch !== undefined;
    if (m.source && mixed) {
      ctx.addIssue({ code: "custom", message: "declare either 'source' (single-source) or 'stream' and 'batch' (mixed), not both" });
    } else if (!m.source && !(m.stream && m.batch)) {
      ctx.addIssue({
        code: "custom",
        message: mixed
          ? `a mixed meta-table needs both sides; '${m.stream ? "batch" : "stream"}' is missing`
          : "declare 'source' (single-source) or 'stream' and 'batch' (mixed)",
      });
    }
  });
export type MetaTableSpec = z.input<typeof MetaTableSpec>;
export type MetaTableSpecParsed = z.output<typeof MetaTableSpec>;

export const StreamSettings = z
  .object({
    parallelism: z.number().int().min(1).max(1024).default(1),
    startFrom: z.enum(["earliest", "latest", "timestamp"]).default("latest"),
    startTimestamp: ShortText.optional(),
    checkpointIntervalMs: z.number().int().min(1000).default(60_000),
  })
  .strict();

/** Most days back a manual dependency may reach (a year and a day, like the bizdate offset). */
export const MAX_DEPENDENCY_OFFSET_DAYS = 366;

const DependencyOffsetDays = z
  .number()
  .int("must be a whole number of days")
  .min(-MAX_DEPENDENCY_OFFSET_DAYS, `must be at least -${MAX_DEPENDENCY_OFFSET_DAYS}`)
  .max(0, "must be 0 or negative: a day cannot wait for a later day")
  .default(0);

/**
 * A dependency beyond lineage: day D of the job waits for day D + offsetDays of another job's output
 * partitions (`job`), or of a table's daily partition (`table`: a meta-table or a physical batch table,
 * produced by a deployed job or loaded by another system). A bare name is a job on the same day.
 */
export const ManualDependency = z.union([
  Name,
  z.object({ job: Name, offsetDays: DependencyOffsetDays }).strict(),
  z.object({ table: Name, offsetDays: DependencyOffsetDays }).strict(),
], { error: "must be a job name, { job, offsetDays } or { table, offsetDays }" });
export type ManualDependency = z.output<typeof ManualDependency>;

/** One shape for the scheduler: what a dependency names, and its offset. */
export type ManualDependencyTarget = { job: string; offsetDays: number } | { table: string; offsetDays: number };
export function manualDependencyTarget(d: ManualDependency): ManualDependencyTarget {
  return typeof d === "string" ? { job: d, offsetDays: 0 } : d;
}

export const BatchSettings = z
  .object({
    /** Cron in croner syntax (5 or 6 fields), evaluated in `timezone`. */
    cron: ShortText.default("0 30 0 * * *"),
    timezone: ShortText.default("UTC"),
    /** bizdate = scheduled date + offset days; -1 processes yesterday's partition. */
    bizdateOffsetDays: z.number().int().min(-366).max(0).default(-1),
    /** Static partition values, e.g. { region: "cn" }. */
    partitions: z.record(Key, OptionText).default({}),
    /** Manual dependencies, beyond what the SQL reads (ManualDependency). */
    dependsOn: z.array(ManualDependency).max(100, "must list at most 100 dependencies").default([]),
    sinkRateLimit: z.number().int().positive().optional(),
    retries: z.number().int().min(0).max(20).default(2),
    timeoutMinutes: z.number().int().positive().default(120),
  })
  .strict();

export const HybridSettings = z
  .object({
    /** First bizdate of the campaign; batch history covers start .. bizdate-1. */
    startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD"),
  })
  .strict();

export const JobSpec = z
  .object({
    name: Name,
    description: Description.default(""),
    /** DDL-free Flink SQL over meta-tables; may use ${bizdate}, ${mode} and the job's variables. */
    sql: SqlText.min(1, "a job needs SQL"),
    variables: z.record(Key, OptionText).default({}),
    /** The session time zone (Flink's table.local-time-zone); defaults to the project's, else UTC. */
    timeZone: TimeZone.optional(),
    stream: StreamSettings.default(StreamSettings.parse({})),
    batch: BatchSettings.default(BatchSettings.parse({})),
    hybrid: HybridSettings.optional(),
  })
  .strict();
export type JobSpec = z.input<typeof JobSpec>;
export type JobSpecParsed = z.output<typeof JobSpec>;

export const PROJECT_FILE_VERSION = 1;
export const ProjectFile = z
  .object({
    version: z.literal(PROJECT_FILE_VERSION).default(PROJECT_FILE_VERSION),
    project: Name,
    description: Description.optional(),
    /** The session time zone of every job that does not set its own. */
    timeZone: TimeZone.optional(),
    connections: z.array(ConnectionSpec).default([]),
    physicalTables: z.array(PhysicalTableSpec).default([]),
    metaTables: z.array(MetaTableSpec).default([]),
    jobs: z.array(JobSpec).default([]),
    /** Promotion dashboards over the project's sink tables (server/dashboards, docs/dashboards.md). */
    dashboards: z.array(DashboardSpec).default([]),
    /** Metric-builder tasks (server/metrics, docs/metric-builder.md); their generated jobs are under `jobs:`. */
    metricTasks: z.array(MetricTask).default([]),
  })
  .strict();
export type ProjectFile = z.input<typeof ProjectFile>;
export type ProjectFileParsed = z.output<typeof ProjectFile>;

/** Everything the SQL layer needs to know about a project, already validated: a plain value, no database. */
export interface CatalogSnapshot {
  project: string;
  connections: ReadonlyMap<string, ConnectionSpecParsed>;
  physicalTables: ReadonlyMap<string, PhysicalTableSpecParsed>;
  metaTables: ReadonlyMap<string, MetaTableSpecParsed>;
}

export function mappingExpr(m: FieldMapping): { column: string } | { expr: string } {
  return typeof m === "string" ? { column: m } : m;
}
