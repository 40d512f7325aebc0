export * from "./graph";
export { clearLineageCache, deployedLineage, lineageImpact, LineageQuery, loadLineageGraph, tableLineage } from "./store";
