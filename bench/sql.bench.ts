import { execFileSync } from "node:child_process";
import path from "node:path";
import { readProjectFile, snapshotFromProjectFile } from "../server/project-file/load";
import { JobSpec } from "../server/catalog/schemas";
import { clearVerdictCache, translateJob } from "../server/sql/translate/index";
import { validateJob } from "../server/sql/validate";

// npm run bench:sql — the SQL core's numbers for BENCHMARKS.md:
//   1. cold start of the parser (fresh process: import + first parse of the demo statement), median of 3
//   2. warm translate of the demo job (all four scripts + lineage), p50 / p95
//   3. a 200-statement script: validate + translate

const here = path.dirname(new URL(import.meta.url).pathname);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };
const ms = (x: number) => `${x.toFixed(1)} ms`;

// 1. cold start
const colds: { importMs: number; firstParseMs: number; totalMs: number }[] = [];
for (let i = 0; i < 3; i++) {
  const out = execFileSync(process.execPath, ["--import", "tsx", path.join(here, "sql-cold.ts")], { encoding: "utf8" });
  colds.push(JSON.parse(out) as { importMs: number; firstParseMs: number; totalMs: number });
}
const cold = colds.sort((a, b) => a.totalMs - b.totalMs)[1] ?? colds[0];
console.log(`parser cold start (median of 3): ${ms(cold?.totalMs ?? NaN)} (import ${ms(cold?.importMs ?? NaN)}, first parse ${ms(cold?.firstParseMs ?? NaN)})  target < 1500 ms`);

// 2. warm translate of the demo job
const { file } = readProjectFile(path.join(here, "../examples/double11.yaml"));
const catalog = snapshotFromProjectFile(file);
const demo = file.jobs.find((j) => j.name === "coupon_daily_stats");
if (!demo) throw new Error("demo job missing");
for (let i = 0; i < 30; i++) translateJob(catalog, demo, { bizdate: "2024-11-11" });
const warm: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const r = translateJob(catalog, demo, { bizdate: "2024-11-11" });
  warm.push(performance.now() - t);
  if (r.errors.length) throw new Error(JSON.stringify(r.errors));
}
console.log(`warm translate, demo job (4 scripts + lineage): p50 ${ms(pct(warm, 50))}, p95 ${ms(pct(warm, 95))}  target p50 < 15 ms`);
const uncached: number[] = [];
for (let i = 0; i < 50; i++) {
  clearVerdictCache();
  const t = performance.now();
  translateJob(catalog, demo, { bizdate: `2024-11-${String(1 + (i % 28)).padStart(2, "0")}` });
  uncached.push(performance.now() - t);
}
console.log(`  same, all memo caches cleared and a new bizdate each time: p50 ${ms(pct(uncached, 50))}, p95 ${ms(pct(uncached, 95))}`);

// 3. a 200-statement script
const shapes = [
  (i: number) => `INSERT INTO ads_coupon_daily\nSELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,\n  SUM(CASE WHEN action = 'redeem' THEN ${i} ELSE 0 END) AS redeemed,\n  SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents\nFROM mix_coupon_events\nWHERE dt = '\${bizdate}' OR __mode = 'stream'\nGROUP BY dt, coupon_id;`,
  (i: number) => `INSERT INTO ads_coupon_cumulative\nWITH c AS (SELECT coupon_id, user_id FROM mix_coupon_events WHERE dt = '\${bizdate}' AND amount_cents > ${i})\nSELECT coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv FROM c GROUP BY coupon_id;`,
  (i: number) => `INSERT INTO ads_coupon_minutely\nSELECT window_start, coupon_id, COUNT(*) AS pv, SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed\nFROM TABLE(TUMBLE(TABLE mix_coupon_events, DESCRIPTOR(event_time), INTERVAL '${1 + (i % 5)}' MINUTE))\nWHERE dt = '\${bizdate}' GROUP BY window_start, window_end, coupon_id;`,
  (i: number) => `INSERT INTO ads_coupon_cumulative\nSELECT e.coupon_id, COUNT(*), COUNT(DISTINCT e.user_id)\nFROM mix_coupon_events e JOIN (SELECT coupon_id FROM dim_coupon WHERE face_value_cents > ${i}) d ON e.coupon_id = d.coupon_id\nWHERE e.dt BETWEEN '\${bizdate_prev}' AND '\${bizdate}'\nGROUP BY e.coupon_id;`,
];
const big = JobSpec.parse({ name: "big", sql: Array.from({ length: 200 }, (_, i) => `-- statement ${i + 1}\n${(shapes[i % shapes.length] as (i: number) => string)(i)}`).join("\n\n") });
const lines = big.sql.split("\n").length;
for (let run = 1; run <= 3; run++) {
  clearVerdictCache();
  const t0 = performance.now();
  const v = validateJob(catalog, big);
  const t1 = performance.now();
  const r = translateJob(catalog, big, { bizdate: "2024-11-11", local: false });
  const t2 = performance.now();
  if (!v.ok || r.errors.length) throw new Error(JSON.stringify([...v.issues, ...r.errors].slice(0, 3)));
  console.log(`200-statement script (${lines} lines), run ${run}: validate ${ms(t1 - t0)} + translate (stream, batch, lineage; re-parsed) ${ms(t2 - t1)} = ${ms(t2 - t0)}  target < 2000 ms`);
}
{
  clearVerdictCache();
  const t0 = performance.now();
  const r = translateJob(catalog, big, { bizdate: "2024-11-11" });
  console.log(`  with the local DuckDB scripts too (2 x 200 statements + incremental plans): ${ms(performance.now() - t0)}` +
    ` (${r.local?.batch?.statements.length ?? 0} batch / ${r.local?.stream?.statements.length ?? 0} stream statements)`);
}
