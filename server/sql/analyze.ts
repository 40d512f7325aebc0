import { closest } from "../catalog/validate";
import { MODE_COLUMN, type CatalogSnapshot, type MetaTableSpecParsed } from "../catalog/schemas";
import type { ParsedSql } from "./parser";
import {
  child, childrenOf, descendants, first, hasToken, isTerminal, kind, kids, pathParts, ruleKids, span, textOf, unquote,
  type Node,
} from "./tree";

// Semantic analysis of a job script over meta-tables: statements, scopes, table and column resolution.
// Each query block's output columns carry their logical lineage (the meta-table columns they come from
// and how), so validation, translation and lineage share one pass over the tree.

export type TransformKind = "identity" | "expression" | "aggregation";
export interface ColumnRef { table: string; column: string }
export interface OutColumn { name: string; deps: ColumnRef[]; transform: TransformKind }

export interface RawIssue { start: number; message: string }

/** A meta-table read in a FROM clause (or as the input of a window TVF). */
export interface MetaRef {
  meta: MetaTableSpecParsed;
  alias: string;
  start: number;
  end: number;
  block: SelectBlock;
  /** `FOR SYSTEM_TIME AS OF` (lookup / temporal join). */
  systemTime?: { start: number; end: number; node: Node };
  joinCondition?: Node;
}

interface Relation {
  alias: string;
  kind: "meta" | "cte" | "derived" | "window" | "other";
  columns: OutColumn[];
  /** Columns unknown to us (VALUES, UNNEST, LATERAL TABLE): accept any name. */
  open?: boolean;
  ref?: MetaRef;
  singleSource?: boolean;
}

export interface SelectItem {
  node: Node;
  /** The expression (or column) node; undefined for `*`. */
  expr?: Node;
  out: OutColumn[];
  star?: boolean;
}

export interface SelectBlock {
  node: Node;
  parent?: SelectBlock;
  relations: Relation[];
  items: SelectItem[];
  where?: Node;
  groupBy: Node[];
  having?: Node;
  joinConditions: Node[];
  windowTvf?: Node;
  outputs: OutColumn[];
}

export interface InsertInfo {
  node: Node;
  statement: number;
  target: string;
  meta?: MetaTableSpecParsed;
  pathNode: Node;
  /** The INTO / OVERWRITE keyword. */
  intoToken: { start: number; end: number };
  columnList?: { names: string[]; node: Node };
  query?: Node;
  outputs: OutColumn[];
  /** Logical target columns in insert order. */
  targetColumns: string[];
  sources: string[];
}

export type StatementKind = "insert" | "statementSet" | "set" | "select" | "unsupported";
export interface StatementInfo {
  index: number;
  node: Node;
  kind: StatementKind;
  inserts: InsertInfo[];
  start: number;
  end: number;
}

export interface Analysis {
  parsed: ParsedSql;
  statements: StatementInfo[];
  metaRefs: MetaRef[];
  blocks: SelectBlock[];
  issues: RawIssue[];
}

const AGGREGATES = new Set([
  "COUNT", "SUM", "MIN", "MAX", "AVG", "LISTAGG", "COLLECT", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP",
  "FIRST_VALUE", "LAST_VALUE", "ARRAY_AGG", "JSON_ARRAYAGG", "JSON_OBJECTAGG", "APPROX_COUNT_DISTINCT",
  "BIT_AND", "BIT_OR", "BIT_XOR", "ROW_NUMBER", "RANK", "DENSE_RANK",
]);
/** Whether a function name (upper case) is an aggregate or ranking function. */
export function isAggregateFunction(name: string): boolean {
  return AGGREGATES.has(name);
}
const RANK: Record<TransformKind, number> = { identity: 0, expression: 1, aggregation: 2 };
const maxKind = (a: TransformKind, b: TransformKind): TransformKind => (RANK[a] >= RANK[b] ? a : b);

