import type { Issue } from "../errors";
import { validateQualityRules } from "../quality/validate";
import { FlinkTypeError, formatFlinkType, isAssignable, parseFlinkType, type FlinkType } from "./flink-types";
import { expressionType } from "./expression-type";
import { checkSideExpression } from "./mapping-check";
import { variableClashes } from "../sql/variables";
import {
  MODE_COLUMN,
  manualDependencyTarget,
  mappingExpr,
  type BindingSpecParsed,
  type ConnectionSpecParsed,
  type JobSpecParsed,
  type MetaTableSpecParsed,
  type PhysicalTableSpecParsed,
  type ProjectFileParsed,
} from "./schemas";

// Cross-object rules of the catalog. Each message names the object, the side and the column, so a user
// with a 10,000-line project file finds the line to fix. Validators take a lookup, not a database, so
// the same rules serve `tandem apply` (whole file) and the workbench (one object against the catalog).

export interface CatalogLookup {
  connection(name: string): ConnectionSpecParsed | undefined;
  physicalTable(name: string): PhysicalTableSpecParsed | undefined;
  job?(name: string): JobSpecParsed | undefined;
  metaTable?(name: string): MetaTableSpecParsed | undefined;
}

export type Side = "source" | "stream" | "batch";

export function validateProjectFile(file: ProjectFileParsed): Issue[] {
  const issues: Issue[] = [];
  const connections = indexUnique(file.connections, "connections", "connection", issues);
  const tables = indexUnique(file.physicalTables, "physicalTables", "physical table", issues);
  const metaTables = indexUnique(file.metaTables, "metaTables", "meta-table", issues);
  const jobs = indexUnique(file.jobs, "jobs", "job", issues);
  indexUnique(file.dashboards, "dashboards", "dashboard", issues);
  const lookup: CatalogLookup = {
    connection: (n) => connections.get(n),
    physicalTable: (n) => tables.get(n),
    job: (n) => jobs.get(n),
    metaTable: (n) => metaTables.get(n),
  };
  for (const t of file.physicalTables) issues.push(...validatePhysicalTable(t, lookup));
  for (const m of file.metaTables) issues.push(...validateMetaTable(m, lookup));
  for (const j of file.jobs) issues.push(...validateJobReferences(j, lookup));
  return issues;
}

function indexUnique<T extends { name: string }>(items: T[], path: string, noun: string, issues: Issue[]): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    if (byName.has(item.name)) {
      issues.push({ path: `${path}.${item.name}`, message: `duplicate ${noun} name '${item.name}'` });
    } else {
      byName.set(item.name, item);
    }
  }
  return byName;
}

function parseType(type: string, path: string, issues: Issue[]): FlinkType | undefined {
  try {
    return parseFlinkType(type);
  } catch (e) {
    if (e instanceof FlinkTypeError) {
      issues.push({ path, message: e.message });
      return undefined;
    }
    throw e;
  }
}

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const n of names) (seen.has(n.toLowerCase()) ? dups : seen).add(n.toLowerCase());
  return [...dups];
}

export function physicalColumnTypes(t: PhysicalTableSpecParsed): Map<string, FlinkType | undefined> {
  const types = new Map<string, FlinkType | undefined>();
  for (const c of t.columns) {
    try {
      types.set(c.name, parseFlinkType(c.type));
    } catch {
      types.set(c.name, undefined);
    }
  }
  // Computed columns have a type only the engine knows; they can be mapped but not type-checked here.
  for (const c of t.computedColumns) types.set(c.name, undefined);
  return types;
}

