import { router } from "./trpc";
import { catalogRouter } from "./routers/catalog";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { membersRouter } from "./routers/members";
import { tokensRouter } from "./routers/tokens";
import { sqlRouter } from "./routers/sql";
import { jobsRouter } from "./routers/jobs";
import { instancesRouter } from "./routers/instances";
import { alertsRouter } from "./routers/alerts";
import { healthRouter } from "./routers/health";
import { qualityRouter } from "./routers/quality";
import { lineageRouter } from "./routers/lineage";
import { metricsRouter } from "./routers/metrics";
import { dashboardsRouter } from "./routers/dashboards";

// Every router, listed by hand.
export const appRouter = router({
  catalog: catalogRouter,
  auth: authRouter,
  members: membersRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  sql: sqlRouter,
  jobs: jobsRouter,
  instances: instancesRouter,
  alerts: alertsRouter,
  health: healthRouter,
  quality: qualityRouter,
  lineage: lineageRouter,
  metrics: metricsRouter,
  dashboards: dashboardsRouter,
});

export type AppRouter = typeof appRouter;