const STATEMENT_NAMES: Record<string, string> = {
  ddlStatement: "DDL (CREATE / ALTER / DROP)", describeStatement: "DESCRIBE", explainStatement: "EXPLAIN",
  useStatement: "USE", showStatement: "SHOW", loadStatement: "LOAD MODULE", unloadStatement: "UNLOAD MODULE",
  resetStatement: "RESET", jarStatement: "ADD / REMOVE JAR", dtAddStatement: "ADD FILE",
};

interface Ctes { parent?: Ctes; byName: Map<string, OutColumn[]> }

export function analyze(parsed: ParsedSql, catalog: CatalogSnapshot): Analysis {
  return new Analyzer(parsed, catalog).run();
}

export function functionName(src: string, call: Node): string {
  const nameNode = ruleKids(call)[0];
  return nameNode ? textOf(src, nameNode).toUpperCase() : "";
}

class Analyzer {
  private readonly src: string;
  private readonly issues: RawIssue[] = [];
  private readonly metaRefs: MetaRef[] = [];
  private readonly blocks: SelectBlock[] = [];
  private readonly metaByName = new Map<string, MetaTableSpecParsed>();
  private readonly physicalNames = new Map<string, string>();

  constructor(private readonly parsed: ParsedSql, private readonly catalog: CatalogSnapshot) {
    this.src = parsed.text;
    for (const [n, m] of catalog.metaTables) this.metaByName.set(n.toLowerCase(), m);
    for (const n of catalog.physicalTables.keys()) this.physicalNames.set(n.toLowerCase(), n);
  }

  run(): Analysis {
    const statements: StatementInfo[] = [];
    for (const single of childrenOf(this.parsed.tree, "singleStatement")) {
      const sql = child(single, "sqlStatement");
      if (!sql) continue; // an empty statement (a lone ';')
      statements.push(this.statement(sql, statements.length));
    }
    return { parsed: this.parsed, statements, metaRefs: this.metaRefs, blocks: this.blocks, issues: this.issues };
  }

  private issue(at: number, message: string): void {
    if (!this.issues.some((i) => i.start === at && i.message === message)) this.issues.push({ start: at, message });
  }

  private statement(sql: Node, index: number): StatementInfo {
    const { start, end } = span(sql);
    const info: StatementInfo = { index, node: sql, kind: "unsupported", inserts: [], start, end };
    const top = ruleKids(sql)[0];
    if (!top) return info;
    const k = kind(top);
    if (k === "setStatement") {
      info.kind = "set";
    } else if (k === "dmlStatement") {
      const inner = ruleKids(top)[0];
      if (inner && kind(inner) === "insertStatement") {
        const simple = child(inner, "insertSimpleStatement");
        const multi = child(inner, "insertMulStatement") ?? child(inner, "insertMulStatementCompatibility");
        if (simple) {
          info.kind = "insert";
          info.inserts.push(this.insert(simple, index));
        } else if (multi) {
          info.kind = "statementSet";
          for (const s of childrenOf(multi, "insertSimpleStatement")) info.inserts.push(this.insert(s, index));
        }
      } else if (inner) {
        info.kind = "select";
        this.issue(start, "unsupported statement: a job's SELECT must write its result; use INSERT INTO <meta-table> SELECT ...");
        this.query(inner, undefined, undefined);
      }
    } else {
      const name = STATEMENT_NAMES[k] ?? k;
      this.issue(start, `unsupported statement: ${name}; job scripts are DDL-free and contain only INSERT INTO <meta-table> SELECT ..., STATEMENT SET and SET`);
    }
    return info;
  }

