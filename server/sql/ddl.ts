import type { ConnectionSpecParsed, PhysicalTableSpecParsed, SecretValue } from "../catalog/schemas";
import { normalizeFlinkType } from "../catalog/flink-types";
import { flinkKeywords } from "./parser";

// Flink DDL for physical tables, following the connector convention of the catalog:
// WITH ('connector' = <connection.type>, ...connection.properties, ...table.options, ...connection.secrets).
// Secrets are rendered as '******' unless a resolver is given (only on the engine submit path).

export const MASKED_SECRET = "******";

/** Resolves a secret of a connection when a script is submitted to an engine; never used for display. */
export type SecretResolver = (connection: ConnectionSpecParsed, key: string) => string;

/** An identifier as Flink reads it: bare when it is a plain name and not a keyword, else in backticks. */
export function ident(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !flinkKeywords().has(name.toUpperCase())) return name;
  return `\`${name.replace(/`/g, "``")}\``;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface DdlOptions {
  resolveSecret?: SecretResolver;
  /** Options added last (e.g. a startup timestamp for the hybrid script). */
  extraOptions?: Readonly<Record<string, string>>;
}

export function connectorOptions(
  table: PhysicalTableSpecParsed,
  connection: ConnectionSpecParsed | undefined,
  opts: DdlOptions = {},
): [string, string][] {
  const options = new Map<string, string>();
  options.set("connector", connection?.type ?? "unknown");
  for (const [k, v] of Object.entries(connection?.properties ?? {})) options.set(k, v);
  for (const [k, v] of Object.entries(table.options)) options.set(k, v);
  for (const [k, secret] of Object.entries(connection?.secrets ?? {})) {
    options.set(k, connection && opts.resolveSecret ? opts.resolveSecret(connection, k) : maskSecret(secret));
  }
  for (const [k, v] of Object.entries(opts.extraOptions ?? {})) options.set(k, v);
  return [...options];
}

function maskSecret(_secret: SecretValue): string {
  return MASKED_SECRET;
}

function flinkType(type: string): string {
  try {
    return normalizeFlinkType(type);
  } catch {
    return type; // the catalog already reported it; keep the user's spelling
  }
}

/** `CREATE TABLE <ddlName> (...) [PARTITIONED BY (..)] WITH (...)` */
export function physicalTableDdl(
  table: PhysicalTableSpecParsed,
  connection: ConnectionSpecParsed | undefined,
  ddlName: string,
  opts: DdlOptions = {},
): string {
  const lines: string[] = [];
  for (const c of table.columns) {
    lines.push(`${ident(c.name)} ${flinkType(c.type)}${c.comment ? ` COMMENT ${sqlString(c.comment)}` : ""}`);
  }
  for (const c of table.computedColumns) lines.push(`${ident(c.name)} AS ${c.expr}`);
  if (table.watermark) {
    const m = /^(\d+)\s+([A-Za-z]+?)S?$/i.exec(table.watermark.delay.trim());
    const [n, unit] = m ? [m[1] ?? "0", (m[2] ?? "SECOND").toUpperCase()] : ["0", "SECOND"];
    const col = ident(table.watermark.column);
    lines.push(`WATERMARK FOR ${col} AS ${col} - INTERVAL '${n}' ${unit}`);
  }
  if (table.primaryKey?.length) lines.push(`PRIMARY KEY (${table.primaryKey.map(ident).join(", ")}) NOT ENFORCED`);
  const withOpts = connectorOptions(table, connection, opts).map(([k, v]) => `  ${sqlString(k)} = ${sqlString(v)}`);
  const partition = table.partition ? `\nPARTITIONED BY (${ident(table.partition.column)})` : "";
  return `CREATE TABLE ${ident(ddlName)} (\n  ${lines.join(",\n  ")}\n)${partition}\nWITH (\n${withOpts.join(",\n")}\n);`;
}
