import { z } from "zod";
import {
  ConnectionSpec, MetaTableSpec, PhysicalTableSpec,
  type CatalogSnapshot, type JobSpecParsed, type MetaTableSpecParsed,
} from "../catalog/schemas";
import { translateJob } from "../sql/translate/index";

// A deployment runs the catalog as it was when it was deployed: the meta-tables its SQL reads and writes,
// the physical tables they bind and those tables' connections (secrets only as `{ stored: true }`; their
// values are looked up by connection name when a run starts). A later catalog edit changes what the next
// deploy freezes, never a running version; a rerun of an old day reads the same tables the same way.

export const FrozenCatalog = z.object({
  connections: z.array(ConnectionSpec),
  physicalTables: z.array(PhysicalTableSpec),
  metaTables: z.array(MetaTableSpec),
});
export type FrozenCatalog = z.output<typeof FrozenCatalog>;

function bindings(m: MetaTableSpecParsed) {
  return [m.source, m.stream, m.batch].filter((b) => b !== undefined);
}

/** The slice of `catalog` that `metaTables` need. */
function slice(catalog: CatalogSnapshot, metaTables: Iterable<string>): FrozenCatalog {
  const metas = [...new Set(metaTables)].sort().flatMap((n) => catalog.metaTables.get(n) ?? []);
  const tables = [...new Set(metas.flatMap((m) => bindings(m).map((b) => b.table)))].sort().flatMap((n) => catalog.physicalTables.get(n) ?? []);
  const connections = [...new Set(tables.map((t) => t.connection))].sort().flatMap((n) => catalog.connections.get(n) ?? []);
  return { connections, physicalTables: tables, metaTables: metas };
}

/**
 * `frozen` plus the meta-tables and physical tables a version's manual dependencies wait for (and their
 * connections), so the file sensor and the producer check see them like the tables the SQL reads.
 */
export function withDependencyTables(frozen: FrozenCatalog, catalog: CatalogSnapshot, metaTables: readonly string[], physicalTables: readonly string[]): FrozenCatalog {
  const extra = slice(catalog, metaTables);
  const tables = physicalTables.flatMap((n) => catalog.physicalTables.get(n) ?? []);
  const merge = <T extends { name: string }>(a: T[], b: T[]): T[] => [...new Map([...a, ...b].map((x) => [x.name, x])).values()].sort((x, y) => x.name.localeCompare(y.name));
  const physical = merge(frozen.physicalTables, [...extra.physicalTables, ...tables]);
  const connections = merge(frozen.connections, [...new Set(physical.map((t) => t.connection))].flatMap((n) => catalog.connections.get(n) ?? []));
  return { connections, physicalTables: physical, metaTables: merge(frozen.metaTables, extra.metaTables) };
}

export function thawCatalog(frozen: FrozenCatalog, project: string): CatalogSnapshot {
  return {
    project,
    connections: new Map(frozen.connections.map((c) => [c.name, c])),
    physicalTables: new Map(frozen.physicalTables.map((t) => [t.name, t])),
    metaTables: new Map(frozen.metaTables.map((m) => [m.name, m])),
  };
}

/**
 * What `job` uses of `catalog`, checked by translating the job against the slice alone: it must give the
 * same stream and batch scripts as against the whole catalog. (Should the lineage ever miss a table the
 * translation needs, the whole catalog is frozen instead: larger, never wrong.)
 */
export function freezeCatalog(catalog: CatalogSnapshot, job: JobSpecParsed, bizdate: string): FrozenCatalog {
  const full = translateJob(catalog, job, { bizdate });
  const used = full.lineage.tables.flatMap((e) => [...e.sources, e.sink]);
  const frozen = slice(catalog, used);
  const again = translateJob(thawCatalog(frozen, catalog.project), job, { bizdate });
  if (again.errors.length === 0 && again.stream === full.stream && again.batch === full.batch) return frozen;
  return { connections: [...catalog.connections.values()], physicalTables: [...catalog.physicalTables.values()], metaTables: [...catalog.metaTables.values()] };
}
