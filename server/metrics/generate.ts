import type { Issue } from "../errors";
import { JobSpec, type CatalogSnapshot, type JobSpecParsed, type MetaTableSpecParsed } from "../catalog/schemas";
import { validateJob } from "../sql/validate";
import { MetricTask, type Metric, type MetricTaskParsed, type Period, type ResultComponent } from "./spec";

// Generation of a metric task: checked backwards from each result meta-table (every column produced by a
// period, a dimension or a metric, with a compatible type), then written as readable Flink SQL over
// meta-tables, one job per group of result components. The jobs are ordinary jobs: the SQL core validates
// and translates them like hand-written ones (stream, batch, hybrid and local scripts).

export interface GeneratedJob {
  /** Job name: the task's name, or the task's name with a suffix for split combinations and sub-tasks. */
  name: string;
  /** `main`: day/hour/minutes periods; `campaign`: campaign-to-date (hybrid); `uv`: campaign-to-date distinct counts split off. */
  role: "main" | "campaign" | "uv";
  /** Indexes of the task's result components it writes. */
  results: number[];
  /** Result meta-tables it writes. */
  tables: string[];
  spec: JobSpecParsed;
  /** 1-based SQL line -> the component that line was generated from (to point core errors at a component). */
  lines: string[];
}

export interface Generation {
  ok: boolean;
  /** Component-level problems; `path` names the component and field (e.g. `metrics.uv.expr`). */
  issues: Issue[];
  jobs: GeneratedJob[];
}

interface Col {
  type: string;
}

type Family = "numeric" | "string" | "timestamp" | "date" | "boolean" | "other";

const DAY_PREDICATE = "__DAY_PREDICATE__";
const WINDOW_MINUTES: Partial<Record<Period, number>> = { hour: 60, "15min": 15, "5min": 5 };

export function family(type: string): Family {
  const t = type.trim().toUpperCase();
  if (/^(TINYINT|SMALLINT|INT|INTEGER|BIGINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC|DEC)\b/.test(t)) return "numeric";
  if (/^(STRING|VARCHAR|CHAR)\b/.test(t)) return "string";
  if (/^TIMESTAMP/.test(t)) return "timestamp";
  if (/^DATE\b/.test(t)) return "date";
  if (/^BOOLEAN\b/.test(t)) return "boolean";
  return "other";
}

const sameType = (a: string, b: string) => a.replace(/\s+/g, "").toUpperCase() === b.replace(/\s+/g, "").toUpperCase();
const NARROW_INTEGER = /^(TINYINT|SMALLINT|INT|INTEGER)$/i;

/** A SQL text built line by line, each line tagged with the component it comes from. */
class Text {
  readonly lines: string[] = [];
  readonly tags: string[] = [];
  add(line: string, tag: string): void {
    for (const l of line.split("\n")) {
      this.lines.push(l);
      this.tags.push(tag);
    }
  }
  append(other: Text): void {
    this.lines.push(...other.lines);
    this.tags.push(...other.tags);
  }
}

/** Parses and generates a task; `task` may be unparsed input (zod issues are returned as component issues). */
export function generateMetricTask(catalog: CatalogSnapshot, input: unknown): Generation {
  const parsed = MetricTask.safeParse(input);
  if (!parsed.success) {
    return { ok: false, jobs: [], issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "task", message: i.message })) };
  }
  return generateParsed(catalog, parsed.data);
}

export function generateParsed(catalog: CatalogSnapshot, task: MetricTaskParsed): Generation {
  const g = new Generator(catalog, task);
  const jobs = g.run();
  return { ok: g.issues.length === 0, issues: g.issues, jobs: g.issues.length === 0 ? jobs : [] };
}

/**
 * Generates the task and validates every job with the SQL core; the core's errors are mapped to the
 * component whose line they point at (an unknown column in `metrics.gmv.expr`, say).
 */
