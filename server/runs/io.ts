import type { CatalogSnapshot, PartitionSpec } from "../catalog/schemas";
import { partitionKey, type Bizdate, type PartitionKey } from "../scheduling/index";

// Which partitions an instance reads and writes, from its deployment's frozen catalog and lineage: the
// daily partition D of the batch table behind each meta-table it reads (its upstream) or writes (its
// output). Partition keys name the physical batch table, as users see it in `tandem partitions`.
// Tables without a daily partition (dimensions, hourly tables) are not waited for.

const DAILY: readonly PartitionSpec["format"][] = ["yyyy-MM-dd", "yyyyMMdd"];

/** The physical batch table behind a meta-table, when it is partitioned by day. */
function dailyBatchTable(catalog: CatalogSnapshot, metaTable: string): string | undefined {
  const meta = catalog.metaTables.get(metaTable);
  const binding = meta?.batch ?? meta?.source;
  const table = binding ? catalog.physicalTables.get(binding.table) : undefined;
  return table?.kind === "batch" && table.partition && DAILY.includes(table.partition.format) ? table.name : undefined;
}

export function dailyPartitions(catalog: CatalogSnapshot, metaTables: readonly string[], bizdate: Bizdate): PartitionKey[] {
  const tables = [...new Set(metaTables.flatMap((m) => dailyBatchTable(catalog, m) ?? []))].sort();
  return tables.map((t) => partitionKey(t, bizdate));
}

/** What an instance of a version waits for: the daily partitions it reads, except those it writes itself. */
export function upstreamOf(catalog: CatalogSnapshot, version: { sources: readonly string[]; sinks: readonly string[] }, bizdate: Bizdate): PartitionKey[] {
  const own = new Set(dailyPartitions(catalog, version.sinks, bizdate).map((k) => k.table));
  return dailyPartitions(catalog, version.sources, bizdate).filter((k) => !own.has(k.table));
}
