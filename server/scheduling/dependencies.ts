import type { Bizdate } from "./bizdate";
import { partitionKey, type PartitionKey } from "./partitions";

/** What the resolver knows about one scheduled batch job (from its deployment's lineage). */
export interface ScheduledJob {
  name: string;
  reads: string[];
  writes: string[];
  /** Manual dependencies: this job's day D waits for `table`'s day D + offsetDays (offset ≤ 0). */
  manual?: { table: string; offsetDays: number }[];
}

export interface JobEdge {
  upstream: string;
  downstream: string;
}

export class DependencyCycleError extends Error {
  constructor(readonly path: string[]) {
    super(`The jobs depend on each other in a cycle: ${path.join(" → ")}.`);
    this.name = "DependencyCycleError";
  }
}

/** Job-level edges: B reads a table A writes ⇒ A → B (manual deps on produced tables count too). */
export function jobEdges(jobs: ScheduledJob[]): JobEdge[] {
  const writers = new Map<string, string>();
  for (const job of jobs) {
    for (const table of job.writes) {
      const other = writers.get(table);
      if (other && other !== job.name) {
        throw new Error(`Table ${table} is written by both ${other} and ${job.name}; a partition has one producer.`);
      }
      writers.set(table, job.name);
    }
  }
  const edges = new Map<string, JobEdge>();
  for (const job of jobs) {
    const tables = [...job.reads, ...(job.manual ?? []).map((m) => m.table)];
    for (const table of tables) {
      const upstream = writers.get(table);
      if (upstream && upstream !== job.name) {
        edges.set(`${upstream}\u0000${job.name}`, { upstream, downstream: job.name });
      }
    }
  }
  return [...edges.values()];
}

/** Jobs in dependency order (upstream first); a cycle is rejected with its path named. */
export function dependencyOrder(jobs: ScheduledJob[]): string[] {
  const next = new Map<string, string[]>(jobs.map((j) => [j.name, []]));
  for (const e of jobEdges(jobs)) next.get(e.upstream)?.push(e.downstream);
  const state = new Map<string, "visiting" | "done">();
  const order: string[] = [];
  // Iterative DFS so a 1,000-job chain cannot overflow the stack.
  for (const root of jobs.map((j) => j.name)) {
    if (state.has(root)) continue;
    const stack: { name: string; i: number }[] = [{ name: root, i: 0 }];
    state.set(root, "visiting");
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; i: number };
      const children = next.get(top.name) ?? [];
      const child = children[top.i];
      if (child !== undefined) {
        top.i += 1;
        const s = state.get(child);
        if (s === "visiting") {
          const from = stack.findIndex((f) => f.name === child);
          throw new DependencyCycleError([...stack.slice(from).map((f) => f.name), child]);
        }
        if (!s) { state.set(child, "visiting"); stack.push({ name: child, i: 0 }); }
      } else {
        state.set(top.name, "done");
        order.push(top.name);
        stack.pop();
      }
    }
  }
  return order.reverse();
}

/**
 * The partitions a job's instance for `bizdate` waits for: every table it reads on the same day,
 * plus manual dependencies at their offset. Tables the job writes itself are not waited for.
 */
export function upstreamPartitions(job: ScheduledJob, bizdate: Bizdate): PartitionKey[] {
  const own = new Set(job.writes);
  const keys = new Map<string, PartitionKey>();
  const add = (table: string, offset: number): void => {
    if (offset > 0) throw new Error(`${job.name} cannot wait for ${table} ${offset} day(s) in the future.`);
    if (own.has(table) && offset === 0) return;
    const key = partitionKey(table, bizdate.addDays(offset));
    keys.set(`${key.table}/${key.partition}`, key);
  };
  for (const table of job.reads) add(table, 0);
  for (const m of job.manual ?? []) add(m.table, m.offsetDays);
  return [...keys.values()];
}

/** Jobs reachable downstream of `root` (excluding it), in dependency order. */
export function downstreamOf(root: string, jobs: ScheduledJob[]): string[] {
  if (!jobs.some((j) => j.name === root)) throw new Error(`Job ${root} is not deployed.`);
  const next = new Map<string, string[]>();
  for (const e of jobEdges(jobs)) next.set(e.upstream, [...(next.get(e.upstream) ?? []), e.downstream]);
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    for (const child of next.get(queue.shift() as string) ?? []) {
      if (!seen.has(child)) { seen.add(child); queue.push(child); }
    }
  }
  return dependencyOrder(jobs).filter((name) => seen.has(name));
}
