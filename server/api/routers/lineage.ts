import { lineageGraphOverview, LineageGraphQuery, lineageImpact, LineageQuery, tableLineage } from "../../lineage/index";
import { projectAction, router } from "../trpc";

// Thin: the deployed jobs' lineage graph (server/lineage), read under catalog.read.

export const lineageRouter = router({
  table: projectAction("catalog.read").input(LineageQuery).query(({ ctx, input }) => tableLineage(ctx, input)),
  impact: projectAction("catalog.read").input(LineageQuery.pick({ table: true, column: true, depth: true }))
    .query(({ ctx, input }) => lineageImpact(ctx, input)),
  graph: projectAction("catalog.read").input(LineageGraphQuery).query(({ ctx, input }) => lineageGraphOverview(ctx, input)),
});
