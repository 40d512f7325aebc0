import type { Issue } from "../errors";
import type { PhysicalTableSpecParsed } from "../catalog/schemas";
import type { QualityRuleParsed } from "./schema";

// Cross-object checks of a table's rules, reported with their path like the rest of the catalog:
// `physicalTables.T.quality.R.column: column 'x' is not a column of 'T'`.

export function validateQualityRules(t: PhysicalTableSpecParsed, rules: readonly QualityRuleParsed[], lookupTable: (name: string) => PhysicalTableSpecParsed | undefined): Issue[] {
  const issues: Issue[] = [];
  const base = `physicalTables.${t.name}.quality`;
  const columns = new Set([...t.columns.map((c) => c.name), ...t.computedColumns.map((c) => c.name)]);
  const seen = new Set<string>();
  const column = (at: string, name: string, table = t, known = columns) => {
    if (!known.has(name)) issues.push({ path: at, message: `column '${name}' is not a column of '${table.name}'` });
  };
  for (const r of rules) {
    const at = `${base}.${r.name}`;
    if (seen.has(r.name)) issues.push({ path: at, message: `duplicate quality rule name '${r.name}' on '${t.name}'` });
    seen.add(r.name);
    if (t.kind !== "batch") issues.push({ path: at, message: `quality rules belong to batch tables; '${t.name}' is a stream table (bind a reconcile rule to the batch side and name this table in 'against')` });
    switch (r.kind) {
      case "rowCount":
        if (r.min === undefined && r.max === undefined && r.maxChangePct === undefined) issues.push({ path: at, message: `rowCount rule '${r.name}' needs min, max or maxChangePct` });
        if (r.min !== undefined && r.max !== undefined && r.min > r.max) issues.push({ path: `${at}.min`, message: `min (${r.min}) is greater than max (${r.max})` });
        if (r.maxChangePct !== undefined && !t.partition) issues.push({ path: `${at}.maxChangePct`, message: `'${t.name}' has no daily partition to compare with the same weekday` });
        break;
      case "nullRatio":
        column(`${at}.column`, r.column);
        break;
      case "unique":
        for (const c of r.columns) column(`${at}.columns`, c);
        break;
      case "range":
        column(`${at}.column`, r.column);
        if (r.min === undefined && r.max === undefined) issues.push({ path: at, message: `range rule '${r.name}' needs min or max` });
        if (typeof r.min === "number" && typeof r.max === "number" && r.min > r.max) issues.push({ path: `${at}.min`, message: `min (${r.min}) is greater than max (${r.max})` });
        break;
      case "freshness":
        if (!t.partition) issues.push({ path: at, message: `freshness rule '${r.name}' needs a partitioned table; '${t.name}' has no partition` });
        break;
      case "sql":
        break; // parsed when evaluated (it needs DuckDB's parser); the quality API checks it when saved
      case "reconcile": {
        const other = lookupTable(r.against);
        if (!other) {
          issues.push({ path: `${at}.against`, message: `table '${r.against}' is not in the catalog` });
          break;
        }
        if (!t.partition) issues.push({ path: at, message: `reconcile rule '${r.name}' compares a day: '${t.name}' has no daily partition` });
        const otherColumns = new Set(other.columns.map((c) => c.name));
        for (const c of [...r.key, ...r.columns]) {
          column(`${at}.key`, c);
          column(`${at}.against`, c, other, otherColumns);
        }
        const day = r.dayColumn ?? t.partition?.column;
        if (day && !otherColumns.has(day)) issues.push({ path: `${at}.dayColumn`, message: `'${r.against}' has no column '${day}' holding the day; set dayColumn` });
        break;
      }
    }
  }
  return issues;
}