  private insert(node: Node, statement: number): InsertInfo {
    const pathNode = child(node, "tablePath") ?? node;
    const target = pathParts(this.src, pathNode).join(".");
    const into = (node.children ?? []).find((c) => isTerminal(c) && /^(INTO|OVERWRITE)$/i.test(c.symbol.text ?? ""));
    const intoTok = into && isTerminal(into) ? into.symbol : undefined;
    const info: InsertInfo = {
      node, statement, target, pathNode,
      intoToken: { start: intoTok?.start ?? span(node).start, end: (intoTok?.stop ?? 0) + 1 },
      outputs: [], targetColumns: [], sources: [],
    };
    const pstart = span(pathNode).start;
    if (intoTok && intoTok.text?.toUpperCase() === "OVERWRITE") {
      this.issue(intoTok.start, "INSERT OVERWRITE is not allowed in job scripts; write INSERT INTO: the batch job overwrites its bizdate partition by itself");
    }
    const part = child(node, "insertPartitionDefinition");
    if (part) this.issue(span(part).start, "a PARTITION clause is not allowed in job scripts; the batch translation writes the bizdate partition (or the job's static partitions)");
    const meta = this.metaByName.get(target.toLowerCase());
    if (!meta) {
      this.unknownTable(target, pstart, new Set());
    } else {
      info.meta = meta;
      info.target = meta.name;
    }
    const list = child(node, "columnNameList");
    const logical = meta ? meta.columns.map((c) => c.name) : [];
    if (list) {
      const names: string[] = [];
      for (const cn of childrenOf(list, "columnName")) {
        const name = unquote(textOf(this.src, cn));
        const col = logical.find((l) => l.toLowerCase() === name.toLowerCase());
        if (meta && !col) {
          const hint = name.toLowerCase() === MODE_COLUMN ? undefined : closest(name, logical);
          this.issue(span(cn).start, name.toLowerCase() === MODE_COLUMN
            ? `'${MODE_COLUMN}' is computed by Tandem and cannot be written; remove it from the column list`
            : `unknown column '${name}' in sink '${meta.name}'${hint ? ` (did you mean '${hint}'?)` : ""}; its columns are ${logical.join(", ")}`);
        }
        names.push(col ?? name);
      }
      info.columnList = { names, node: list };
    }
    info.targetColumns = info.columnList?.names ?? logical;
    const query = child(node, "queryStatement");
    const refsBefore = this.metaRefs.length;
    if (query) {
      info.query = query;
      info.outputs = this.query(query, undefined, undefined);
      if (meta && info.outputs.length > 0 && info.outputs.length !== info.targetColumns.length) {
        this.issue(span(query).start, `the query produces ${info.outputs.length} column${info.outputs.length === 1 ? "" : "s"} but sink '${meta.name}' expects ${info.targetColumns.length} (${info.targetColumns.join(", ")})`);
      }
    } else if (child(node, "valuesDefinition")) {
      info.outputs = info.targetColumns.map((c) => ({ name: c, deps: [], transform: "expression" as const }));
    }
    const read = new Set(this.metaRefs.slice(refsBefore).map((r) => r.meta.name));
    info.sources = [...read];
    if (meta && read.has(meta.name)) {
      this.issue(pstart, `cannot write to '${meta.name}': this statement also reads it as a source; a job's sink must not be one of its own sources`);
    }
    if (meta) this.checkWritable(meta, pstart);
    return info;
  }

  /** A sink side must map every logical column to a plain physical column, and its connector must accept writes. */
  private checkWritable(meta: MetaTableSpecParsed, at: number): void {
    const sides = meta.source ? [["source", meta.source] as const] : [["stream", meta.stream] as const, ["batch", meta.batch] as const];
    for (const [side, b] of sides) {
      if (!b) continue;
      const phys = this.catalog.physicalTables.get(b.table);
      const conn = phys ? this.catalog.connections.get(phys.connection) : undefined;
      if (conn?.type === "datagen") {
        this.issue(at, `cannot write to '${meta.name}': it is a source (its ${side === "source" ? "" : `${side} side, `}'${b.table}', uses the read-only '${conn.type}' connector)`);
      }
      for (const [col, m] of Object.entries(b.mappings)) {
        if (typeof m !== "string" && "expr" in m) {
          this.issue(at, `cannot write to '${meta.name}': ${side === "source" ? "it" : `its ${side} side`} maps '${col}' with an expression (${m.expr}); a sink's mappings must name physical columns`);
        }
      }
    }
  }

