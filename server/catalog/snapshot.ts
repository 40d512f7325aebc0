import { eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { connections, jobs, metaTables, physicalTables } from "../../db/schema/index";
import {
  ConnectionSpec,
  JobSpec,
  MetaTableSpec,
  PhysicalTableSpec,
  type CatalogSnapshot,
  type JobSpecParsed,
} from "./schemas";

// The catalog of one project as plain values, for the SQL layer and for diffs. Secrets appear only as
// `{ stored: true }`: decrypting is the job of the engine submit path alone.

export async function loadCatalogSnapshot(
  db: Database | Tx,
  project: { id: string; name: string },
): Promise<CatalogSnapshot & { jobs: ReadonlyMap<string, JobSpecParsed> }> {
  // One after another: on a transaction (one connection) pg would queue them anyway, with a warning.
  const conns = await db.select().from(connections).where(eq(connections.projectId, project.id));
  const tables = await db.select({ spec: physicalTables.spec }).from(physicalTables).where(eq(physicalTables.projectId, project.id));
  const metas = await db.select({ spec: metaTables.spec }).from(metaTables).where(eq(metaTables.projectId, project.id));
  const jobRows = await db.select({ spec: jobs.spec }).from(jobs).where(eq(jobs.projectId, project.id));
  return {
    project: project.name,
    connections: new Map(
      conns.map((c) => [
        c.name,
        ConnectionSpec.parse({
          name: c.name,
          type: c.type,
          description: c.description,
          properties: c.properties,
          secrets: Object.fromEntries(Object.keys(c.secrets).map((k) => [k, { stored: true }])),
        }),
      ]),
    ),
    physicalTables: new Map(tables.map((t) => { const s = PhysicalTableSpec.parse(t.spec); return [s.name, s]; })),
    metaTables: new Map(metas.map((m) => { const s = MetaTableSpec.parse(m.spec); return [s.name, s]; })),
    jobs: new Map(jobRows.map((j) => { const s = JobSpec.parse(j.spec); return [s.name, s]; })),
  };
}
