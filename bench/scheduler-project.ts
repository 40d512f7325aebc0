import type { ProjectFile } from "../server/catalog/schemas";

// The scheduler benchmark's project: `jobs` daily jobs in a dependency DAG. Job i writes table t<i> and
// reads the table of job ⌊(i-1)/2⌋ (a binary tree, about log2(jobs) levels deep), and every fifth job
// also joins the table of job i-1; job 0 reads `ext`, a table loaded by another system.

export function upstreamsOf(i: number): number[] {
  if (i === 0) return [];
  const tree = Math.floor((i - 1) / 2);
  return i % 5 === 0 && i - 1 !== tree ? [tree, i - 1] : [tree];
}

export const tableOf = (i: number): string => `t${i}`;
export const jobOf = (i: number): string => `j${i}`;

const columns = [{ name: "k", type: "BIGINT" }, { name: "v", type: "BIGINT" }, { name: "dt", type: "STRING" }];

function table(name: string) {
  return {
    physical: { name: `p_${name}`, connection: "wh", kind: "batch" as const, columns, partition: { column: "dt", format: "yyyy-MM-dd" as const }, options: { path: `.tandem/bench/${name}`, format: "parquet" } },
    meta: { name, columns: columns.map((c) => ({ name: c.name, type: c.type })), source: { table: `p_${name}`, mappings: { k: "k", v: "v", dt: "dt" } } },
  };
}

function sqlOf(i: number): string {
  const [a, b] = upstreamsOf(i).map(tableOf);
  const from = a ?? "ext";
  if (b === undefined) return `INSERT INTO ${tableOf(i)} SELECT k, v, dt FROM ${from} WHERE dt = '\${bizdate}'`;
  return `INSERT INTO ${tableOf(i)} SELECT x.k, x.v + y.v AS v, x.dt FROM ${from} x JOIN ${b} y ON x.k = y.k AND x.dt = y.dt WHERE x.dt = '\${bizdate}'`;
}

export function schedulerBenchProject(name: string, jobs: number): ProjectFile {
  const tables = [table("ext"), ...Array.from({ length: jobs }, (_, i) => table(tableOf(i)))];
  return {
    project: name,
    connections: [{ name: "wh", type: "filesystem", properties: { path: ".tandem/bench" } }],
    physicalTables: tables.map((t) => t.physical),
    metaTables: tables.map((t) => t.meta),
    jobs: Array.from({ length: jobs }, (_, i) => ({ name: jobOf(i), sql: sqlOf(i), batch: { retries: 0 } })),
  };
}
