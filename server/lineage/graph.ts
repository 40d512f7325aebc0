import type { ColumnRef, TransformKind } from "../sql/analyze";
import type { Lineage } from "../sql/lineage";

// One lineage graph of a project: every deployed job's current version contributes its frozen table and
// column edges, once per side it runs (batch always; stream when the version has a stream script). Table
// nodes are named as the catalog names them: a meta-table by its name, a physical table (one side of a
// meta-table) by its table name; edges between meta-tables come from the table lineage, edges between
// physical tables from the physical column lineage of that side. Queries walk adjacency maps breadth-first
// with a visited set, so a cycle ends the walk instead of looping.

export type Side = "stream" | "batch";

/** The current version of one deployed job, as the graph needs it. */
export interface DeployedLineage {
  job: string;
  version: number;
  sides: Side[];
  lineage: Lineage;
}

export interface TableEdge { from: string; to: string; job: string; version: number; side: Side }
export interface ColumnEdge { from: ColumnRef; to: ColumnRef; job: string; version: number; side: Side; transform: TransformKind }

export interface LineageGraph {
  /** Jobs in the graph (deployed, current version). */
  jobs: Map<string, DeployedLineage>;
  tablesOut: Map<string, TableEdge[]>;
  tablesIn: Map<string, TableEdge[]>;
  columnsOut: Map<string, ColumnEdge[]>;
  columnsIn: Map<string, ColumnEdge[]>;
}

export const columnKey = (c: ColumnRef): string => `${c.table}.${c.column}`;

function push<E>(m: Map<string, E[]>, key: string, e: E): void {
  const list = m.get(key);
  if (list) list.push(e);
  else m.set(key, [e]);
}

export function buildLineageGraph(deployed: DeployedLineage[]): LineageGraph {
  const g: LineageGraph = { jobs: new Map(), tablesOut: new Map(), tablesIn: new Map(), columnsOut: new Map(), columnsIn: new Map() };
  for (const d of deployed) {
    g.jobs.set(d.job, d);
    const { job, version } = d;
    for (const side of d.sides) {
      // An edge is one per job and side, so duplicates can only come from this job's side: deduplicating
      // here keeps each set small and short-lived (one project-wide set of every edge cost most of a cold
      // build in garbage collection at 1,000 jobs).
      const tablesSeen = new Set<string>();
      const columnsSeen = new Set<string>();
      const table = (from: string, to: string): void => {
        if (from === to) return;
        const id = `${from}\u0000${to}`;
        if (tablesSeen.has(id)) return;
        tablesSeen.add(id);
        const e: TableEdge = { from, to, job, version, side };
        push(g.tablesOut, from, e);
        push(g.tablesIn, to, e);
      };
      const column = (from: ColumnRef, to: ColumnRef, transform: TransformKind): void => {
        const f = columnKey(from), t = columnKey(to);
        if (f === t) return;
        const id = `${f}\u0000${t}`;
        if (columnsSeen.has(id)) return;
        columnsSeen.add(id);
        const e: ColumnEdge = { from, to, job, version, side, transform };
        push(g.columnsOut, f, e);
        push(g.columnsIn, t, e);
      };
      for (const t of d.lineage.tables) for (const from of t.sources) table(from, t.sink);
      for (const c of d.lineage.columns) {
        for (const from of c.sources) column(from, c.sink, c.transform);
        const p = c.physical[side];
        if (!p?.sink) continue;
        for (const from of p.sources) {
          table(from.table, p.sink.table);
          column(from, p.sink, c.transform);
        }
      }
    }
  }
  return g;
}

export type Direction = "upstream" | "downstream";

/** An edge reached by a walk, `depth` hops from the start (1: touching it). */
export type Reached<E> = E & { depth: number };

export interface TableWalk {
  table: string;
  direction: Direction;
  /** Tables reached, nearest first, each at its least depth. */
  tables: { table: string; depth: number }[];
  /** Every edge between reached nodes, with the depth of its far end. */
  edges: Reached<TableEdge>[];
  /** Jobs on the reached edges (for downstream: the jobs a change to the table affects). */
  jobs: { job: string; version: number; sides: Side[]; depth: number }[];
}

export interface ColumnWalk {
  table: string;
  /** The start columns (one, or every column of the table seen in the graph). */
  columns: string[];
  direction: Direction;
  reached: { column: ColumnRef; depth: number }[];
  edges: Reached<ColumnEdge>[];
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

function walk<E>(starts: string[], step: (key: string) => E[] | undefined, far: (e: E) => string, maxDepth: number): { depth: Map<string, number>; edges: Reached<E>[] } {
  const depth = new Map<string, number>(starts.map((s) => [s, 0]));
  const edges: Reached<E>[] = [];
  let frontier = starts;
  for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const key of frontier) {
      for (const e of step(key) ?? []) {
        const to = far(e);
        edges.push({ ...e, depth: d });
        if (!depth.has(to)) { depth.set(to, d); next.push(to); }
      }
    }
    frontier = next;
  }
  return { depth, edges };
}

