import type { Bizdate } from "./bizdate";
import { partitionKey, type PartitionKey } from "./partitions";

/**
 * A manual dependency as the resolver sees it: this job's day D waits for day D + offsetDays (≤ 0) of
 * `table` (whoever writes it) or of `job`'s output.
 */
export type ManualEdge = { table: string; offsetDays: number } | { job: string; offsetDays: number };

/** What the resolver knows about one scheduled batch job (from its deployment's lineage and spec). */
export interface ScheduledJob {
  name: string;
  reads: string[];
  writes: string[];
  manual?: ManualEdge[];
}

/** Day D of `downstream` waits for day D + offsetDays of `upstream` (0 for lineage). */
export interface JobEdge {
  upstream: string;
  downstream: string;
  offsetDays: number;
}

export class DependencyCycleError extends Error {
  constructor(readonly path: string[]) {
    super(`The jobs depend on each other in a cycle: ${path.join(" → ")}.`);
    this.name = "DependencyCycleError";
  }
}

/**
 * Job-level edges: B reads a table A writes ⇒ A → B on the same day; a manual dependency of B on a table
 * A writes, or on A itself, ⇒ A → B at its offset. Between two jobs, the nearest day wins (a same-day
 * edge decides the order even when an offset edge exists too).
 */
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
  const names = new Set(jobs.map((j) => j.name));
  const edges = new Map<string, JobEdge>();
  const add = (upstream: string | undefined, downstream: string, offsetDays: number): void => {
    if (!upstream || upstream === downstream || !names.has(upstream)) return;
    const id = `${upstream}\u0000${downstream}`;
    const known = edges.get(id);
    if (!known || offsetDays > known.offsetDays) edges.set(id, { upstream, downstream, offsetDays });
  };
  for (const job of jobs) {
    for (const table of job.reads) add(writers.get(table), job.name, 0);
    for (const m of job.manual ?? []) add("job" in m ? m.job : writers.get(m.table), job.name, m.offsetDays);
  }
  return [...edges.values()];
}

/**
 * Jobs in dependency order (upstream first); a cycle is rejected with its path named. Only same-day
 * edges can make a cycle: an edge to an earlier day (offset < 0) points back in time, so it never closes
 * a loop among the instances of one day (A's D waits for B's D-1, which waits for nothing of A's D).
 * Earlier-day edges still order the jobs when they can (upstream first reads best in a backfill plan).
 */
export function dependencyOrder(jobs: ScheduledJob[]): string[] {
  const edges = jobEdges(jobs);
  const sameDay = topologicalOrder(jobs, edges.filter((e) => e.offsetDays === 0));
  try {
    return topologicalOrder(jobs, edges);
  } catch (e) {
    if (e instanceof DependencyCycleError) return sameDay; // a loop only through earlier days
    throw e;
  }
}

function topologicalOrder(jobs: ScheduledJob[], edges: JobEdge[]): string[] {
  const next = new Map<string, string[]>(jobs.map((j) => [j.name, []]));
  for (const e of edges) next.get(e.upstream)?.push(e.downstream);
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
 * plus manual dependencies on tables at their offset (a dependency on a job is resolved to the tables it
 * writes by the caller). Tables the job writes itself are not waited for on the same day.
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
  for (const m of job.manual ?? []) if ("table" in m) add(m.table, m.offsetDays);
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
  return dependencyOrder(jobs).filter((name) => name !== root && seen.has(name)); // root: through an earlier-day loop
}