  private unknownTable(name: string, at: number, ctes: Set<string>): void {
    const phys = this.physicalNames.get(name.toLowerCase());
    if (phys) {
      const users = [...this.catalog.metaTables.values()]
        .filter((m) => [m.source, m.stream, m.batch].some((b) => b?.table === phys))
        .map((m) => `'${m.name}'`);
      this.issue(at, `'${phys}' is a physical table; job scripts reference meta-tables only${users.length ? ` (${users.join(", ")} ${users.length > 1 ? "read" : "reads"} it)` : ""}`);
      return;
    }
    const candidates = [...this.catalog.metaTables.keys(), ...ctes];
    const hint = closest(name, candidates);
    this.issue(at, `unknown table '${name}'${hint ? ` (did you mean '${hint}'?)` : ""}`);
  }

  // ---- queries ------------------------------------------------------------------------------------

  /** Output columns of a queryStatement. */
  private query(q: Node, parent: SelectBlock | undefined, ctes: Ctes | undefined): OutColumn[] {
    const withClause = child(q, "withClause");
    if (withClause) {
      const scope: Ctes = { parent: ctes, byName: new Map() };
      for (const item of childrenOf(withClause, "withItem")) {
        const nameNode = child(item, "withItemName");
        const name = nameNode ? unquote(textOf(this.src, nameNode)) : "";
        const body = child(item, "queryStatement");
        let cols = body ? this.query(body, parent, scope) : [];
        const renames = childrenOf(item, "columnName").map((c) => unquote(textOf(this.src, c)));
        if (renames.length > 0) {
          if (renames.length !== cols.length && cols.length > 0) {
            this.issue(span(item).start, `CTE '${name}' names ${renames.length} columns but its query produces ${cols.length}`);
          }
          cols = renames.map((r, i) => ({ ...(cols[i] ?? { deps: [], transform: "expression" as const }), name: r }));
        }
        scope.byName.set(name.toLowerCase(), cols);
      }
      const main = childrenOf(q, "queryStatement")[0];
      return main ? this.query(main, parent, scope) : [];
    }
    const subs = childrenOf(q, "queryStatement");
    if (subs.length === 2) {
      const [l, r] = subs as [Node, Node];
      const left = this.query(l, parent, ctes);
      const right = this.query(r, parent, ctes);
      if (left.length !== right.length && left.length > 0 && right.length > 0) {
        this.issue(span(r).start, `the two sides of the set operation have ${left.length} and ${right.length} columns`);
      }
      return left.map((c, i) => {
        const o = right[i];
        return o ? { name: c.name, deps: mergeDeps(c.deps, o.deps), transform: maxKind(maxKind(c.transform, o.transform), "expression") } : c;
      });
    }
    if (subs.length === 1 && subs[0]) return this.query(subs[0], parent, ctes);
    const select = child(q, "selectStatement");
    if (select) return this.select(select, parent, ctes);
    const clause = child(q, "selectClause");
    if (clause) return this.selectItems(clause, this.newBlock(clause, parent), ctes);
    return []; // VALUES: columns unknown until the engine types them
  }

  private newBlock(node: Node, parent: SelectBlock | undefined): SelectBlock {
    const b: SelectBlock = { node, parent, relations: [], items: [], groupBy: [], joinConditions: [], outputs: [] };
    this.blocks.push(b);
    return b;
  }

  private select(sel: Node, parent: SelectBlock | undefined, ctes: Ctes | undefined): OutColumn[] {
    const block = this.newBlock(sel, parent);
    const from = child(sel, "fromClause");
    const tableExpr = from ? child(from, "tableExpression") : undefined;
    if (tableExpr) this.tableExpression(tableExpr, block, ctes);
    if (child(sel, "matchRecognizeClause")) block.relations.push({ alias: "", kind: "other", columns: [], open: true });
    for (const jc of block.joinConditions) this.expr(jc, block, ctes);
    for (const r of block.relations) if (r.ref?.systemTime) this.expr(r.ref.systemTime.node, block, ctes);
    const where = child(sel, "whereClause");
    if (where) { block.where = ruleKids(where)[0]; this.expr(where, block, ctes); }
    const clause = child(sel, "selectClause");
    const outputs = clause ? this.selectItems(clause, block, ctes) : [];
    const group = child(sel, "groupByClause");
    if (group) {
      block.groupBy = childrenOf(group, "groupItemDefinition");
      for (const g of block.groupBy) this.expr(g, block, ctes, true);
    }
    const having = child(sel, "havingClause");
    if (having) { block.having = ruleKids(having)[0]; this.expr(having, block, ctes, true); }
    block.outputs = outputs;
    return outputs;
  }

