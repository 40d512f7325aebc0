import { ValidationError } from "../errors";
import { lit, type DuckSession } from "../engines/local/duck";

// What a query may be: one SELECT (CTEs, subqueries, set operations included) reading only tables by name.
// DuckDB's own parser decides (json_serialize_sql serializes SELECT statements only), so no statement of
// another kind, no second statement and no table function (read_csv('/etc/passwd'), glob...) gets through.

export interface CheckedQuery {
  /** The statement as DuckDB re-renders it from its parse tree: comments and a trailing `;` gone. */
  sql: string;
  /** Names of the base tables it reads (lower case; CTE names excluded). */
  tables: string[];
}

interface SerializedSql {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: unknown[];
}

const refuse = (message: string) => new ValidationError([{ path: "sql", message }]);

export async function checkReadOnly(s: DuckSession, sql: string): Promise<CheckedQuery> {
  if (sql.trim() === "") throw refuse("the query is empty");
  const json = String(await s.scalar(`SELECT json_serialize_sql(${lit(sql)})`));
  const parsed = JSON.parse(json) as SerializedSql;
  if (parsed.error) {
    if (parsed.error_type === "not implemented") throw refuse("only a read-only SELECT query is allowed");
    throw refuse(`the query does not parse: ${parsed.error_message ?? parsed.error_type ?? "unknown error"}`);
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) throw refuse(`one SELECT query is allowed; this text holds ${statements.length} statements`);
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const functions: string[] = [];
  walk(statements[0], (node) => {
    if (node.type === "BASE_TABLE" && typeof node.table_name === "string") {
      if (node.catalog_name || (node.schema_name && node.schema_name !== "main")) throw refuse(`'${[node.catalog_name, node.schema_name, node.table_name].filter(Boolean).join(".")}' names a schema or catalog; refer to tables by their name only`);
      tables.add(node.table_name.toLowerCase());
    }
    if (node.type === "TABLE_FUNCTION") {
      const fn = node.function as { function_name?: unknown } | undefined;
      functions.push(typeof fn?.function_name === "string" ? fn.function_name : "?");
    }
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const m of map ?? []) ctes.add(m.key.toLowerCase());
  });
  if (functions.length > 0) throw refuse(`table functions are not allowed (${[...new Set(functions)].join(", ")}); query tables by name`);
  const rendered = String(await s.scalar(`SELECT json_deserialize_sql(${lit(json)})`));
  return { sql: rendered, tables: [...tables].filter((t) => !ctes.has(t)).sort() };
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (value !== null && typeof value === "object") {
    const node = value as Record<string, unknown>;
    visit(node);
    for (const v of Object.values(node)) walk(v, visit);
  }
}
