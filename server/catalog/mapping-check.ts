import { analyze } from "../sql/analyze";
import { localFunctionIssues } from "../sql/duckdb/function-check";
import { explainSyntaxErrors } from "../sql/known-limits";
import { parseFlinkSql } from "../sql/parser";
import { lineStarts, positionOf } from "../sql/variables";
import type { CatalogSnapshot, MetaTableSpecParsed, PhysicalTableSpecParsed } from "./schemas";

// A mapping or virtual-column expression is checked like a one-column query over its side's physical
// table: syntax, column names (with did-you-mean) and functions the local engine cannot run. Positions
// are 1-based within the expression, so the message can point inside a long one.

const SIDE_TABLE = "side_columns";
const SINK_TABLE = "checked_value";
const PREFIX = `INSERT INTO ${SINK_TABLE} SELECT `;

export interface ExpressionProblem {
  message: string;
  line: number;
  column: number;
}

/** Problems of `expr` evaluated over the columns of `table` (declared and computed); empty when it is fine. */
export function checkSideExpression(expr: string, table: Pick<PhysicalTableSpecParsed, "columns" | "computedColumns">): ExpressionProblem[] {
  const sql = `${PREFIX}${expr}\nFROM ${SIDE_TABLE}`;
  const parsed = parseFlinkSql(sql);
  const starts = lineStarts(expr);
  const at = (offset: number, message: string): ExpressionProblem => {
    const inExpr = Math.min(Math.max(offset - PREFIX.length, 0), expr.length);
    return { message, ...positionOf(starts, inExpr) };
  };
  if (parsed.errors.length > 0) {
    return explainSyntaxErrors(sql, parsed.errors).slice(0, 1).map((e) => at(e.start, e.knownLimit ? e.message : `syntax error: ${e.message}`));
  }
  const columns = [
    ...table.columns.map((c) => ({ name: c.name, type: c.type })),
    ...table.computedColumns.map((c) => ({ name: c.name, type: "STRING" })),
  ];
  const meta = { name: SIDE_TABLE, description: "", owner: "", columns, source: { table: SIDE_TABLE, mappings: {}, virtual: {} } } as unknown as MetaTableSpecParsed;
  const sink = { name: SINK_TABLE, description: "", owner: "", columns: [{ name: "v", type: "STRING" }], source: { table: SINK_TABLE, mappings: { v: "v" }, virtual: {} } } as unknown as MetaTableSpecParsed;
  const catalog: CatalogSnapshot = { project: "check", connections: new Map(), physicalTables: new Map(), metaTables: new Map([[SIDE_TABLE, meta], [SINK_TABLE, sink]]) };
  const names = columns.map((c) => c.name).join(", ");
  const problems = analyze(parsed, catalog).issues.map((i) => at(i.start, i.message.replace(`; in scope: ${SIDE_TABLE}`, `; the side's columns are ${names}`)));
  for (const f of localFunctionIssues(parsed)) problems.push(at(f.start, f.message));
  return problems;
}
