// Benchmark of the metric builder's generation (npm run bench:metrics; arguments `[metrics=50] [runs=15]`).
// A task over the demo's coupon events with `metrics` metrics (COUNT(1), SUM, COUNT(DISTINCT), a third of
// them with an element filter), a dimension join, a table filter, 4 periods (day, hour, 15 minutes,
// campaign to date) x 3 dimension sets = 12 result tables, UV split. Measured, each the median of `runs`:
//  (a) generation: spec parse, the backwards check from every result table, the Flink SQL of every job;
//  (b) generation + the SQL core's validation of every generated job (what the builder's save runs).
// Target (issue #18): (a) < 200 ms.
import { parseProjectFile, snapshotFromProjectFile } from "../server/project-file/load";
import { DEMO_FILE } from "../server/engines/testing/helpers";
import { generateMetricTask, validateMetricTask } from "../server/metrics/generate";
import type { MetricTask } from "../server/metrics/spec";
import fs from "node:fs";

const [metricsArg, runsArg] = process.argv.slice(2).map(Number);
const METRICS = metricsArg || 50, RUNS = runsArg || 15;
const log = (m: string) => process.stderr.write(`[bench:metrics] ${m}\n`);

const SETS: Record<string, string[]> = { by_coupon: ["coupon_id"], by_campaign: ["campaign"], by_coupon_action: ["coupon_id", "action"] };
const PERIODS = ["day", "hour", "15min", "campaign"] as const;
const metrics: MetricTask["metrics"] = Array.from({ length: METRICS }, (_, i) => {
  const agg = (["count", "sum", "countDistinct"] as const)[i % 3] ?? "count";
  return {
    name: `m${i}`,
    agg,
    ...(agg === "sum" ? { expr: "amount_cents" } : agg === "countDistinct" ? { expr: "user_id" } : {}),
    ...(i % 3 === 1 ? { filter: i % 2 ? "is_redeem" : "is_claim" } : {}),
  };
});

// Result tables appended to the demo project: one per period x dimension set (+ its UV table when campaign).
const cols = (period: string, dims: string[], names: string[]) => [
  ...(period === "campaign" || period === "day" ? ["{ name: dt, type: STRING }"] : ["{ name: dt, type: STRING }", "{ name: window_start, type: TIMESTAMP(3) }"]),
  ...dims.map((d) => `{ name: ${d}, type: ${d === "coupon_id" ? "BIGINT" : "STRING"} }`),
  ...names.map((n) => `{ name: ${n}, type: BIGINT }`),
].join(", ");
const results: MetricTask["results"] = [];
let extra = "";
for (const p of PERIODS) {
  for (const [set, dims] of Object.entries(SETS)) {
    const table = `r_${p}_${set}`;
    const split = p === "campaign";
    const main = metrics.filter((m) => !split || m.agg !== "countDistinct").map((m) => m.name);
    extra += `\n  - name: ${table}\n    columns: [${cols(p, dims, main)}]\n    source: { table: ods_coupon_events_rt, mappings: {} }`;
    if (split) extra += `\n  - name: ${table}_uv\n    columns: [${cols(p, dims, metrics.filter((m) => m.agg === "countDistinct").map((m) => m.name))}]\n    source: { table: ods_coupon_events_rt, mappings: {} }`;
    results.push({ period: p, dimensionSet: set, table, ...(split ? { uvTable: `${table}_uv` } : {}) });
  }
}
// Nothing runs here (generation and validation only), so the result meta-tables go straight into the demo's
// catalog snapshot, bound to a placeholder physical table: the generated INSERTs are checked against their columns.
const yaml = fs.readFileSync(DEMO_FILE, "utf8").replace(/\njobs:[\s\S]*$/, "\n");
let catalog = snapshotFromProjectFile(parseProjectFile(yaml, "bench").file);
const metaTables = new Map(catalog.metaTables);
for (const block of extra.split("\n  - name: ").slice(1)) {
  const name = block.split("\n")[0] ?? "";
  const columns = [...block.matchAll(/\{ name: (\w+), type: ([\w()]+) \}/g)].map((m) => ({ name: m[1] ?? "", type: m[2] ?? "" }));
  metaTables.set(name, { name, description: "", owner: "", columns, source: { table: "ads_coupon_daily_rt", mappings: {}, virtual: {} } });
}
catalog = { ...catalog, metaTables };

const task: MetricTask = {
  name: "bench_task",
  source: "mix_coupon_events",
  elements: [
    { name: "is_redeem", kind: "filter", expr: "action = 'redeem'" },
    { name: "is_claim", kind: "filter", expr: "action = 'claim'" },
  ],
  process: [
    { type: "dimensionJoin", table: "dim_coupon", on: [{ source: "coupon_id", dimension: "coupon_id" }], columns: ["campaign"] },
    { type: "filter", condition: "amount_cents >= 0" },
  ],
  dimensionSets: Object.entries(SETS).map(([name, dimensions]) => ({ name, dimensions })),
  metrics,
  results,
  campaignStart: "2024-11-01",
  uv: "split",
  combine: "merge",
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const first = generateMetricTask(catalog, task);
if (!first.ok) throw new Error(`the bench task does not generate: ${JSON.stringify(first.issues.slice(0, 5))}`);
const sqlChars = first.jobs.reduce((n, j) => n + j.spec.sql.length, 0);
log(`${METRICS} metrics x ${PERIODS.length} periods x ${Object.keys(SETS).length} dimension sets -> ${first.jobs.length} jobs (${first.jobs.map((j) => j.name).join(", ")}), ${sqlChars.toLocaleString("en-US")} characters of SQL`);

const gen: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const g = generateMetricTask(catalog, task);
  gen.push(performance.now() - t0);
  if (!g.ok) throw new Error("generation failed");
}
const full: number[] = [];
for (let i = 0; i < Math.max(3, Math.floor(RUNS / 3)); i++) {
  const t0 = performance.now();
  const g = validateMetricTask(catalog, task);
  full.push(performance.now() - t0);
  if (!g.ok) throw new Error(`validation failed: ${JSON.stringify(g.issues.slice(0, 3))}`);
}
const g = median(gen);
console.log(`generation (${METRICS} metrics x 4 periods x 3 dimension sets): median ${g.toFixed(1)} ms over ${RUNS} runs (min ${Math.min(...gen).toFixed(1)}, max ${Math.max(...gen).toFixed(1)}) — target < 200 ms: ${g < 200 ? "met" : "MISSED"}`);
console.log(`generation + SQL core validation of the ${first.jobs.length} jobs: median ${median(full).toFixed(0)} ms over ${full.length} runs (informational)`);