export function validatePhysicalTable(t: PhysicalTableSpecParsed, lookup: CatalogLookup): Issue[] {
  const issues: Issue[] = [];
  const at = `physicalTables.${t.name}`;
  if (!lookup.connection(t.connection)) {
    issues.push({ path: `${at}.connection`, message: `physical table '${t.name}' uses unknown connection '${t.connection}'` });
  }
  const names = [...t.columns.map((c) => c.name), ...t.computedColumns.map((c) => c.name)];
  for (const d of duplicates(names)) {
    issues.push({ path: `${at}.columns.${d}`, message: `physical table '${t.name}' declares column '${d}' more than once` });
  }
  const types = new Map<string, FlinkType | undefined>();
  for (const c of t.columns) types.set(c.name, parseType(c.type, `${at}.columns.${c.name}.type`, issues));
  const known = new Set(names);
  if (t.watermark) {
    if (t.kind !== "stream") {
      issues.push({ path: `${at}.watermark`, message: `batch table '${t.name}' cannot declare a watermark; only stream tables have event time` });
    }
    if (!known.has(t.watermark.column)) {
      issues.push({ path: `${at}.watermark.column`, message: `watermark column '${t.watermark.column}' is not a column of '${t.name}'` });
    } else {
      const wt = types.get(t.watermark.column);
      if (wt && !(wt.kind === "scalar" && (wt.name === "TIMESTAMP" || wt.name === "TIMESTAMP_LTZ"))) {
        issues.push({
          path: `${at}.watermark.column`,
          message: `watermark column '${t.watermark.column}' of '${t.name}' is ${formatFlinkType(wt)}; it must be TIMESTAMP(3) or TIMESTAMP_LTZ(3)`,
        });
      }
    }
  }
  for (const k of t.primaryKey ?? []) {
    if (!known.has(k)) issues.push({ path: `${at}.primaryKey`, message: `primary key column '${k}' is not a column of '${t.name}'` });
  }
  if (t.partition) {
    if (t.kind !== "batch") {
      issues.push({ path: `${at}.partition`, message: `stream table '${t.name}' cannot be partitioned; partitions belong to batch tables` });
    }
    const pt = types.get(t.partition.column);
    if (!t.columns.some((c) => c.name === t.partition?.column)) {
      issues.push({ path: `${at}.partition.column`, message: `partition column '${t.partition.column}' is not a column of '${t.name}'` });
    } else if (pt && !(pt.kind === "scalar" && (pt.name === "STRING" || pt.name === "VARCHAR" || pt.name === "CHAR" || pt.name === "DATE"))) {
      issues.push({ path: `${at}.partition.column`, message: `partition column '${t.partition.column}' of '${t.name}' is ${formatFlinkType(pt)}; use STRING or DATE` });
    }
  }
  if (t.quality?.length) issues.push(...validateQualityRules(t, t.quality, (n) => lookup.physicalTable(n)));
  return issues;
}

export function validateMetaTable(m: MetaTableSpecParsed, lookup: CatalogLookup): Issue[] {
  const issues: Issue[] = [];
  const at = `metaTables.${m.name}`;
  for (const d of duplicates(m.columns.map((c) => c.name))) {
    issues.push({ path: `${at}.columns.${d}`, message: `meta-table '${m.name}' declares column '${d}' more than once` });
  }
  const logical = new Map<string, FlinkType | undefined>();
  for (const c of m.columns) {
    if (c.name.toLowerCase() === MODE_COLUMN || c.name.startsWith("__")) {
      issues.push({
        path: `${at}.columns.${c.name}`,
        message: `column name '${c.name}' of meta-table '${m.name}' is reserved (names starting with '__' are Tandem's; '${MODE_COLUMN}' is added to every mixed meta-table)`,
      });
    }
    logical.set(c.name, parseType(c.type, `${at}.columns.${c.name}.type`, issues));
  }
  const sides: [Side, BindingSpecParsed | undefined][] = [["source", m.source], ["stream", m.stream], ["batch", m.batch]];
  for (const [side, binding] of sides) {
    if (binding) issues.push(...validateBinding(m, side, binding, logical, lookup));
  }
  return issues;
}

