import { authorize } from "../../server/auth/authorize";
import { columnKey, tableLineage, type ColumnEdge, type Reached, type TableEdge } from "../../server/lineage/index";
import { cliProject, withCliContext } from "../database";
import type { LineageOptions } from "../commands/lineage";

// `tandem lineage` as a thin caller of server/lineage under catalog.read. The text output is a tree:
// each table (or column) under the one it was first reached from, with the jobs, versions and sides of
// the edges between them; a node reached again is marked instead of repeated (a cycle ends there).

interface Link { from: string; to: string; label: string }

function links<E extends TableEdge | ColumnEdge>(edges: Reached<E>[], key: (e: E) => [string, string]): Link[] {
  const merged = new Map<string, { from: string; to: string; parts: Map<string, Set<string>> }>();
  for (const e of edges) {
    const [from, to] = key(e);
    const id = `${from}\u0000${to}`;
    const m = merged.get(id) ?? { from, to, parts: new Map<string, Set<string>>() };
    const job = `${e.job} v${e.version}`;
    const sides = m.parts.get(job) ?? new Set<string>();
    sides.add(e.side);
    m.parts.set(job, sides);
    merged.set(id, m);
  }
  return [...merged.values()].map((m) => ({ from: m.from, to: m.to, label: [...m.parts].map(([j, s]) => `${j} ${[...s].sort().join("+")}`).join("; ") }));
}

/** Renders the walk as a tree from `roots`, following `next` (from → to for downstream, to → from upstream). */
export function renderTree(roots: string[], all: Link[], upstream: boolean): string {
  const children = new Map<string, Link[]>();
  for (const l of all) {
    const parent = upstream ? l.to : l.from;
    const list = children.get(parent) ?? [];
    list.push(l);
    children.set(parent, list);
  }
  const shown = new Set<string>();
  const out: string[] = [];
  const visit = (node: string, prefix: string): void => {
    const kids = (children.get(node) ?? []).sort((a, b) => (upstream ? a.from : a.to).localeCompare(upstream ? b.from : b.to));
    kids.forEach((l, i) => {
      const last = i === kids.length - 1;
      const child = upstream ? l.from : l.to;
      const again = shown.has(child);
      out.push(`${prefix}${last ? "└─ " : "├─ "}${child}  (${l.label})${again ? "  [shown above]" : ""}`);
      if (again) return;
      shown.add(child);
      visit(child, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  for (const r of roots) {
    shown.add(r);
    out.push(r);
    visit(r, "");
  }
  return out.join("\n");
}

export async function lineageCommand(opts: LineageOptions): Promise<void> {
  if (opts.upstream && opts.downstream) throw new Error("--upstream and --downstream exclude each other: pick one (downstream is the default)");
  const depth = opts.depth === undefined ? undefined : Number(opts.depth);
  if (depth !== undefined && !(Number.isInteger(depth) && depth > 0)) throw new Error(`--depth must be a positive whole number, got '${opts.depth ?? ""}'`);
  const direction = opts.upstream ? "upstream" : "downstream";
  await withCliContext("lineage", async (base) => {
    const project = await cliProject(base.db, opts.project);
    await authorize(base.db, base.actor, "catalog.read", project);
    const r = await tableLineage({ db: base.db, actor: base.actor, project }, { table: opts.table, column: opts.column, direction, columns: opts.columns === true, depth });
    if (opts.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    const up = direction === "upstream";
    let text: string;
    if (r.level === "table") {
      text = renderTree([r.table], links(r.edges, (e) => [e.from, e.to]), up);
      if (r.edges.length === 0) text += `\n  (nothing ${direction})`;
    } else {
      text = renderTree(r.columns, links(r.edges, (e) => [columnKey(e.from), columnKey(e.to)]), up);
      if (r.edges.length === 0) text += `\n  (no column ${direction})`;
    }
    process.stdout.write(`${text}\n`);
  });
}