  private tableExpression(te: Node, block: SelectBlock, ctes: Ctes | undefined): void {
    for (const c of ruleKids(te)) {
      switch (kind(c)) {
        case "tableExpression": this.tableExpression(c, block, ctes); break;
        case "tableReference": this.tableReference(c, block, ctes); break;
        case "joinCondition": {
          const cond = ruleKids(c)[0];
          if (cond && kind(cond) !== "columnNameList") block.joinConditions.push(cond);
          const last = block.relations[block.relations.length - 1];
          if (last?.ref && cond) last.ref.joinCondition = cond;
          break;
        }
        case "windowTVFClause": this.windowTvf(c, block, ctes); break;
        default: block.relations.push({ alias: "", kind: "other", columns: [], open: true });
      }
    }
  }

  private tableReference(ref: Node, block: SelectBlock, ctes: Ctes | undefined): void {
    const primary = child(ref, "tablePrimary");
    const aliasNode = child(ref, "tableAlias");
    const aliasId = aliasNode ? first(aliasNode, "identifier") : undefined;
    const alias = aliasId ? unquote(textOf(this.src, aliasId)) : undefined;
    if (!primary) return;
    const path = child(primary, "tablePath") ?? child(primary, "viewPath");
    const sub = child(primary, "atomExpressionTable") ?? (child(primary, "queryStatement") ? primary : undefined);
    if (path) {
      const name = pathParts(this.src, path).join(".");
      const st = child(primary, "systemTimePeriod");
      const rel = this.namedRelation(name, alias ?? name, span(path), block, ctes);
      if (rel.ref && st) {
        const dt = first(st, "dateTimeExpression") ?? st;
        rel.ref.systemTime = { ...span(st), node: dt };
      } else if (st) {
        this.expr(st, block, ctes);
      }
      block.relations.push(rel);
    } else if (sub) {
      const q = child(sub, "queryStatement");
      const cols = q ? this.query(q, block.parent, ctes) : [];
      const renames = aliasNode ? childrenOf(aliasNode, "columnName").map((c) => unquote(textOf(this.src, c))) : [];
      block.relations.push({
        alias: alias ?? "", kind: "derived",
        columns: renames.length ? renames.map((r, i) => ({ ...(cols[i] ?? { deps: [], transform: "expression" as const }), name: r })) : cols,
      });
    } else {
      // LATERAL TABLE(udtf(..)), UNNEST(..): arguments resolve against the relations so far.
      this.expr(primary, block, ctes);
      const renames = aliasNode ? childrenOf(aliasNode, "columnName").map((c) => unquote(textOf(this.src, c))) : [];
      block.relations.push({
        alias: alias ?? "", kind: "other",
        columns: renames.map((r) => ({ name: r, deps: [], transform: "expression" as const })), open: renames.length === 0,
      });
    }
  }

  private namedRelation(name: string, alias: string, at: { start: number; end: number }, block: SelectBlock, ctes: Ctes | undefined): Relation {
    const cte = lookupCte(ctes, name);
    if (cte) return { alias, kind: "cte", columns: cte };
    const meta = this.metaByName.get(name.toLowerCase());
    if (!meta) {
      this.unknownTable(name, at.start, cteNames(ctes));
      return { alias, kind: "other", columns: [], open: true };
    }
    const ref: MetaRef = { meta, alias, start: at.start, end: at.end, block };
    this.metaRefs.push(ref);
    const columns: OutColumn[] = meta.columns.map((c) => ({ name: c.name, deps: [{ table: meta.name, column: c.name }], transform: "identity" }));
    const singleSource = meta.source !== undefined;
    if (!singleSource) columns.push({ name: MODE_COLUMN, deps: [{ table: meta.name, column: MODE_COLUMN }], transform: "identity" });
    return { alias, kind: "meta", columns, ref, singleSource };
  }

