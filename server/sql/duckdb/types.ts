import { parseFlinkType, type FlinkType } from "../../catalog/flink-types";

// Flink SQL types -> DuckDB types for the local engine. TIMESTAMP_LTZ becomes TIMESTAMPTZ: local
// scripts run with TimeZone set to the job's session zone (LocalScript.setup), so ICU shows an instant
// in that zone as Flink does.

export function duckdbType(flink: string): string {
  return toDuckdb(parseFlinkType(flink));
}

function toDuckdb(t: FlinkType): string {
  switch (t.kind) {
    case "array": return `${toDuckdb(t.element)}[]`;
    case "map": return `MAP(${toDuckdb(t.key)}, ${toDuckdb(t.value)})`;
    case "row": return `STRUCT(${t.fields.map((f) => `"${f.name.replace(/"/g, '""')}" ${toDuckdb(f.type)}`).join(", ")})`;
    case "scalar":
      switch (t.name) {
        case "CHAR": case "VARCHAR": case "STRING": return "VARCHAR";
        case "BOOLEAN": return "BOOLEAN";
        case "BINARY": case "VARBINARY": case "BYTES": return "BLOB";
        case "DECIMAL": return `DECIMAL(${Math.min(t.params[0] ?? 10, 38)}, ${t.params[1] ?? 0})`;
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

/** Java (Flink DATE_FORMAT) date pattern -> strftime pattern; undefined if a letter has no equivalent. */
export function javaToStrftime(pattern: string): string | undefined {
  const map: Record<string, string> = {
    yyyy: "%Y", yy: "%y", MMMM: "%B", MMM: "%b", MM: "%m", dd: "%d", HH: "%H", hh: "%I", mm: "%M", ss: "%S",
    SSS: "%g", SSSSSS: "%f", EEEE: "%A", EEE: "%a", a: "%p", D: "%j",
  };
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] ?? "";
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      out += (end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end)).replace(/%/g, "%%");
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const run = pattern.slice(i, j);
      const m = map[run];
      if (!m) return undefined;
      out += m;
      i = j;
      continue;
    }
    out += c === "%" ? "%%" : c;
    i++;
  }
  return out;
}