function validateBinding(
  m: MetaTableSpecParsed,
  side: Side,
  b: BindingSpecParsed,
  logical: Map<string, FlinkType | undefined>,
  lookup: CatalogLookup,
): Issue[] {
  const issues: Issue[] = [];
  const at = `metaTables.${m.name}.${side}`;
  const who = side === "source" ? `meta-table '${m.name}'` : `the ${side} side of meta-table '${m.name}'`;
  const table = lookup.physicalTable(b.table);
  if (!table) {
    issues.push({ path: `${at}.table`, message: `${who} binds unknown physical table '${b.table}'` });
  } else {
    if (side !== "source" && table.kind !== side) {
      issues.push({ path: `${at}.table`, message: `${who} binds '${b.table}', which is a ${table.kind} table; the ${side} side needs a ${side} table` });
    }
    if (side === "batch" && !table.partition) {
      issues.push({
        path: `${at}.table`,
        message: `${who} binds batch table '${b.table}', which has no partition spec; declare partition: { column, format } on it so daily runs read one partition`,
      });
    }
  }
  const physical = table ? physicalColumnTypes(table) : undefined;
  for (const key of [...Object.keys(b.mappings), ...Object.keys(b.virtual)]) {
    if (!logical.has(key)) {
      const kind = key in b.mappings ? "mappings" : "virtual";
      issues.push({ path: `${at}.${kind}.${key}`, message: `${who} ${kind === "mappings" ? "maps" : "fills"} '${key}', which is not a column of '${m.name}'` });
    }
  }
  if (table) issues.push(...expressionIssues(b, table, at, who));
  for (const [col, type] of logical) {
    if (col.startsWith("__")) continue; // reported once as a reserved name above
    const mapped = b.mappings[col];
    const virtual = b.virtual[col];
    if (mapped !== undefined && virtual !== undefined) {
      issues.push({ path: `${at}.virtual.${col}`, message: `column '${col}' is both mapped and virtual on ${who}; keep one` });
      continue;
    }
    if (mapped === undefined && virtual === undefined) {
      issues.push({
        path: `${at}.mappings.${col}`,
        message: `column '${col}' is neither mapped nor virtual on ${who}; map it to a column of '${b.table}' or give it a virtual value`,
      });
      continue;
    }
    if (mapped === undefined || !physical) continue;
    const target = mappingExpr(mapped);
    if (!("column" in target)) {
      // An expression: checked when its shape states its type (a CAST, a literal, ...), else left to Flink.
      const given = expressionType(target.expr, physical);
      if (type && given && !isAssignable(given, type)) {
        issues.push({
          path: `${at}.mappings.${col}`,
          message: `type mismatch on ${who}: '${col}' is ${formatFlinkType(type)} but its mapping ${target.expr} gives ${formatFlinkType(given)}; make it give ${formatFlinkType(type)}, e.g. CAST(... AS ${formatFlinkType(type)})`,
        });
      }
      continue;
    }
    if (!physical.has(target.column)) {
      const hint = closest(target.column, [...physical.keys()]);
      issues.push({
        path: `${at}.mappings.${col}`,
        message: `${who} maps '${col}' to '${b.table}.${target.column}', which does not exist${hint ? ` (did you mean '${hint}'?)` : ""}`,
      });
      continue;
    }
    const ptype = physical.get(target.column);
    if (type && ptype && !isAssignable(ptype, type)) {
      issues.push({
        path: `${at}.mappings.${col}`,
        message: `type mismatch on ${who}: '${col}' is ${formatFlinkType(type)} but '${b.table}.${target.column}' is ${formatFlinkType(ptype)}; map it with an expression such as CAST(${target.column} AS ${formatFlinkType(type)})`,
      });
    }
  }
  return issues;
}

/** Syntax, columns and functions of every mapping and virtual expression of one side. */
function expressionIssues(b: BindingSpecParsed, table: PhysicalTableSpecParsed, at: string, who: string): Issue[] {
  const exprs: [string, string, string][] = [];
  for (const [col, m] of Object.entries(b.mappings)) {
    const target = mappingExpr(m);
    if ("expr" in target) exprs.push(["mappings", col, target.expr]);
  }
  for (const [col, v] of Object.entries(b.virtual)) exprs.push(["virtual", col, v]);
  return exprs.flatMap(([kind, col, expr]) => checkSideExpression(expr, table).map((p) => ({
    path: `${at}.${kind}.${col}`,
    message: `${kind === "mappings" ? "the mapping" : "the virtual value"} of '${col}' on ${who} (over '${table.name}'), at line ${p.line}, column ${p.column} of the expression: ${p.message}`,
  })));
}

export function validateJobReferences(j: JobSpecParsed, lookup: CatalogLookup): Issue[] {
  const issues: Issue[] = variableClashes(j.variables, `jobs.${j.name}`);
  j.batch.dependsOn.forEach((declared, i) => {
    const path = `jobs.${j.name}.batch.dependsOn.${i}`;
    const dep = manualDependencyTarget(declared);
    if ("job" in dep) {
      if (lookup.job && !lookup.job(dep.job)) issues.push({ path, message: `job '${j.name}' depends on unknown job '${dep.job}'` });
      // Its own previous day is fine (a cumulative job); its own same day would wait forever.
      if (dep.job === j.name && dep.offsetDays === 0) issues.push({ path, message: `job '${j.name}' cannot depend on itself on the same day (offsetDays: -1 waits for its previous day)` });
    } else if (lookup.metaTable && !lookup.metaTable(dep.table) && !lookup.physicalTable(dep.table)) {
      issues.push({ path, message: `job '${j.name}' depends on unknown table '${dep.table}' (neither a meta-table nor a physical table)` });
    }
  });
  return issues;
}

/** The closest name by edit distance, if it is close enough to be a plausible typo. */
export function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
