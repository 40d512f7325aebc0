// npm run bench:quality — a table's quality rules on a 1.4M-row daily partition (Parquet written by DuckDB),
// every rule kind evaluated together the way a batch instance does before it marks the partition ready:
// row count bounds and week-over-week, two null ratios, a two-column key's uniqueness, two value ranges,
// freshness and a custom SQL assertion (evaluatePartition: one shared scan + the SQL rule + the footers
// of the partition 7 days earlier), then the stream-vs-batch reconciliation of the day over 1.4M keys.
// Target: the partition's rules together < 1 s (median). Options: BENCH_ROWS (1400000), BENCH_RUNS (7).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProjectFile } from "../server/catalog/schemas";
import { DuckSession, lit } from "../server/engines/local/duck";
import { snapshotFromProjectFile } from "../server/project-file/load";
import { evaluatePartition, reconcileDay, type QualityRuleParsed } from "../server/quality/index";
import { localQueryBackend } from "../server/query/index";
import { Bizdate } from "../server/scheduling/index";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_400_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const D = Bizdate.parse("2024-11-11");

const rules = [
  { name: "rows", kind: "rowCount", min: 1, max: 10_000_000, maxChangePct: 20 },
  { name: "user_present", kind: "nullRatio", column: "user_id", max: 0.01 },
  { name: "status_present", kind: "nullRatio", column: "status", max: 0 },
  { name: "key_unique", kind: "unique", columns: ["dt", "order_id"] },
  { name: "amount_range", kind: "range", column: "amount", min: 0, max: 100_000 },
  { name: "user_range", kind: "range", column: "user_id", min: 1 },
  { name: "on_time", kind: "freshness", readyBy: "06:00", severity: "warning" },
  { name: "refund_has_amount", kind: "sql", sql: "SELECT order_id FROM orders_di WHERE status = 'refund' AND amount <= 0" },
  { name: "live_matches", kind: "reconcile", against: "orders_rt", key: ["order_id"], columns: ["amount", "status"], tolerance: { abs: 0.01 } },
];

const file = ProjectFile.parse({
  project: "bench",
  connections: [{ name: "wh", type: "filesystem", properties: { path: "wh" } }],
  physicalTables: [
    { name: "orders_di", connection: "wh", kind: "batch", partition: { column: "dt", format: "yyyy-MM-dd" }, options: { path: "wh/orders_di", format: "parquet" }, quality: rules,
      columns: [{ name: "order_id", type: "BIGINT" }, { name: "user_id", type: "BIGINT" }, { name: "amount", type: "DOUBLE" }, { name: "status", type: "STRING" }, { name: "dt", type: "STRING" }] },
    { name: "orders_rt", connection: "wh", kind: "stream", options: { path: "wh/orders_rt", format: "parquet" },
      columns: [{ name: "order_id", type: "BIGINT" }, { name: "amount", type: "DOUBLE" }, { name: "status", type: "STRING" }, { name: "dt", type: "STRING" }] },
  ],
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-quality-"));
  const wh = path.join(base, "wh");
  const s = await DuckSession.open();
  const t0 = performance.now();
  try {
    const orders = (n: number, seed: number) => `SELECT range AS order_id, CASE WHEN range % 1000 = 7 THEN NULL ELSE 1 + (range * 7919 + ${seed}) % 200000 END AS user_id,
      round(((range * 104729 + ${seed}) % 100000) / 7.0, 2)::DOUBLE AS amount, (['paid', 'shipped', 'refund', 'new'])[1 + range % 4] AS status FROM range(${n})`;
    for (const [day, n] of [["2024-11-11", ROWS], ["2024-11-04", Math.round(ROWS * 0.95)]] as const) {
      fs.mkdirSync(path.join(wh, "orders_di", `dt=${day}`), { recursive: true });
      await s.run(`COPY (${orders(n, 1)}) TO ${lit(path.join(wh, "orders_di", `dt=${day}`, "part-0.parquet"))} (FORMAT parquet)`);
    }
    fs.mkdirSync(path.join(wh, "orders_rt"), { recursive: true });
    await s.run(`COPY (SELECT order_id, CASE WHEN order_id % 100000 = 3 THEN amount + 1 ELSE amount END AS amount, status, '2024-11-11' AS dt FROM (${orders(ROWS, 1)})) TO ${lit(path.join(wh, "orders_rt", "part-0.parquet"))} (FORMAT parquet)`);
  } finally {
    s.close();
  }
  console.log(`wrote ${ROWS.toLocaleString("en-US")} rows (+ the partition 7 days earlier and the stream side) in ${Math.round(performance.now() - t0)} ms`);

  const catalog = snapshotFromProjectFile(file);
  const backend = localQueryBackend({ catalog, env: { baseDir: base, dataDir: path.join(base, ".tandem") } });
  const parsed = catalog.physicalTables.get("orders_di")?.quality ?? [];
  const partitionRules = parsed.filter((r) => r.kind !== "reconcile");
  const reconcileRule = parsed.find((r): r is Extract<QualityRuleParsed, { kind: "reconcile" }> => r.kind === "reconcile");
  if (!reconcileRule) throw new Error("no reconcile rule");
  const together: number[] = [];
  const reconcile: number[] = [];
  // CPU time of the process (DuckDB's threads included): on a shared machine the wall clock also counts
  // the time other processes held the cores; CPU time is the work itself.
  const togetherCpu: number[] = [];
  const reconcileCpu: number[] = [];
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let last = "";
  for (let i = 0; i < RUNS + 1; i++) {
    const a = performance.now(), ca = cpuMs();
    const results = await evaluatePartition(backend, { catalog, table: "orders_di", bizdate: D, rules: partitionRules });
    const b = performance.now(), cb = cpuMs();
    const rec = await reconcileDay(backend, catalog, "orders_di", D, reconcileRule);
    const c = performance.now(), cc = cpuMs();
    if (i === 0) {
      last = [...results, rec].map((r) => `  ${r.passed ? "pass" : "FAIL"} ${r.rule} (${r.kind}): ${r.message}`).join("\n");
      continue; // warm-up (file cache, DuckDB extension load)
    }
    together.push(b - a);
    reconcile.push(c - b);
    togetherCpu.push(cb - ca);
    reconcileCpu.push(cc - cb);
  }
  console.log(last);
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}; ${xs.length} runs)`;
  console.log(`\n${partitionRules.length} partition rules together (6 kinds, one shared scan): ${fmt(together)}  target < 1000 ms`);
  console.log(`reconciliation of ${ROWS.toLocaleString("en-US")} keys (stream vs batch):          ${fmt(reconcile)}`);
  console.log(`all ${parsed.length} rules, every kind:                                   ${fmt(together.map((x, i) => x + (reconcile[i] ?? 0)))}`);
  console.log(`CPU time (all threads): partition rules median ${median(togetherCpu).toFixed(0)} ms, reconciliation median ${median(reconcileCpu).toFixed(0)} ms; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" / ")} on ${os.cpus().length} cores`);
  fs.rmSync(base, { recursive: true, force: true });
}

await main();
