import { z } from "zod";

// Dashboards as declared (`dashboards:` in the project file, or through the dashboards API). Each widget
// is bound to one bounded, read-only query over the project's sink tables (server/query), with the
// dashboard's parameters ${bizdate} and ${campaign} substituted as SQL string literals. This file
// depends on zod only: the project file's schema embeds it.

const Ident = z.string().min(1, "must not be empty").max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must start with a letter or underscore and contain only letters, digits and underscores");
const Zone = z.string().max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone such as Asia/Shanghai");
const Title = z.string().max(200, "must be at most 200 characters");
const Sql = z.string().min(1, "must not be empty").max(20_000, "must be at most 20,000 characters");

/** A widget's place on the dashboard's 12-column grid (rows of 80 px). */
export const WidgetLayout = z.object({
  x: z.number().int().min(0).max(11),
  y: z.number().int().min(0).max(200),
  w: z.number().int().min(1).max(12),
  h: z.number().int().min(1).max(12),
}).strict().refine((l) => l.x + l.w <= 12, { error: "the widget must fit in 12 columns (x + w <= 12)" });
export type WidgetLayout = z.infer<typeof WidgetLayout>;

/** How numbers are shown: plain, money stored in cents, or a ratio as %. */
export const ValueFormat = z.enum(["number", "cents", "percent"]);
export type ValueFormat = z.infer<typeof ValueFormat>;

const base = {
  id: Ident,
  title: Title.default(""),
  layout: WidgetLayout,
  format: ValueFormat.default("number"),
};

/** One value (the first column of the first row), with its change against the day before (same query, ${bizdate} - 1). */
export const NumberWidget = z.object({ ...base, kind: z.literal("number"), sql: Sql, delta: z.boolean().default(true) }).strict();
/** A time series: the first column is the x axis (time or category), every other column a line. */
export const LineWidget = z.object({ ...base, kind: z.literal("line"), sql: Sql }).strict();
/** Bars: the first column is the category, every other column a series. */
export const BarWidget = z.object({ ...base, kind: z.literal("bar"), sql: Sql }).strict();
/** The first `limit` rows of the query, every column shown. */
export const TableWidget = z.object({ ...base, kind: z.literal("table"), sql: Sql, limit: z.number().int().min(1).max(100).default(10) }).strict();
/**
 * The same measure over a mixed meta-table's stream side and batch side for one day (default: the day
 * before ${bizdate}), side by side. Once the day's batch instance has run they should be equal.
 */
export const ComparisonWidget = z.object({
  ...base,
  kind: z.literal("comparison"),
  metaTable: Ident,
  /** An aggregate over the meta-table's columns, e.g. SUM(gmv_cents). */
  measure: z.string().min(1).max(1000),
  /** Days before ${bizdate} (default 1: yesterday). */
  daysBack: z.number().int().min(0).max(31).default(1),
}).strict();

export const Widget = z.discriminatedUnion("kind", [NumberWidget, LineWidget, BarWidget, TableWidget, ComparisonWidget]);
export type Widget = z.input<typeof Widget>;
export type WidgetParsed = z.output<typeof Widget>;
export const WIDGET_KINDS = ["number", "line", "bar", "table", "comparison"] as const;
export type WidgetKind = (typeof WIDGET_KINDS)[number];

export const DashboardSpec = z.object({
  name: Ident,
  title: Title.default(""),
  description: z.string().max(10_000).optional(),
  /** Seconds between refreshes of every widget (1 to 3600; default 2). */
  refreshSeconds: z.number().int().min(1).max(3600).default(2),
  /** Default parameter values; a viewer may override them (the URL carries them). */
  params: z.object({
    /** yyyy-MM-dd, or `today` (default) / `yesterday` in `timeZone`. */
    bizdate: z.string().max(10).regex(/^(today|yesterday|\d{4}-\d{2}-\d{2}|\d{8})$/, "must be today, yesterday or a date (yyyy-MM-dd)").default("today"),
    campaign: z.string().max(200).default(""),
    /**
     * The zone whose calendar day `today` is: the zone the jobs compute their `dt` in (the project file's
     * `timeZone` when the dashboard sets none; UTC without either), so after local midnight the screen
     * moves on with the stream job, not with UTC.
     */
    timeZone: Zone.optional(),
  }).strict().default({ bizdate: "today", campaign: "" }),
  widgets: z.array(Widget).max(48, "a dashboard holds at most 48 widgets").default([]),
}).strict().superRefine((d, ctx) => {
  const seen = new Set<string>();
  d.widgets.forEach((w, i) => {
    if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: ["widgets", i, "id"], message: `widget id '${w.id}' is used twice` });
    seen.add(w.id);
  });
});
export type DashboardSpec = z.input<typeof DashboardSpec>;
export type DashboardSpecParsed = z.output<typeof DashboardSpec>;
