import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { and, eq } from "drizzle-orm";
import { connections } from "../../db/schema";
import type { ProjectContext } from "../context";
import { ValidationError } from "../errors";
import { resolvePath } from "../paths";
import type { ColumnSpec } from "./schemas";

// Helpers that draft a physical table's columns from data the user already has. They propose; the
// user reviews the result in the table form before saving.

/** Columns from one JSON message (or JSON lines: every line is merged, later lines widen types). */
export function inferColumnsFromJson(sample: string): ColumnSpec[] {
  const lines = sample.trim().startsWith("{") && sample.includes("\n") ? sample.split("\n").filter((l) => l.trim()) : [sample];
  const columns = new Map<string, string>();
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new ValidationError([{ path: "sample", line: i + 1, message: `not valid JSON: ${(e as Error).message}` }]);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new ValidationError([{ path: "sample", line: i + 1, message: "a message must be a JSON object" }]);
    }
    for (const [k, v] of Object.entries(value)) {
      const t = jsonType(v);
      const prev = columns.get(k);
      columns.set(k, prev && prev !== t ? widen(prev, t) : t);
    }
  });
  return [...columns].map(([name, type]) => ({ name: safeName(name), type, ...(safeName(name) !== name ? { comment: `JSON field "${name}"` } : {}) }));
}

function jsonType(v: unknown): string {
  if (v === null) return "STRING";
  if (typeof v === "boolean") return "BOOLEAN";
  if (typeof v === "number") return Number.isInteger(v) ? "BIGINT" : "DOUBLE";
  if (typeof v === "string") {
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return "TIMESTAMP_LTZ(3)";
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v)) return "TIMESTAMP(3)";
    return "STRING";
  }
  if (Array.isArray(v)) return `ARRAY<${v.length ? jsonType(v[0]) : "STRING"}>`;
  const fields = Object.entries(v as Record<string, unknown>).map(([k, x]) => `\`${k}\` ${jsonType(x)}`);
  return fields.length ? `ROW<${fields.join(", ")}>` : "STRING";
}

function widen(a: string, b: string): string {
  const nums = ["BIGINT", "DOUBLE"];
  if (nums.includes(a) && nums.includes(b)) return "DOUBLE";
  return "STRING";
}

function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

const DUCKDB_TO_FLINK: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^VARCHAR$/, () => "STRING"], [/^BIGINT$/, () => "BIGINT"], [/^INTEGER$/, () => "INT"], [/^SMALLINT$/, () => "SMALLINT"],
  [/^TINYINT$/, () => "TINYINT"], [/^BOOLEAN$/, () => "BOOLEAN"], [/^DOUBLE$/, () => "DOUBLE"], [/^FLOAT$/, () => "FLOAT"],
  [/^DATE$/, () => "DATE"], [/^TIMESTAMP WITH TIME ZONE$/, () => "TIMESTAMP_LTZ(3)"], [/^TIMESTAMP(_MS|_US|_NS)?$/, () => "TIMESTAMP(3)"],
  [/^DECIMAL\((\d+),(\d+)\)$/, (m) => `DECIMAL(${m[1]!}, ${m[2]!})`], [/^BLOB$/, () => "BYTES"], [/^TIME$/, () => "TIME"],
];

/**
 * Where Parquet inference may read on the server: the data folder and the paths of the project's
 * filesystem connections. Without this an editor could probe any file the server can open (or make
 * DuckDB fetch a URL). Relative paths resolve as the local engine resolves them (`.tandem/...` is the
 * data folder, anything else is beside it).
 */
export interface ReadableFolders {
  dataDir: string;
  folders: string[];
}

export async function readableFolders(ctx: ProjectContext, dataDir: string): Promise<ReadableFolders> {
  const rows = await ctx.db.select({ properties: connections.properties }).from(connections)
    .where(and(eq(connections.projectId, ctx.project.id), eq(connections.type, "filesystem")));
  const paths = rows.map((r) => r.properties.path).filter((p): p is string => typeof p === "string" && p.length > 0);
  const all = [dataDir, ...paths.map((p) => resolveServerPath(p, dataDir))];
  // A folder inside another adds nothing (and would only lengthen the message that lists them).
  const folders = [...new Set(all)].filter((f, _, list) => !list.some((o) => o !== f && f.startsWith(o + path.sep)));
  return { dataDir, folders };
}

/** As a job would resolve it (server/paths.ts), normalized so `..` cannot hide where it points. */
function resolveServerPath(p: string, dataDir: string): string {
  return path.resolve(resolvePath(p, { baseDir: path.dirname(dataDir), dataDir }));
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The absolute path to read, with symlinks of its folder part resolved, or a ValidationError. */
export function confinePath(input: string, readable: ReadableFolders): string {
  const refuse = (message: string) => new ValidationError([{ path: "path", message }]);
  if (/^[a-z][a-z0-9+.-]*:/i.test(input)) throw refuse(`'${input}' is a URL; inference reads files on the server only`);
  const abs = resolveServerPath(input, readable.dataDir);
  const parts = abs.split(path.sep);
  const firstGlob = parts.findIndex((x) => /[*?[{]/.test(x));
  const folderPart = firstGlob < 0 ? abs : parts.slice(0, firstGlob).join(path.sep) || path.sep;
  const real = realOrSelf(folderPart);
  const inside = readable.folders.map(realOrSelf).some((f) => real === f || real.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
  if (!inside) {
    throw refuse(`'${input}' is outside the folders Tandem reads for this project: the data folder and the paths of its filesystem connections (${readable.folders.join(", ")})`);
  }
  return real + abs.slice(folderPart.length);
}

/** Columns of a Parquet file (or glob), read by DuckDB. Hive partition folders (dt=...) become columns. */
export async function inferColumnsFromParquet(input: string, readable: ReadableFolders): Promise<ColumnSpec[]> {
  const file = confinePath(input, readable);
  // No extension downloads: a path can never turn into a network fetch.
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  const conn = await instance.connect();
  try {
    const escaped = file.replace(/'/g, "''");
    const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${escaped}', hive_partitioning = true, hive_types_autocast = false)`);
    return reader.getRowObjects().map((r) => {
      const duck = String(r.column_type).toUpperCase();
      const rule = DUCKDB_TO_FLINK.find(([re]) => re.test(duck));
      const m = rule ? duck.match(rule[0]) : null;
      return { name: safeName(String(r.column_name)), type: rule && m ? rule[1](m) : "STRING", ...(rule ? {} : { comment: `DuckDB type ${duck}` }) };
    });
  } catch (e) {
    throw new ValidationError([{ path: "path", message: `cannot read Parquet at '${input}': ${(e as Error).message.split("\n")[0] ?? ""}` }]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
