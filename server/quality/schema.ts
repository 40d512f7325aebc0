import { z } from "zod";

// Quality rules as declared under a physical table (`quality:` in the project file, or through the
// quality API). This file depends on zod only: the catalog's table spec embeds it.

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const RuleName = z.string().min(1, "must not be empty").max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must start with a letter or underscore and contain only letters, digits and underscores");
const Column = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");
const Limit = z.union([z.number(), z.string().max(256)]);

export const SEVERITIES = ["blocking", "warning"] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

const base = {
  name: RuleName,
  /** blocking: a failure fails the batch instance and its partition stays not ready; warning: recorded only. */
  severity: Severity.default("blocking"),
  description: z.string().max(10_000).optional(),
};

export const RowCountRule = z.object({
  ...base,
  kind: z.literal("rowCount"),
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(0).optional(),
  /** The largest change, in %, against the partition 7 days earlier (same weekday). */
  maxChangePct: z.number().min(0).optional(),
}).strict();

export const NullRatioRule = z.object({ ...base, kind: z.literal("nullRatio"), column: Column, max: z.number().min(0).max(1) }).strict();

export const UniqueRule = z.object({ ...base, kind: z.literal("unique"), columns: z.array(Column).min(1, "name at least one key column").max(32) }).strict();

export const RangeRule = z.object({ ...base, kind: z.literal("range"), column: Column, min: Limit.optional(), max: Limit.optional() }).strict();

export const FreshnessRule = z.object({
  ...base,
  kind: z.literal("freshness"),
  /** Local time (HH:mm) by which day D's partition must be ready... */
  readyBy: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day, HH:mm"),
  /** ...on day D + dayOffset (default 1: the morning after). */
  dayOffset: z.number().int().min(0).max(31).default(1),
  /** The zone of readyBy (default: the job's time zone, else UTC). */
  timeZone: z.string().max(64).refine(isIanaZone, "must be a time zone such as UTC or Asia/Shanghai").optional(),
}).strict();

export const SqlRule = z.object({
  ...base,
  kind: z.literal("sql"),
  /** A SELECT returning the offending rows of the partition (the table's name reads only the partition); pass = no row. */
  sql: z.string().min(1, "must not be empty").max(100_000),
}).strict();

export const ReconcileRule = z.object({
  ...base,
  kind: z.literal("reconcile"),
  /** The stream side's physical table (e.g. the serving table the stream job upserts). */
  against: z.string().min(1).max(128),
  key: z.array(Column).min(1, "name at least one key column").max(32),
  /** The measures compared per key. */
  columns: z.array(Column).min(1, "name at least one column to compare").max(64),
  /** Allowed difference per key and column: absolute, and/or % of the batch value (either one suffices). */
  tolerance: z.object({ abs: z.number().min(0).optional(), pct: z.number().min(0).optional() }).strict().default({}),
  /** The stream table's column holding the day (default: the batch table's partition column). */
  dayColumn: Column.optional(),
  /** Differing keys stored at most (default 100). */
  maxKeys: z.number().int().min(1).max(10_000).default(100),
}).strict();

export const QualityRule = z.discriminatedUnion("kind", [RowCountRule, NullRatioRule, UniqueRule, RangeRule, FreshnessRule, SqlRule, ReconcileRule]);
export type QualityRule = z.input<typeof QualityRule>;
export type QualityRuleParsed = z.output<typeof QualityRule>;
export const RULE_KINDS = ["rowCount", "nullRatio", "unique", "range", "freshness", "sql", "reconcile"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