/** Tables upstream or downstream of `table` (transitive; `maxDepth` hops at most). */
export function walkTables(g: LineageGraph, table: string, direction: Direction, maxDepth = UNLIMITED): TableWalk {
  const down = direction === "downstream";
  const r = walk([table], (k) => (down ? g.tablesOut : g.tablesIn).get(k), (e) => (down ? e.to : e.from), maxDepth);
  const jobs = new Map<string, { job: string; version: number; sides: Set<Side>; depth: number }>();
  for (const e of r.edges) {
    const j = jobs.get(e.job) ?? { job: e.job, version: e.version, sides: new Set<Side>(), depth: e.depth };
    j.sides.add(e.side);
    j.depth = Math.min(j.depth, e.depth);
    jobs.set(e.job, j);
  }
  return {
    table, direction,
    tables: [...r.depth].filter(([t]) => t !== table).map(([t, depth]) => ({ table: t, depth })),
    edges: r.edges,
    jobs: [...jobs.values()].sort((a, b) => a.depth - b.depth || a.job.localeCompare(b.job)).map((j) => ({ ...j, sides: [...j.sides].sort() })),
  };
}

/** The columns of `table` the graph knows (as a source or a sink of some edge). */
export function columnsOf(g: LineageGraph, table: string): string[] {
  const prefix = `${table}.`;
  const cols = new Set<string>();
  for (const m of [g.columnsOut, g.columnsIn]) for (const k of m.keys()) if (k.startsWith(prefix)) cols.add(k);
  return [...cols].sort();
}

/** Columns derived from (downstream) or feeding (upstream) a column of `table`, or all its columns. */
export function walkColumns(g: LineageGraph, table: string, direction: Direction, opts: { column?: string; maxDepth?: number } = {}): ColumnWalk {
  const down = direction === "downstream";
  const starts = opts.column === undefined ? columnsOf(g, table) : [columnKey({ table, column: opts.column })];
  const r = walk(starts, (k) => (down ? g.columnsOut : g.columnsIn).get(k), (e) => columnKey(down ? e.to : e.from), opts.maxDepth ?? UNLIMITED);
  const refs = new Map<string, ColumnRef>();
  for (const e of r.edges) for (const c of [e.from, e.to]) refs.set(columnKey(c), c);
  return {
    table, columns: starts, direction,
    reached: [...r.depth].filter(([k, d]) => d > 0 && refs.has(k)).map(([k, depth]) => ({ column: refs.get(k) as ColumnRef, depth })),
    edges: r.edges,
  };
}

export interface Impact {
  table: string;
  column?: string;
  /** Downstream tables and jobs, transitive, nearest first. */
  tables: { table: string; depth: number }[];
  jobs: TableWalk["jobs"];
  /** With a column: the downstream columns derived from it, across jobs. */
  columns?: { column: ColumnRef; depth: number }[];
}

/** What a change to `table` (or one of its columns) reaches downstream. */
export function impactOf(g: LineageGraph, table: string, opts: { column?: string; maxDepth?: number } = {}): Impact {
  if (opts.column !== undefined) {
    const c = walkColumns(g, table, "downstream", opts);
    const tables = new Map<string, number>();
    const jobs = new Map<string, { job: string; version: number; sides: Set<Side>; depth: number }>();
    for (const r of c.reached) if (r.column.table !== table) tables.set(r.column.table, Math.min(tables.get(r.column.table) ?? UNLIMITED, r.depth));
    for (const e of c.edges) {
      const j = jobs.get(e.job) ?? { job: e.job, version: e.version, sides: new Set<Side>(), depth: e.depth };
      j.sides.add(e.side);
      j.depth = Math.min(j.depth, e.depth);
      jobs.set(e.job, j);
    }
    return {
      table, column: opts.column,
      tables: [...tables].map(([t, depth]) => ({ table: t, depth })).sort((a, b) => a.depth - b.depth || a.table.localeCompare(b.table)),
      jobs: [...jobs.values()].sort((a, b) => a.depth - b.depth || a.job.localeCompare(b.job)).map((j) => ({ ...j, sides: [...j.sides].sort() })),
      columns: c.reached,
    };
  }
  const w = walkTables(g, table, "downstream", opts.maxDepth);
  return { table, tables: w.tables, jobs: w.jobs };
}
