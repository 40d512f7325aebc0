import { parseFlinkType, type FlinkType } from "../../catalog/flink-types";

// Flink SQL types -> DuckDB and Postgres types, from the catalog's type parser. TIMESTAMP_LTZ becomes
// TIMESTAMPTZ; the engine's sessions run in the job's session zone, so both sides of a meta-table agree on days.

export function duckType(flinkType: string): string {
  return duckOf(parseFlinkType(flinkType));
}

function duckOf(t: FlinkType): string {
  switch (t.kind) {
    case "array":
      return `${duckOf(t.element)}[]`;
    case "map":
      return `MAP(${duckOf(t.key)}, ${duckOf(t.value)})`;
    case "row":
      return `STRUCT(${t.fields.map((f) => `"${f.name.replace(/"/g, '""')}" ${duckOf(f.type)}`).join(", ")})`;
    case "scalar":
      switch (t.name) {
        case "CHAR": case "VARCHAR": case "STRING": return "VARCHAR";
        case "BOOLEAN": return "BOOLEAN";
        case "BINARY": case "VARBINARY": case "BYTES": return "BLOB";
        case "DECIMAL": {
          const [p = 10, s = 0] = t.params;
          return `DECIMAL(${Math.min(p, 38)}, ${s})`;
        }
        case "TINYINT": return "TINYINT";
        case "SMALLINT": return "SMALLINT";
        case "INT": return "INTEGER";
        case "BIGINT": return "BIGINT";
        case "FLOAT": return "FLOAT";
        case "DOUBLE": return "DOUBLE";
        case "DATE": return "DATE";
        case "TIME": return "TIME";
        case "TIMESTAMP": return "TIMESTAMP";
        case "TIMESTAMP_LTZ": return "TIMESTAMPTZ";
      }
  }
}

/** Postgres column type of a jdbc sink column (used only when the engine creates a missing sink table). */
export function postgresType(flinkType: string): string {
  const t = parseFlinkType(flinkType);
  if (t.kind !== "scalar") return "jsonb";
  switch (t.name) {
    case "CHAR": case "VARCHAR": case "STRING": return "text";
    case "BOOLEAN": return "boolean";
    case "BINARY": case "VARBINARY": case "BYTES": return "bytea";
    case "DECIMAL": return `numeric(${t.params[0] ?? 10}, ${t.params[1] ?? 0})`;
    case "TINYINT": case "SMALLINT": return "smallint";
    case "INT": return "integer";
    case "BIGINT": return "bigint";
    case "FLOAT": return "real";
    case "DOUBLE": return "double precision";
    case "DATE": return "date";
    case "TIME": return "time";
    case "TIMESTAMP": return "timestamp(3)";
    case "TIMESTAMP_LTZ": return "timestamptz(3)";
  }
}