  private windowTvf(clause: Node, block: SelectBlock, ctes: Ctes | undefined): void {
    const tvf = child(clause, "windowTVFExpression");
    block.windowTvf = tvf;
    if (!tvf) return;
    const params = childrenOf(tvf, "windowTVFParam");
    let input: Relation | undefined;
    const inner: SelectBlock = { ...block, relations: [] };
    for (const p of params) {
      const t = first(p, "timeAttrColumn");
      if (t && hasToken(p, "TABLE")) {
        const name = pathParts(this.src, t).join(".");
        input = this.namedRelation(name, name, span(t), block, ctes);
        inner.relations = [input];
      }
    }
    let timeCol: OutColumn | undefined;
    for (const p of params) {
      const d = first(p, "columnDescriptor");
      const cn = d ? child(d, "columnName") : undefined;
      if (cn && input) timeCol = this.resolve([unquote(textOf(this.src, cn))], span(cn).start, inner);
    }
    const deps = timeCol?.deps ?? [];
    const win = (n: string): OutColumn => ({ name: n, deps, transform: "expression" });
    block.relations.push({
      alias: input?.alias ?? "", kind: "window", ref: input?.ref,
      columns: [...(input?.columns ?? []), win("window_start"), win("window_end"), win("window_time")],
      open: input?.open, singleSource: input?.singleSource,
    });
  }