export function validateMetricTask(catalog: CatalogSnapshot, input: unknown): Generation {
  const gen = generateMetricTask(catalog, input);
  if (!gen.ok) return gen;
  const issues: Issue[] = [];
  for (const job of gen.jobs) {
    const v = validateJob(catalog, job.spec);
    for (const i of v.issues) {
      const tag = i.line !== undefined ? job.lines[i.line - 1] : undefined;
      issues.push({ path: tag ?? `jobs.${job.name}`, message: `${i.message} (job ${job.name}${i.line !== undefined ? `, line ${i.line}` : ""})` });
    }
  }
  return { ok: issues.length === 0, issues, jobs: gen.jobs };
}

class Generator {
  readonly issues: Issue[] = [];
  private source: MetaTableSpecParsed | undefined;
  /** Columns after the process components. */
  private cols = new Map<string, Col>();
  private chain = new Text();
  private last = "";
  private mixed = false;
  private dedup: { keys: string[]; keep: "first" | "last"; path: string; filters: string[] } | undefined;

  constructor(private readonly catalog: CatalogSnapshot, private readonly task: MetricTaskParsed) {}

  private err(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  run(): GeneratedJob[] {
    const t = this.task;
    this.source = this.catalog.metaTables.get(t.source);
    if (!this.source) {
      this.err("source", `meta-table '${t.source}' does not exist; choose one of: ${[...this.catalog.metaTables.keys()].join(", ")}`);
      return [];
    }
    for (const c of this.source.columns) this.cols.set(c.name, { type: c.type });
    if (!this.cols.has(t.timeColumn)) this.err("timeColumn", `'${t.timeColumn}' is not a column of ${t.source}`);
    if (!this.cols.has(t.dateColumn)) this.err("dateColumn", `'${t.dateColumn}' is not a column of ${t.source}`);
    this.checkElements();
    this.checkMetrics();
    this.checkDimensionSets();
    if (this.issues.length > 0) return [];

    // Results grouped into jobs.
    const main: number[] = [];
    const campaign: number[] = [];
    t.results.forEach((r, i) => (r.period === "campaign" ? campaign : main).push(i));
    if (campaign.length > 0 && !t.campaignStart) this.err("campaignStart", "a campaign-to-date period needs the campaign's first day (YYYY-MM-DD)");

    const jobs: GeneratedJob[] = [];
    const groups: { name: string; role: GeneratedJob["role"]; results: number[]; uv?: "only" | "without" }[] = [];
    if (t.combine === "merge") {
      if (main.length > 0) groups.push({ name: t.name, role: "main", results: main });
      if (campaign.length > 0) groups.push({ name: main.length > 0 ? `${t.name}_ctd` : t.name, role: "campaign", results: campaign });
    } else {
      const multiple = t.results.length > 1;
      for (const i of [...main, ...campaign]) {
        const r = t.results[i] as ResultComponent;
        groups.push({ name: multiple ? `${t.name}_${periodSuffix(r.period)}_${r.dimensionSet}` : t.name, role: r.period === "campaign" ? "campaign" : "main", results: [i] });
      }
    }
    if (t.uv === "split") {
      for (const g of [...groups]) {
        if (g.role !== "campaign") continue;
        const withUv = g.results.filter((i) => this.resultMetrics(i).some((m) => m.agg === "countDistinct"));
        if (withUv.length === 0) continue;
        g.uv = "without";
        groups.push({ name: `${g.name}_uv`, role: "uv", results: withUv, uv: "only" });
      }
    }
    for (const g of groups) {
      const job = this.job(g.name, g.role, g.results, g.uv);
      if (job) jobs.push(job);
    }
    const names = new Set<string>();
    for (const j of jobs) {
      if (names.has(j.name)) this.err("name", `two generated jobs are named '${j.name}'; rename a dimension set`);
      names.add(j.name);
    }
    return jobs;
  }

  private checkElements(): void {
    const seen = new Set<string>();
    for (const e of this.task.elements) {
      const path = `elements.${e.name}`;
      if (seen.has(e.name)) this.err(path, `element '${e.name}' is defined twice`);
      seen.add(e.name);
      if (e.kind === "expression" && this.cols.has(e.name)) this.err(`${path}.name`, `'${e.name}' is already a column of ${this.task.source}`);
      if (/;/.test(e.expr)) this.err(`${path}.expr`, "an expression cannot contain ';'");
    }
    // Expression elements are columns from the start (computed on the source).
    for (const e of this.task.elements) if (e.kind === "expression" && !this.cols.has(e.name)) this.cols.set(e.name, { type: e.type });
    this.buildChain();
  }

  private element(name: string) {
    return this.task.elements.find((e) => e.name === name);
  }

  /** Base relation (source with elements and the day predicate), then one CTE per process component. */
  private buildChain(): void {
    const t = this.task;
    const source = this.source as MetaTableSpecParsed;
    const mixed = Boolean(source.stream && source.batch);
    const base = new Text();
    base.add("src AS (", "source");
    const sel = source.columns.map((c) => c.name);
    base.add(`  SELECT ${sel.join(", ")}`, "source");
    for (const e of t.elements) if (e.kind === "expression") base.add(`    , ${e.expr} AS ${e.name}`, `elements.${e.name}.expr`);
    base.add(`  FROM ${t.source}`, "source");
    this.mixed = mixed;
    base.add(`  WHERE ${DAY_PREDICATE}`, "dateColumn");
    base.add(")", "source");
    this.chain.append(base);
    this.last = "src";
    t.process.forEach((p, i) => {
      const name = `p${i + 1}`;
      const path = `process.${i}`;
      const prev = this.last;
      const passthrough = [...this.cols.keys()];
      const text = new Text();
      if (p.type === "dimensionJoin") {
        const dim = this.catalog.metaTables.get(p.table);
        if (!dim) {
          this.err(`${path}.table`, `dimension join: meta-table '${p.table}' does not exist`);
          return;
        }
        const dimCols = new Map(dim.columns.map((c) => [c.name, c.type]));
        for (const k of p.on) {
          if (!this.cols.has(k.source)) this.err(`${path}.on`, `dimension join: '${k.source}' is not a column here; columns: ${passthrough.join(", ")}`);
          if (!dimCols.has(k.dimension)) this.err(`${path}.on`, `dimension join: '${k.dimension}' is not a column of ${p.table}`);
        }
        for (const c of p.columns) {
          const type = dimCols.get(c);
          if (!type) this.err(`${path}.columns`, `dimension join: '${c}' is not a column of ${p.table}; columns: ${[...dimCols.keys()].join(", ")}`);
          else if (this.cols.has(c)) this.err(`${path}.columns`, `dimension join: '${c}' is already a column; drop it from the joined columns`);
          else this.cols.set(c, { type });
        }
        text.add(`${name} AS (`, path);
        text.add(`  SELECT ${[...passthrough.map((c) => `s.${c}`), ...p.columns.map((c) => `d.${c}`)].join(", ")}`, `${path}.columns`);
        text.add(`  FROM ${prev} AS s ${p.left ? "LEFT JOIN" : "JOIN"} ${p.table} FOR SYSTEM_TIME AS OF s.${t.timeColumn} AS d`, `${path}.table`);
        text.add(`    ON ${p.on.map((k) => `s.${k.source} = d.${k.dimension}`).join(" AND ")}`, `${path}.on`);
        text.add(")", path);
      } else if (p.type === "explode") {
        const col = this.cols.get(p.column);
        if (!col) this.err(`${path}.column`, `explode: '${p.column}' is not a column here; columns: ${passthrough.join(", ")}`);
        else if (family(col.type) !== "string") this.err(`${path}.column`, `explode: '${p.column}' is ${col.type}; explode splits a STRING list`);
        if (this.cols.has(p.as)) this.err(`${path}.as`, `explode: '${p.as}' is already a column`);
        this.cols.set(p.as, { type: "STRING" });
        // One UNION ALL branch per list position (SPLIT_INDEX is 0-based, NULL past the end): Flink runs it in
        // any version (no SPLIT to ARRAY before 1.20), and the local stream engine runs a UNION ALL of one
        // stream statelessly, each micro-batch through every branch.
        const delim = p.delimiter.replaceAll("'", "''");
        text.add(`${name} AS (`, path);
        for (let k = 0; k < p.maxItems; k++) {
          if (k > 0) text.add("  UNION ALL", `${path}.maxItems`);
          text.add(`  SELECT ${passthrough.join(", ")}, SPLIT_INDEX(${p.column}, '${delim}', ${k}) AS ${p.as} FROM ${prev} WHERE SPLIT_INDEX(${p.column}, '${delim}', ${k}) IS NOT NULL`, `${path}.column`);
        }
        text.add(")", path);
      } else if (p.type === "dedup") {
        for (const k of p.keys) if (!this.cols.has(k)) this.err(`${path}.keys`, `dedup: '${k}' is not a column here; columns: ${passthrough.join(", ")}`);
        // The engines deduplicate right where the aggregation reads, over the source itself (Flink's
        // deduplication shape, which the local stream engine runs incrementally): last, after filters only.
        if (i !== t.process.length - 1) this.err(path, "dedup must be the last process component (the aggregation reads it directly); move it down");
        const before = t.process.slice(0, i).find((q) => q.type !== "filter");
        if (before) this.err(path, `dedup reads the source directly: only filters may come before it, not a ${before.type}`);
        const filters = t.process.slice(0, i).map((q, k) => (q.type === "filter" ? this.condition(q.condition, `process.${k}.condition`) : ""));
        this.dedup = { keys: p.keys, keep: p.keep, path, filters };
        return;
      } else {
        const cond = this.condition(p.condition, `${path}.condition`);
        text.add(`${name} AS (`, path);
        text.add(`  SELECT ${passthrough.join(", ")}`, path);
        text.add(`  FROM ${prev}`, path);
        text.add(`  WHERE ${cond}`, `${path}.condition`);
        text.add(")", path);
      }
      this.chain.lines[this.chain.lines.length - 1] = `${this.chain.lines[this.chain.lines.length - 1] ?? ""},`;
      this.chain.append(text);
      this.last = name;
    });
  }

  /** A filter element's name, or an expression. */
  private condition(c: string, path: string): string {
    const el = this.element(c.trim());
    if (el) {
      if (el.kind !== "filter") this.err(path, `'${c}' is an expression element; a filter needs a filter element or a condition`);
      return `(${el.expr})`;
    }
    if (/;/.test(c)) this.err(path, "a condition cannot contain ';'");
    return `(${c})`;
  }

  /** The source's day predicate: the bizdate (batch) or every day read (stream), or the campaign's days. */
  private dayPredicate(campaign: boolean): string {
    const t = this.task;
    const d = t.dateColumn;
    const stream = this.mixed ? " OR __mode = 'stream'" : "";
    if (campaign) return `(${d} >= '${t.campaignStart ?? "1970-01-01"}' AND ${d} <= '\${bizdate}')${stream}`;
    return t.streamScope === "all" ? `${d} = '\${bizdate}'${stream}` : `${d} = '\${bizdate}'`;
  }

  private checkMetrics(): void {
    const seen = new Set<string>();
    for (const m of this.task.metrics) {
      const path = `metrics.${m.name}`;
      if (seen.has(m.name)) this.err(path, `metric '${m.name}' is defined twice`);
      seen.add(m.name);
      if (m.agg !== "count" && !m.expr?.trim()) this.err(`${path}.expr`, `${m.agg === "sum" ? "SUM" : "COUNT(DISTINCT)"} needs an expression`);
      if (m.expr && /;/.test(m.expr)) this.err(`${path}.expr`, "an expression cannot contain ';'");
      if (m.agg === "sum" && m.expr) {
        const col = this.cols.get(m.expr.trim());
        if (col && family(col.type) !== "numeric") this.err(`${path}.expr`, `SUM of '${m.expr}' (${col.type}): SUM needs a number`);
      }
      if (m.filter) {
        const el = this.element(m.filter);
        if (!el) this.err(`${path}.filter`, `'${m.filter}' is not an element; filter elements: ${this.task.elements.filter((e) => e.kind === "filter").map((e) => e.name).join(", ") || "(none)"}`);
        else if (el.kind !== "filter") this.err(`${path}.filter`, `'${m.filter}' is an expression element, not a filter`);
      }
    }
  }

  private checkDimensionSets(): void {
    const seen = new Set<string>();
    for (const s of this.task.dimensionSets) {
      const path = `dimensionSets.${s.name}`;
      if (seen.has(s.name)) this.err(path, `dimension set '${s.name}' is defined twice`);
      seen.add(s.name);
      for (const d of s.dimensions) {
        if (!this.cols.has(d)) this.err(`${path}.dimensions`, `'${d}' is not a column after the process components; columns: ${[...this.cols.keys()].join(", ")}`);
      }
    }
  }

  private resultMetrics(i: number): Metric[] {
    const r = this.task.results[i] as ResultComponent;
    const table = this.catalog.metaTables.get(r.table);
    if (r.metrics) return r.metrics.map((n) => this.task.metrics.find((m) => m.name === n)).filter((m): m is Metric => m !== undefined);
    const cols = new Set([...(table?.columns ?? []), ...(r.uvTable ? this.catalog.metaTables.get(r.uvTable)?.columns ?? [] : [])].map((c) => c.name));
    return this.task.metrics.filter((m) => cols.has(m.column ?? m.name));
  }

  private job(name: string, role: GeneratedJob["role"], results: number[], uv?: "only" | "without"): GeneratedJob | undefined {
    const statements: Text[] = [];
    const tables: string[] = [];
    for (const i of results) {
      const s = this.statement(i, uv);
      if (s) {
        statements.push(s.text);
        tables.push(s.table);
      }
    }
    if (this.issues.length > 0 || statements.length === 0) return undefined;
    const t = this.task;
    const sql = new Text();
    sql.add(`-- Generated by the metric builder from task '${t.name}'${role === "uv" ? " (campaign-to-date distinct counts)" : ""}; edit the task, not this SQL.`, "task");
    if (statements.length > 1) sql.add("EXECUTE STATEMENT SET\nBEGIN", "task");
    for (const s of statements) sql.append(s);
    if (statements.length > 1) sql.add("END;", "task");
    const spec = JobSpec.parse({
      name,
      description: `${t.description || `Metric task ${t.name}`} (generated by the metric builder)`.slice(0, 10_000),
      sql: sql.lines.join("\n") + "\n",
      stream: { startFrom: "earliest" },
      ...(t.timeZone ? { timeZone: t.timeZone } : {}),
      ...(role !== "main" && t.campaignStart ? { hybrid: { startDate: t.campaignStart } } : {}),
    });
    return { name, role, results, tables, spec, lines: sql.tags };
  }

  /** One INSERT for result component i; `uv` picks the distinct counts only, or all but them. */
  private statement(i: number, uv?: "only" | "without"): { text: Text; table: string } | undefined {
    const t = this.task;
    const r = t.results[i] as ResultComponent;
    const path = `results.${i}`;
    const tableName = uv === "only" ? r.uvTable : r.table;
    if (!tableName) {
      this.err(`${path}.uvTable`, "split UV: the campaign-to-date distinct counts need a result table of their own (uvTable)");
      return undefined;
    }
    const table = this.catalog.metaTables.get(tableName);
    if (!table) {
      this.err(`${path}.${uv === "only" ? "uvTable" : "table"}`, `result meta-table '${tableName}' does not exist`);
      return undefined;
    }
    const set = t.dimensionSets.find((s) => s.name === r.dimensionSet);
    if (!set) {
      this.err(`${path}.dimensionSet`, `dimension set '${r.dimensionSet}' does not exist; sets: ${t.dimensionSets.map((s) => s.name).join(", ")}`);
      return undefined;
    }
    if (r.metrics) for (const n of r.metrics) if (!t.metrics.some((m) => m.name === n)) this.err(`${path}.metrics`, `metric '${n}' does not exist`);
    let metrics = this.resultMetrics(i);
    if (uv === "only") metrics = metrics.filter((m) => m.agg === "countDistinct");
    if (uv === "without") metrics = metrics.filter((m) => m.agg !== "countDistinct");
    const byColumn = new Map(metrics.map((m) => [m.column ?? m.name, m]));
    const window = WINDOW_MINUTES[r.period];
    const dateCol = t.dateColumn;
    const select: { expr: string; col: string; tag: string }[] = [];
    const groupBy: string[] = window ? ["window_start", "window_end"] : [];
    const produced = new Set<string>();
    for (const c of table.columns) {
      const cpath = `${path}.table.${tableName}.${c.name}`;
      const metric = byColumn.get(c.name);
      if (metric) {
        produced.add(c.name);
        const agg = this.aggregate(metric, c.type, `metrics.${metric.name}`);
        select.push({ expr: agg, col: c.name, tag: `metrics.${metric.name}.expr` });
      } else if (set.dimensions.includes(c.name)) {
        const src = this.cols.get(c.name);
        const type = src?.type ?? "STRING";
        if (family(type) !== family(c.type)) {
          this.err(`dimensionSets.${set.name}.dimensions`, `dimension '${c.name}' is ${type} but result column ${tableName}.${c.name} is ${c.type}`);
        }
        select.push({ expr: sameType(type, c.type) ? c.name : `CAST(${c.name} AS ${c.type})`, col: c.name, tag: `dimensionSets.${set.name}.dimensions` });
        groupBy.push(c.name);
      } else if (c.name === dateCol) {
        if (family(c.type) !== "string") this.err(cpath, `the day column '${c.name}' is written as STRING 'yyyy-MM-dd'; the result column is ${c.type}`);
        if (r.period === "campaign") {
          // Campaign to date as of the bizdate (the batch job's day; the live job's first day).
          select.push({ expr: "'${bizdate}'", col: c.name, tag: `${path}.period` });
        } else {
          select.push({ expr: c.name, col: c.name, tag: `${path}.period` });
          groupBy.push(c.name);
        }
      } else if (window && (c.name === "window_start" || c.name === "window_end")) {
        const f = family(c.type);
        if (f === "timestamp") select.push({ expr: c.name, col: c.name, tag: `${path}.period` });
        else if (f === "string") select.push({ expr: `DATE_FORMAT(${c.name}, 'yyyy-MM-dd HH:mm')`, col: c.name, tag: `${path}.period` });
        else this.err(cpath, `the period column '${c.name}' must be TIMESTAMP(3) or STRING, not ${c.type}`);
      } else {
        const hint = r.period === "campaign" ? `, ${dateCol}` : window ? `, ${dateCol}, window_start, window_end` : `, ${dateCol}`;
        this.err(cpath, `result column '${c.name}' is produced by no component: not a metric (${metrics.map((m) => m.column ?? m.name).join(", ") || "none"}), not a dimension of '${set.name}' (${set.dimensions.join(", ") || "none"})${hint ? ` and not a period column (${hint.slice(2)})` : ""}`);
      }
    }
    for (const d of set.dimensions) {
      if (!table.columns.some((c) => c.name === d)) this.err(`dimensionSets.${set.name}.dimensions`, `dimension '${d}' has no column in result table ${tableName}`);
    }
    if (r.metrics) {
      for (const m of metrics) if (!produced.has(m.column ?? m.name)) this.err(`metrics.${m.name}.column`, `result table ${tableName} has no column '${m.column ?? m.name}'`);
    }
    if (produced.size === 0) this.err(`${path}.metrics`, `no metric is written to ${tableName}: name metrics after its columns or set their column`);
    if (r.period === "campaign" && uv === undefined && t.uv === "split" && metrics.some((m) => m.agg === "countDistinct")) {
      this.err(`${path}.uvTable`, "split UV: the distinct counts need a result table of their own (uvTable)");
    }

    const text = new Text();
    text.add("", path);
    text.add(`-- ${periodLabel(r.period)} x ${set.name} -> ${tableName}`, path);
    text.add(`INSERT INTO ${tableName}`, `${path}.table`);
    const predicate = this.dayPredicate(r.period === "campaign");
    if (!this.dedup) {
      text.add("WITH", path);
      this.chain.lines.forEach((l, k) => text.add(l.replace(DAY_PREDICATE, predicate), this.chain.tags[k] ?? path));
    }
    select.forEach((s, k) => {
      const head = k === 0 ? "SELECT\n  " : "  ";
      text.add(`${head}${s.expr === s.col ? s.col : `${s.expr} AS ${s.col}`}${k < select.length - 1 ? "," : ""}`, s.tag);
    });
    if (this.dedup) {
      const d = this.dedup;
      if (window) this.err(d.path, `dedup cannot feed a window period (${periodLabel(r.period)}, results.${i}); use day or campaign-to-date periods, or drop the dedup`);
      const elements = t.elements.filter((e) => e.kind === "expression").map((e) => `, ${e.expr} AS ${e.name}`).join("");
      text.add("FROM (", d.path);
      text.add(`  SELECT *${elements}, ROW_NUMBER() OVER (PARTITION BY ${d.keys.join(", ")} ORDER BY ${t.timeColumn} ${d.keep === "first" ? "ASC" : "DESC"}) AS dedup_rn`, `${d.path}.keys`);
      text.add(`  FROM ${t.source}`, d.path);
      text.add(`  WHERE ${[`(${predicate})`, ...d.filters].join(" AND ")}`, "process");
      text.add(")", d.path);
      text.add("WHERE dedup_rn = 1", `${d.path}.keep`);
    } else if (window) {
      text.add(`FROM TABLE(TUMBLE(TABLE ${this.last}, DESCRIPTOR(${t.timeColumn}), INTERVAL '${window}' MINUTE))`, `${path}.period`);
    } else {
      text.add(`FROM ${this.last}`, path);
    }
    if (groupBy.length > 0) text.add(`GROUP BY ${groupBy.join(", ")};`, `${path}.dimensionSet`);
    else text.lines[text.lines.length - 1] = `${text.lines[text.lines.length - 1] ?? ""};`;
    return { text, table: tableName };
  }

  private aggregate(m: Metric, resultType: string, path: string): string {
    if (family(resultType) !== "numeric") this.err(`${path}.column`, `metric '${m.name}' is a number; result column '${m.column ?? m.name}' is ${resultType}`);
    const filter = m.filter ? this.element(m.filter) : undefined;
    const cond = filter ? `(${filter.expr})` : undefined;
    const expr = m.expr?.trim() ?? "";
    let sql: string;
    let type = "BIGINT";
    if (m.agg === "count") sql = cond ? `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)` : "COUNT(*)";
    else if (m.agg === "countDistinct") sql = `COUNT(DISTINCT ${cond ? `CASE WHEN ${cond} THEN ${expr} END` : expr})`;
    else {
      sql = `SUM(${cond ? `CASE WHEN ${cond} THEN ${expr} ELSE 0 END` : expr})`;
      type = "";
    }
    if (m.agg !== "sum" && NARROW_INTEGER.test(resultType.trim())) {
      this.err(`${path}.column`, `metric '${m.name}' counts as BIGINT; result column '${m.column ?? m.name}' is ${resultType}, which could overflow`);
    }
    // COUNT(1) with a filter sums INT ones; SUM keeps its argument's type: both are cast to the result column's type.
    if (cond && m.agg === "count") type = "";
    return type && sameType(type, resultType) ? sql : `CAST(${sql} AS ${resultType})`;
  }
}

function periodSuffix(p: Period): string {
  return p === "campaign" ? "ctd" : p === "15min" ? "m15" : p === "5min" ? "m5" : p;
}

function periodLabel(p: Period): string {
  return p === "campaign" ? "campaign to date" : p === "15min" ? "15 minutes" : p === "5min" ? "5 minutes" : p;
}
