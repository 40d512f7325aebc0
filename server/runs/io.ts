import type { CatalogSnapshot, PartitionSpec, PhysicalTableSpecParsed } from "../catalog/schemas";
import { partitionKey, partitionKeyText, type Bizdate, type PartitionKey } from "../scheduling/index";

// Which partitions an instance reads and writes, from its deployment's frozen catalog and lineage: the
// daily partition D of the batch table behind each meta-table it reads (its upstream) or writes (its
// output). Partition keys name the physical batch table, as users see it in `tandem partitions`.
// Tables without a daily partition (dimensions, hourly tables) are not waited for.

const DAILY: readonly PartitionSpec["format"][] = ["yyyy-MM-dd", "yyyyMMdd"];

/** Whether a physical table is a batch table partitioned by day (what an instance can wait for). */
export function isDailyBatchTable(table: PhysicalTableSpecParsed | undefined): boolean {
  return table?.kind === "batch" && table.partition !== undefined && DAILY.includes(table.partition.format);
}

/** The physical batch table behind a meta-table, when it is partitioned by day. */
export function dailyBatchTable(catalog: CatalogSnapshot, metaTable: string): string | undefined {
  const meta = catalog.metaTables.get(metaTable);
  const binding = meta?.batch ?? meta?.source;
  const table = binding ? catalog.physicalTables.get(binding.table) : undefined;
  return table && isDailyBatchTable(table) ? table.name : undefined;
}

export function dailyPartitions(catalog: CatalogSnapshot, metaTables: readonly string[], bizdate: Bizdate): PartitionKey[] {
  const tables = [...new Set(metaTables.flatMap((m) => dailyBatchTable(catalog, m) ?? []))].sort();
  return tables.map((t) => partitionKey(t, bizdate));
}

/** A manual dependency as deployed: day D waits for these tables' partition D + offsetDays. */
export interface PartitionDependency {
  offsetDays: number;
  partitionTables: readonly string[];
}

/**
 * What an instance of a version waits for: the daily partitions it reads, except those it writes itself,
 * and its manual dependencies' partitions at their offsets (its own table on an earlier day included).
 */
export function upstreamOf(
  catalog: CatalogSnapshot,
  version: { sources: readonly string[]; sinks: readonly string[]; dependencies?: readonly PartitionDependency[] },
  bizdate: Bizdate,
): PartitionKey[] {
  const own = new Set(dailyPartitions(catalog, version.sinks, bizdate).map((k) => k.table));
  const keys = new Map<string, PartitionKey>();
  for (const k of dailyPartitions(catalog, version.sources, bizdate)) if (!own.has(k.table)) keys.set(partitionKeyText(k), k);
  for (const d of version.dependencies ?? []) {
    for (const table of d.partitionTables) {
      if (d.offsetDays === 0 && own.has(table)) continue;
      const k = partitionKey(table, bizdate.addDays(d.offsetDays));
      keys.set(partitionKeyText(k), k);
    }
  }
  return [...keys.values()];
}
