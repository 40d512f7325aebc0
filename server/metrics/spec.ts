import { z } from "zod";
import { Description, Expression, Name, ShortText, TimeZone } from "../catalog/primitives";

// The metric-task spec: what a user configures in the metric builder (or declares under `metricTasks:` in
// the project file). A task reads one source meta-table, applies process components in order, and writes
// result components (period x dimension set -> result meta-table); server/metrics/generate.ts turns it into
// ordinary jobs the SQL core validates and translates like hand-written ones.

/** A named expression or filter on the source table, reusable by dimensions, metrics and filters. */
export const CalculationElement = z
  .object({
    name: Name,
    /** `expression`: a value (usable as a dimension or inside a metric); `filter`: a boolean condition. */
    kind: z.enum(["expression", "filter"]),
    expr: Expression.min(1, "must not be empty"),
    /** Flink type of an expression element (used to check result columns); filters are BOOLEAN. */
    type: ShortText.default("STRING"),
    description: Description.optional(),
  })
  .strict();
export type CalculationElement = z.output<typeof CalculationElement>;

export const DimensionJoin = z
  .object({
    type: z.literal("dimensionJoin"),
    /** The dimension meta-table (single-source), looked up as of the event time. */
    table: Name,
    /** Source column (or element) -> dimension column. */
    on: z.array(z.object({ source: Name, dimension: Name }).strict()).min(1, "a dimension join needs at least one key"),
    /** Dimension columns brought in (named as in the dimension table). */
    columns: z.array(Name).min(1, "pick at least one dimension column"),
    /** LEFT keeps events without a dimension row (their columns NULL). */
    left: z.boolean().default(false),
  })
  .strict();

export const Explode = z
  .object({
    type: z.literal("explode"),
    /** A STRING column holding a delimited list; each item becomes a row. */
    column: Name,
    delimiter: ShortText.min(1).default(","),
    /** Name of the new column holding one item. */
    as: Name,
    /** Longest list expanded (items past it are dropped): one UNION ALL branch per position. */
    maxItems: z.number().int().min(1).max(32).default(8),
  })
  .strict();

export const Dedup = z
  .object({
    type: z.literal("dedup"),
    keys: z.array(Name).min(1, "dedup needs at least one key"),
    keep: z.enum(["first", "last"]).default("first"),
  })
  .strict();

export const TableFilter = z
  .object({
    type: z.literal("filter"),
    /** A boolean expression over the columns so far, or the name of a filter element. */
    condition: Expression.min(1, "must not be empty"),
  })
  .strict();

export const ProcessComponent = z.discriminatedUnion("type", [DimensionJoin, Explode, Dedup, TableFilter]);
export type ProcessComponent = z.output<typeof ProcessComponent>;

export const PERIODS = ["day", "hour", "15min", "5min", "campaign"] as const;
export const Period = z.enum(PERIODS);
export type Period = z.infer<typeof Period>;
export const PERIOD_LABELS: Record<Period, string> = {
  day: "Day", hour: "Hour", "15min": "15 minutes", "5min": "5 minutes", campaign: "Campaign to date",
};

export const DimensionSet = z
  .object({
    name: Name,
    /** Columns (source, joined, exploded) or expression elements; each is a result column of the same name. */
    dimensions: z.array(Name).max(16),
  })
  .strict();
export type DimensionSet = z.output<typeof DimensionSet>;

export const AGGREGATIONS = ["count", "sum", "countDistinct"] as const;
export const Metric = z
  .object({
    /** The result column it is written to (unless `column` says otherwise). */
    name: Name,
    agg: z.enum(AGGREGATIONS),
    /** SUM(expr) / COUNT(DISTINCT expr); not used by COUNT(1). */
    expr: Expression.optional(),
    /** Name of a filter element: only rows passing it are counted. */
    filter: Name.optional(),
    column: Name.optional(),
    description: Description.optional(),
  })
  .strict();
export type Metric = z.output<typeof Metric>;

export const ResultComponent = z
  .object({
    period: Period,
    dimensionSet: Name,
    /** Result meta-table: every column must be produced (period, dimensions, metrics). */
    table: Name,
    /** Metric names written (default: every metric whose column the table has). */
    metrics: z.array(Name).optional(),
    /** Campaign-to-date, split UV: the meta-table the distinct-count metrics are written to by their own job. */
    uvTable: Name.optional(),
  })
  .strict();
export type ResultComponent = z.output<typeof ResultComponent>;

export const MetricTask = z
  .object({
    name: Name,
    description: Description.default(""),
    source: Name,
    /** Event-time column of the source (windows, lookup joins, dedup order). */
    timeColumn: Name.default("event_time"),
    /** Day column of the source: the batch partition ('yyyy-MM-dd'), the day period's key. */
    dateColumn: Name.default("dt"),
    elements: z.array(CalculationElement).default([]),
    process: z.array(ProcessComponent).default([]),
    dimensionSets: z.array(DimensionSet).min(1, "add at least one dimension set"),
    metrics: z.array(Metric).min(1, "add at least one metric").max(500),
    results: z.array(ResultComponent).min(1, "add at least one result component"),
    /** `merge`: the period x dimension combinations of a task are one job (one statement set); `split`: a job each. */
    combine: z.enum(["merge", "split"]).default("merge"),
    /** Campaign-to-date distinct counts: in the task's campaign job (`merge`) or a sub-task of their own (`split`). */
    uv: z.enum(["merge", "split"]).default("merge"),
    /** First day of the campaign (campaign-to-date periods; the hybrid script's history start). */
    campaignStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD").optional(),
    /** The jobs' session time zone (days, hours and windows are cut in it); defaults to the project's. */
    timeZone: TimeZone.optional(),
    /** The stream side computes every day it reads (`all`, like the demo job) or only the bizdate (`bizdate`). */
    streamScope: z.enum(["all", "bizdate"]).default("all"),
  })
  .strict();
export type MetricTask = z.input<typeof MetricTask>;
export type MetricTaskParsed = z.output<typeof MetricTask>;

/** Batch copy: the same metrics (and dimension set) written for another period, to another result table. */
export function copyResultToPeriod(task: MetricTaskParsed, index: number, period: Period, table: string): MetricTaskParsed {
  const from = task.results[index];
  if (!from) throw new Error(`no result component ${index}`);
  return { ...task, results: [...task.results, { ...from, period, table, uvTable: undefined }] };
}
