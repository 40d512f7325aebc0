export { DashboardSpec, Widget, WIDGET_KINDS, type DashboardSpecParsed, type WidgetParsed, type WidgetKind } from "./schema";
export { deleteDashboard, getDashboard, listDashboards, parseDashboard, upsertDashboard, type DashboardRecord } from "./store";
export { comparisonQueries, DashboardData, dataVersion, resolveParams, substitute, type DashboardDeps, type DashboardParams, type WidgetData, type WidgetResult } from "./data";
export { dashboardData, previewWidget, widgetSources, type DashboardDataResult, type DataRequest, type WidgetSource } from "./service";
