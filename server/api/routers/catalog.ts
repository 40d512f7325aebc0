import { z } from "zod";
import { autoAlign } from "../../catalog/align";
import { createConnection, deleteConnection, listConnections, updateConnection } from "../../catalog/connections";
import { inferColumnsFromJson, inferColumnsFromParquet, readableFolders } from "../../catalog/infer";
import { createMetaTable, checkMetaTable, deleteMetaTable, getMetaTable, listMetaTables, ListMetaTablesInput, updateMetaTable } from "../../catalog/meta-tables";
import { createPhysicalTable, deletePhysicalTable, getPhysicalTable, listPhysicalTables, ListTablesInput, updatePhysicalTable } from "../../catalog/physical-tables";
import { Name } from "../../catalog/schemas";
import { metaTableViewPreviews, physicalTableDdlPreview } from "../../sql/previews";
import { dataDir, environmentVariable } from "../../env";
import { listVisibleProjects } from "../../auth/users";
import { projectAction, router, signedInProcedure } from "../trpc";

// Thin: validate the envelope, call one catalog operation. Specs are validated by the operation
// itself (the same rules as `tandem apply`), so their input here is `unknown`.

const Spec = z.object({ spec: z.unknown() });
const Named = z.object({ name: Name });

export const catalogRouter = router({
  projects: signedInProcedure.query(({ ctx }) => listVisibleProjects(ctx)),

  // What a table or meta-table being edited becomes in the scripts (secrets masked); nothing is saved.
  previews: router({
    tableDdl: projectAction("catalog.read").input(Spec).query(({ ctx, input }) => physicalTableDdlPreview(ctx, input.spec)),
    metaTableViews: projectAction("catalog.read").input(Spec).query(({ input }) => metaTableViewPreviews(input.spec)),
  }),

  connections: router({
    list: projectAction("catalog.read").query(({ ctx }) => listConnections(ctx)),
    create: projectAction("connection.manage").input(Spec).mutation(({ ctx, input }) => createConnection({ ...ctx, readEnv: environmentVariable }, input.spec)),
    update: projectAction("connection.manage").input(Named.extend({ spec: z.unknown() })).mutation(({ ctx, input }) =>
      updateConnection({ ...ctx, readEnv: environmentVariable }, input.name, input.spec)),
    delete: projectAction("connection.manage").input(Named).mutation(({ ctx, input }) => deleteConnection(ctx, input.name)),
  }),

  tables: router({
    list: projectAction("catalog.read").input(ListTablesInput).query(({ ctx, input }) => listPhysicalTables(ctx, input)),
    get: projectAction("catalog.read").input(Named).query(({ ctx, input }) => getPhysicalTable(ctx, input.name)),
    create: projectAction("catalog.write").input(Spec).mutation(({ ctx, input }) => createPhysicalTable(ctx, input.spec)),
    update: projectAction("catalog.write").input(Named.extend({ spec: z.unknown() })).mutation(({ ctx, input }) => updatePhysicalTable(ctx, input.name, input.spec)),
    delete: projectAction("catalog.write").input(Named).mutation(({ ctx, input }) => deletePhysicalTable(ctx, input.name)),
    inferFromJson: projectAction("catalog.write").input(z.object({ sample: z.string().min(1).max(1_000_000) })).mutation(({ input }) => inferColumnsFromJson(input.sample)),
    inferFromParquet: projectAction("catalog.write").input(z.object({ path: z.string().min(1) })).mutation(async ({ ctx, input }) =>
      inferColumnsFromParquet(input.path, await readableFolders(ctx, dataDir()))),
  }),

  metaTables: router({
    list: projectAction("catalog.read").input(ListMetaTablesInput).query(({ ctx, input }) => listMetaTables(ctx, input)),
    get: projectAction("catalog.read").input(Named).query(({ ctx, input }) => getMetaTable(ctx, input.name)),
    check: projectAction("catalog.read").input(Spec).mutation(async ({ ctx, input }) => ({ spec: await checkMetaTable(ctx, input.spec) })),
    create: projectAction("catalog.write").input(Spec).mutation(({ ctx, input }) => createMetaTable(ctx, input.spec)),
    update: projectAction("catalog.write").input(Named.extend({ spec: z.unknown() })).mutation(({ ctx, input }) => updateMetaTable(ctx, input.name, input.spec)),
    delete: projectAction("catalog.write").input(Named).mutation(({ ctx, input }) => deleteMetaTable(ctx, input.name)),
    autoAlign: projectAction("catalog.read").input(z.object({ streamTable: Name, batchTable: Name })).mutation(async ({ ctx, input }) => {
      const [stream, batch] = await Promise.all([getPhysicalTable(ctx, input.streamTable), getPhysicalTable(ctx, input.batchTable)]);
      return autoAlign(stream.spec, batch.spec);
    }),
  }),
});
