import type { CatalogSnapshot, ConnectionSpecParsed } from "../../catalog/schemas";
import type { BoundTable } from "./plan";

/** Resolves one secret option of a connection; only the engine submit path builds one (SecretBox.open). */
export type SecretLookup = (connection: ConnectionSpecParsed, key: string) => string;

/** A physical table with its connection and merged options (Flink's order: connection, table, secrets). */
export function bindTable(catalog: CatalogSnapshot, tableName: string, secret?: SecretLookup): BoundTable {
  const table = catalog.physicalTables.get(tableName);
  if (!table) throw new Error(`physical table '${tableName}' is not in the catalog of '${catalog.project}'`);
  const connection = catalog.connections.get(table.connection);
  if (!connection) throw new Error(`connection '${table.connection}' of table '${tableName}' is not in the catalog`);
  const options: Record<string, string> = { ...connection.properties, ...table.options };
  for (const key of Object.keys(connection.secrets)) {
    if (secret) options[key] = secret(connection, key);
  }
  return { table, connection, options };
}
