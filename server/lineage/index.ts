export * from "./graph";
export { clearLineageCache, deployedLineage, lineageGraphOverview, LineageGraphQuery, lineageImpact, LineageQuery, loadLineageGraph, tableLineage } from "./store";
export { jobId, lineageOverview, tableId, type LineageOverview, type OverviewEdge, type OverviewNode } from "./overview";
