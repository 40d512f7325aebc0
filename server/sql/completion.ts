import { MODE_COLUMN, type CatalogSnapshot } from "../catalog/schemas";
import { analyze, type SelectBlock } from "./analyze";
import { parseFlinkSql, syntaxSuggestions } from "./parser";
import { span } from "./tree";
import { builtinVariables, lineStarts, offsetOf } from "./variables";

// Completion data for the editor at a cursor: what the grammar expects there, the meta-tables, the
// columns of the relations in scope (with their aliases), functions and variables.

export interface CompletionColumn {
  name: string;
  type: string;
  /** Meta-table (or CTE / subquery alias) the column comes from. */
  table: string;
  /** The alias it is reachable by in this scope. */
  alias: string;
  description?: string;
}

export interface Completions {
  /** Grammar contexts at the cursor: "table", "column", "function", ... */
  expect: string[];
  keywords: string[];
  /** The partial word before the cursor. */
  word: string;
  tables: { name: string; kind: "mixed" | "single-source"; description: string }[];
  columns: CompletionColumn[];
  functions: { name: string; signature: string; description: string }[];
  variables: string[];
}

export const FLINK_FUNCTIONS: { name: string; signature: string; description: string }[] = [
  { name: "COUNT", signature: "COUNT([DISTINCT] x | *)", description: "number of rows / distinct values" },
  { name: "SUM", signature: "SUM(x)", description: "sum" },
  { name: "MIN", signature: "MIN(x)", description: "minimum" },
  { name: "MAX", signature: "MAX(x)", description: "maximum" },
  { name: "AVG", signature: "AVG(x)", description: "average (batch and Flink; the local stream engine needs SUM and COUNT)" },
  { name: "COALESCE", signature: "COALESCE(a, b, ...)", description: "first non-null value" },
  { name: "CONCAT", signature: "CONCAT(s1, s2, ...)", description: "string concatenation" },
  { name: "UPPER", signature: "UPPER(s)", description: "upper case" },
  { name: "LOWER", signature: "LOWER(s)", description: "lower case" },
  { name: "SUBSTRING", signature: "SUBSTRING(s, start[, length])", description: "substring, 1-based" },
  { name: "CHAR_LENGTH", signature: "CHAR_LENGTH(s)", description: "length in characters" },
  { name: "IF", signature: "IF(cond, a, b)", description: "a if cond else b" },
  { name: "DATE_FORMAT", signature: "DATE_FORMAT(ts, 'yyyy-MM-dd')", description: "format a timestamp (Java pattern)" },
  { name: "TO_TIMESTAMP_LTZ", signature: "TO_TIMESTAMP_LTZ(epoch, 3)", description: "epoch millis (3) or seconds (0) to TIMESTAMP_LTZ" },
  { name: "TO_DATE", signature: "TO_DATE(s)", description: "string to DATE" },
  { name: "JSON_VALUE", signature: "JSON_VALUE(json, '$.path')", description: "a scalar from a JSON string" },
  { name: "FLOOR", signature: "FLOOR(ts TO HOUR)", description: "round a time down to a unit" },
  { name: "CEIL", signature: "CEIL(ts TO DAY)", description: "round a time up to a unit" },
  { name: "PROCTIME", signature: "PROCTIME()", description: "processing time attribute" },
  { name: "TUMBLE", signature: "TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))", description: "tumbling window TVF" },
  { name: "HOP", signature: "TABLE(HOP(TABLE t, DESCRIPTOR(ts), slide, size))", description: "sliding window TVF" },
  { name: "CUMULATE", signature: "TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), step, max_size))", description: "cumulating window TVF" },
  { name: "ROW_NUMBER", signature: "ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..)", description: "row number (Top-N, dedup)" },
  { name: "CAST", signature: "CAST(x AS type)", description: "type conversion" },
];

/** Completions at a 1-based line and column of the (unsubstituted) script. */
export function completionsAt(catalog: CatalogSnapshot, sql: string, pos: { line: number; column: number }): Completions {
  const syntax = syntaxSuggestions(sql, pos.line, pos.column);
  const offset = offsetOf(lineStarts(sql), pos.line, pos.column);
  const tables = [...catalog.metaTables.values()].map((m) => ({
    name: m.name, kind: m.source ? "single-source" as const : "mixed" as const, description: m.description,
  }));
  const columns: CompletionColumn[] = [];
  const analysis = analyze(parseFlinkSql(sql), catalog);
  const block = innermost(analysis.blocks, offset);
  for (let b: SelectBlock | undefined = block; b; b = b.parent) {
    for (const r of b.relations) {
      const meta = r.ref?.meta;
      for (const c of r.columns) {
        if (columns.some((x) => x.alias === r.alias && x.name === c.name)) continue;
        const spec = meta?.columns.find((x) => x.name === c.name);
        columns.push({
          name: c.name, alias: r.alias, table: meta?.name ?? r.alias,
          type: c.name === MODE_COLUMN ? "STRING" : spec?.type ?? "",
          ...(spec?.description ? { description: spec.description } : c.name === MODE_COLUMN ? { description: "'stream' or 'batch'" } : {}),
        });
      }
    }
  }
  // A statement being typed often does not parse yet (a missing comma, a half word): then the relations are
  // unknown, and the columns of the meta-tables it names after FROM / JOIN are the best guess.
  if (columns.length === 0) columns.push(...columnsOfNamedTables(catalog, sql));
  return {
    expect: syntax.contexts, keywords: syntax.keywords, word: syntax.word, tables, columns, functions: FLINK_FUNCTIONS,
    variables: Object.keys(builtinVariables("2000-01-01", "stream")).map((v) => `\${${v}}`),
  };
}

function innermost(blocks: SelectBlock[], offset: number): SelectBlock | undefined {
  let best: SelectBlock | undefined;
  let bestLen = Infinity;
  for (const b of blocks) {
    const s = span(b.node);
    // a cursor right after the block's last token still belongs to it (typing at the end)
    if (offset >= s.start && offset <= s.end + 1 && s.end - s.start < bestLen) {
      best = b;
      bestLen = s.end - s.start;
    }
  }
  return best;
}

const NAMED_TABLE = /\b(?:FROM|JOIN)\s+`?([A-Za-z_][\w]*)`?(?:\s+(?:AS\s+)?`?([A-Za-z_]\w*)`?)?/gi;
const NOT_ALIAS = new Set(["where", "group", "order", "join", "left", "right", "inner", "full", "cross", "on", "for", "limit", "union", "having", "window", "as"]);

function columnsOfNamedTables(catalog: CatalogSnapshot, sql: string): CompletionColumn[] {
  const out: CompletionColumn[] = [];
  for (const m of sql.matchAll(NAMED_TABLE)) {
    const meta = catalog.metaTables.get(m[1] ?? "");
    if (!meta) continue;
    const alias = m[2] && !NOT_ALIAS.has(m[2].toLowerCase()) ? m[2] : meta.name;
    for (const c of meta.columns) {
      if (out.some((x) => x.alias === alias && x.name === c.name)) continue;
      out.push({ name: c.name, alias, table: meta.name, type: c.type, ...(c.description ? { description: c.description } : {}) });
    }
    if (!out.some((x) => x.alias === alias && x.name === MODE_COLUMN)) out.push({ name: MODE_COLUMN, alias, table: meta.name, type: "STRING", description: "'stream' or 'batch'" });
  }
  return out;
}
