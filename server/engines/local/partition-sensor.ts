import type { CatalogSnapshot } from "../../catalog/schemas";
import { Bizdate, partitionValue } from "../../scheduling/index";
import { bindTable } from "./bind";
import { listParquetFiles, resolvePath, type EngineEnv } from "./sources";

// "Ready when its files are there": for tables that no Tandem job writes (loaded by other systems), a
// daily partition on a filesystem connection counts as present once its folder holds a Parquet file.

export function presentOnDisk(catalog: CatalogSnapshot, keys: readonly { table: string; partition: string }[], env: Pick<EngineEnv, "baseDir" | "dataDir">): { table: string; partition: string }[] {
  return keys.filter((k) => {
    const table = catalog.physicalTables.get(k.table);
    if (!table?.partition || !catalog.connections.has(table.connection)) return false;
    const bound = bindTable(catalog, k.table);
    if (bound.connection.type !== "filesystem" || !bound.options.path) return false;
    const value = partitionValue(table.partition, Bizdate.parse(k.partition));
    return listParquetFiles(resolvePath(bound.options.path, env), { column: table.partition.column, values: [value] }).partitionsMissing.length === 0;
  });
}
