import { z } from "zod";
import { resolveSharedDatabaseUrl } from "../../../db/client";
import { Name } from "../../catalog/schemas";
import { dashboardData, deleteDashboard, getDashboard, listDashboards, previewWidget, upsertDashboard, widgetSources, type DashboardDeps } from "../../dashboards/index";
import { dataDir, env } from "../../env";
import { pgDatabase, type SqlDatabase } from "../../engines/local/jdbc";
import { jdbcResolver } from "../../engines/local/sinks";
import { projectAction, router } from "../trpc";

// Thin: dashboards (stored like the project file's `dashboards:`) and their widgets' data. The data call
// takes the versions the client holds and sends back only what changed.

const KEY = Symbol.for("tandem.dashboards.deps");
type Holder = { [KEY]?: DashboardDeps };

/** One long-lived set of jdbc pools per process: dashboards poll every second or two. */
function deps(): DashboardDeps {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    let embedded: SqlDatabase | undefined;
    const resolver = jdbcResolver(() => {
      if (embedded) return embedded;
      const url = resolveSharedDatabaseUrl({ databaseUrl: env().DATABASE_URL, dataDir: dataDir() });
      if (!url) throw new Error("the embedded database is not running; start Tandem with `tandem dev`");
      return (embedded = pgDatabase(url));
    });
    holder[KEY] = { dataDir: dataDir(), jdbc: (t) => resolver.jdbc(t) };
  }
  return holder[KEY];
}

const Day = z.string().max(10).regex(/^(today|yesterday|\d{4}-\d{2}-\d{2}|\d{8})$/, "must be today, yesterday or a date (yyyy-MM-dd)");
const WidgetId = z.string().min(1).max(128);

export const dashboardsRouter = router({
  list: projectAction("catalog.read").query(async ({ ctx }) =>
    (await listDashboards(ctx)).map((d) => ({ name: d.name, title: d.spec.title, description: d.spec.description, widgets: d.spec.widgets.length, refreshSeconds: d.spec.refreshSeconds, version: d.version, updatedAt: d.updatedAt }))),
  get: projectAction("catalog.read").input(z.object({ name: Name })).query(({ ctx, input }) => getDashboard(ctx, input.name)),
  upsert: projectAction("catalog.write")
    .input(z.object({ dashboard: z.record(z.string(), z.unknown()), expectedVersion: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => upsertDashboard(ctx, input.dashboard, input.expectedVersion)),
  delete: projectAction("catalog.write").input(z.object({ name: Name })).mutation(({ ctx, input }) => deleteDashboard(ctx, input.name)),
  data: projectAction("catalog.read")
    .input(z.object({
      dashboard: Name,
      widget: WidgetId.optional(),
      bizdate: Day.optional(),
      campaign: z.string().max(200).optional(),
      known: z.record(WidgetId, z.string().max(64)).optional(),
    }))
    .query(({ ctx, input }) => dashboardData(ctx, deps(), input)),
  preview: projectAction("catalog.read")
    .input(z.object({ dashboard: z.record(z.string(), z.unknown()), widget: WidgetId, bizdate: Day.optional(), campaign: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => previewWidget(ctx, deps(), input)),
  sources: projectAction("catalog.read").query(({ ctx }) => widgetSources(ctx)),
});