  private selectItems(clause: Node, block: SelectBlock, ctes: Ctes | undefined): OutColumn[] {
    const list = child(clause, "selectList");
    const out: OutColumn[] = [];
    if (!list) {
      if (hasToken(clause, "*")) for (const r of block.relations) out.push(...r.columns);
      block.items.push({ node: clause, out: [...out], star: true });
      return out;
    }
    let i = 0;
    for (const item of childrenOf(list, "columnProjectItem")) {
      i++;
      const all = child(item, "tableAllColumns");
      if (all) {
        const q = first(all, "identifier");
        const cols: OutColumn[] = [];
        if (q) {
          const alias = unquote(textOf(this.src, q));
          const rel = block.relations.find((r) => r.alias.toLowerCase() === alias.toLowerCase());
          if (!rel) this.issue(span(q).start, `unknown table or alias '${alias}'`);
          else cols.push(...rel.columns);
        } else {
          for (const r of block.relations) cols.push(...r.columns);
        }
        out.push(...cols);
        block.items.push({ node: item, out: cols, star: true });
        continue;
      }
      const body = ruleKids(item)[0];
      if (!body) continue;
      let exprNode: Node | undefined;
      let alias: string | undefined;
      let col: OutColumn;
      if (kind(body) === "selectLiteralColumnName") {
        const cn = child(body, "columnName");
        const trailing = child(body, "expression");
        const aliasNode = child(body, "columnAlias") ?? child(item, "columnAlias");
        alias = aliasNode ? unquote(textOf(this.src, first(aliasNode, "identifier") ?? aliasNode)) : undefined;
        if (cn && trailing && !hasToken(body, "AS")) {
          // dt-sql-parser reads `udf(x) + 1` as column `udf` aliased by an expression: it is a call.
          exprNode = body;
          col = this.expr(trailing, block, ctes);
          col = { ...col, transform: maxKind(col.transform, AGGREGATES.has(textOf(this.src, cn).toUpperCase()) ? "aggregation" : "expression") };
        } else if (cn) {
          exprNode = cn;
          if (trailing && hasToken(body, "AS")) alias = textOf(this.src, trailing);
          const name = textOf(this.src, cn);
          const literal = /^([0-9.]+|'.*)$/s.test(name);
          const parts = literal ? [] : pathParts(this.src, cn);
          col = literal ? { name, deps: [], transform: "expression" } : this.resolve(parts, span(cn).start, block);
          // A bare column reference keeps its column's name, however an inner query computed that column
          // (`SELECT s.tag FROM p1 AS s` outputs `tag` even when p1 computed it, or merged it in a UNION).
          if (!literal && alias === undefined && parts.length > 0) alias = parts[parts.length - 1];
        } else {
          continue;
        }
      } else {
        exprNode = child(body, "expression") ?? child(body, "overWindowItem") ?? body;
        const aliasNode = child(body, "columnAlias") ?? child(item, "columnAlias");
        const asName = child(body, "columnName");
        const ow = child(body, "overWindowItem");
        const owAlias = ow ? childrenOf(ow, "identifier").pop() : undefined;
        alias = aliasNode ? unquote(textOf(this.src, first(aliasNode, "identifier") ?? aliasNode))
          : asName ? unquote(textOf(this.src, asName))
          : owAlias ? unquote(textOf(this.src, owAlias)) : undefined;
        col = this.expr(ow ?? exprNode, block, ctes);
        if (ow) col = { ...col, transform: "aggregation" };
      }
      const named: OutColumn = { ...col, name: alias ?? (col.transform === "identity" ? col.name : `EXPR$${i - 1}`) };
      out.push(named);
      block.items.push({ node: item, expr: exprNode, out: [named] });
    }
    return out;
  }

  /**
   * Resolves every column reference under `node` and returns what the expression depends on.
   * `allowAliases`: GROUP BY / HAVING / ORDER BY may name select-list aliases.
   */
  private expr(node: Node, block: SelectBlock, ctes: Ctes | undefined, allowAliases = false): OutColumn {
    const direct = directColumn(node);
    if (direct) {
      const parts = pathParts(this.src, direct);
      return this.resolve(parts, span(direct).start, block, allowAliases);
    }
    let deps: ColumnRef[] = [];
    let transform: TransformKind = "expression";
    const visit = (n: Node): void => {
      for (const c of kids(n)) {
        if (isTerminal(c)) continue;
        const cn = c as Node;
        const k = kind(cn);
        if (k === "queryStatement") {
          const sub = this.query(cn, block, ctes);
          for (const s of sub) { deps = mergeDeps(deps, s.deps); if (s.transform === "aggregation") transform = "aggregation"; }
          continue;
        }
        if (k === "columnReference" || (k === "columnName" && isColumnNameRef(cn)) || k === "timeAttrColumn") {
          const target = k === "columnReference" ? child(cn, "columnNamePath") ?? cn : cn;
          const name = textOf(this.src, target);
          if (!/^([0-9.]+|'.*)$/s.test(name)) {
            const r = this.resolve(pathParts(this.src, target), span(target).start, block, allowAliases);
            deps = mergeDeps(deps, r.deps);
            if (r.transform === "aggregation") transform = "aggregation";
          }
          continue;
        }
        if (k === "functionCallExpression" && AGGREGATES.has(functionName(this.src, cn))) transform = "aggregation";
        if (k === "overWindowItem" || k === "windowSpec") transform = "aggregation";
        visit(cn);
      }
    };
    visit(node);
    return { name: "", deps, transform };
  }

  private resolve(parts: string[], at: number, block: SelectBlock, allowAliases = false): OutColumn {
    const fallback: OutColumn = { name: parts[parts.length - 1] ?? "", deps: [], transform: "expression" };
    for (let scope: SelectBlock | undefined = block; scope; scope = scope.parent) {
      const hit = this.resolveIn(parts, scope, at, scope === block);
      if (hit === "reported") return fallback;
      if (hit) return hit;
    }
    if (allowAliases && parts.length === 1) {
      const a = block.outputs.concat(block.items.flatMap((i) => i.out)).find((o) => o.name.toLowerCase() === parts[0]?.toLowerCase());
      if (a) return a;
    }
    if (block.relations.some((r) => r.open)) return fallback;
    const name = parts[parts.length === 1 ? 0 : 1] ?? "";
    if (name.toLowerCase() === MODE_COLUMN) {
      const single = block.relations.filter((r) => r.singleSource && r.ref).map((r) => `'${r.ref?.meta.name ?? ""}'`);
      this.issue(at, single.length
        ? `'${MODE_COLUMN}' exists only on mixed meta-tables; ${single.join(", ")} ${single.length > 1 ? "are" : "is"} single-source`
        : `'${MODE_COLUMN}' exists only on mixed meta-tables, and none is in scope here`);
      return fallback;
    }
    const candidates = [...new Set(block.relations.flatMap((r) => r.columns.map((c) => c.name)))];
    const hint = closest(name, candidates);
    const tables = block.relations.filter((r) => r.alias).map((r) => r.alias);
    this.issue(at, `unknown column '${parts.join(".")}'${hint ? ` (did you mean '${hint}'?)` : ""}${tables.length ? `; in scope: ${tables.join(", ")}` : ""}`);
    return fallback;
  }

  private resolveIn(parts: string[], block: SelectBlock, at: number, innermost: boolean): OutColumn | "reported" | undefined {
    const [a, b] = parts;
    if (a === undefined) return undefined;
    if (parts.length >= 2 && b !== undefined) {
      const rel = block.relations.find((r) => r.alias.toLowerCase() === a.toLowerCase());
      if (rel) {
        const col = rel.columns.find((c) => c.name.toLowerCase() === b.toLowerCase());
        if (col) return col;
        if (rel.open) return { name: b, deps: [], transform: "expression" };
        if (b.toLowerCase() === MODE_COLUMN && rel.singleSource) {
          this.issue(at, `'${MODE_COLUMN}' exists only on mixed meta-tables; '${rel.ref?.meta.name ?? a}' is single-source`);
          return "reported";
        }
        const hint = closest(b, rel.columns.map((c) => c.name));
        this.issue(at, `unknown column '${b}' in '${a}'${rel.ref && rel.ref.meta.name !== a ? ` (${rel.ref.meta.name})` : ""}${hint ? ` (did you mean '${hint}'?)` : ""}`);
        return "reported";
      }
      // Not a qualifier: a ROW field access such as `payload.city`.
      const base = this.resolveIn([a], block, at, innermost);
      if (base) return base === "reported" ? base : { ...base, transform: maxKind(base.transform, "expression") };
      if (innermost && !block.parent) {
        this.issue(at, `unknown table or alias '${a}' in '${parts.join(".")}'${block.relations.length ? `; in scope: ${block.relations.map((r) => r.alias).filter(Boolean).join(", ")}` : ""}`);
        return "reported";
      }
      return undefined;
    }
    const hits = block.relations.filter((r) => r.columns.some((c) => c.name.toLowerCase() === a.toLowerCase()));
    if (hits.length > 1) {
      this.issue(at, `column '${a}' is ambiguous: it is in ${hits.map((h) => `'${h.alias}'`).join(" and ")}; qualify it`);
      return "reported";
    }
    const rel = hits[0];
    return rel?.columns.find((c) => c.name.toLowerCase() === a.toLowerCase());
  }
}

/** The column node when an expression is nothing but one column reference. */
function directColumn(n: Node): Node | undefined {
  let cur: Node | undefined = n;
  while (cur) {
    const k = kind(cur);
    if (k === "columnReference") return child(cur, "columnNamePath");
    if (k === "columnName") return isColumnNameRef(cur) ? cur : undefined;
    const rk = ruleKids(cur);
    if (rk.length !== 1 || (cur.children ?? []).length !== 1) return undefined;
    cur = rk[0];
  }
  return undefined;
}

/** `columnName` is also used for names being declared (CTE column lists, aliases); only some are references. */
function isColumnNameRef(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  const pk = kind(p);
  return pk === "groupItemDefinition" || pk === "orderItemDefinition" || pk === "partitionByClause" || pk === "selectLiteralColumnName";
}

function lookupCte(ctes: Ctes | undefined, name: string): OutColumn[] | undefined {
  for (let c = ctes; c; c = c.parent) {
    const hit = c.byName.get(name.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

function cteNames(ctes: Ctes | undefined): Set<string> {
  const s = new Set<string>();
  for (let c = ctes; c; c = c.parent) for (const k of c.byName.keys()) s.add(k);
  return s;
}

export function mergeDeps(a: ColumnRef[], b: ColumnRef[]): ColumnRef[] {
  if (b.length === 0) return a;
  const out = [...a];
  for (const d of b) if (!out.some((x) => x.table === d.table && x.column === d.column)) out.push(d);
  return out;
}

export { descendants };
