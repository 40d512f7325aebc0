// npx tsx bench/recompute.bench.ts — the local stream engine's recomputed statements (BENCHMARKS.md,
// "## Engines", recompute) against a single-level aggregate over the same events: micro-batches of 10k
// events from the JSON topic into a jdbc upsert sink (in-process PGlite). Shapes: `single` (COUNT,
// COUNT DISTINCT, SUM per coupon), `twolevel` (per coupon over per-(coupon, user) counts), `keeplast`
// (per coupon over each user's latest event). Options: BENCH_EVENTS (default 300000), BENCH_USERS
// (100000), BENCH_ONLY (comma-separated shapes), BENCH_PROFILE=1 (the ten costliest SQL statements).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeTopicDay } from "../server/demo/generator";
import { planLocalJob } from "../server/engines/local/from-script";
import type { LocalStreamJob } from "../server/engines/local/plan";
import { StreamRunner } from "../server/engines/local/stream";
import { JobSpec } from "../server/catalog/schemas";
import { demoCatalog, sinkEnv, testPostgres } from "../server/engines/testing/helpers";

const DAY = "2024-11-12";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const PROFILE = process.env.BENCH_PROFILE === "1";

const SHAPES: Record<string, string> = {
  single: `INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv, 0 AS redeemed, SUM(amount_cents) AS gmv_cents
FROM mix_coupon_events GROUP BY dt, coupon_id;`,
  twolevel: `INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*) AS pv, SUM(c) AS uv, MAX(c) AS redeemed, COUNT(DISTINCT c) AS gmv_cents
FROM (SELECT dt, coupon_id, user_id, COUNT(*) AS c FROM mix_coupon_events GROUP BY dt, coupon_id, user_id) GROUP BY dt, coupon_id;`,
  keeplast: `INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv, 0 AS redeemed, SUM(amount_cents) AS gmv_cents
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time DESC) AS rn FROM mix_coupon_events) WHERE rn = 1 GROUP BY dt, coupon_id;`,
};

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-recompute-"));
  await writeTopicDay(path.join(dir, ".tandem/demo/topic/coupon_events"), { day: DAY, count: EVENTS, users: USERS });
  const pg = await testPostgres();
  try {
    for (const name of (process.env.BENCH_ONLY ?? Object.keys(SHAPES).join(",")).split(",")) {
      const sql = SHAPES[name];
      if (!sql) throw new Error(`unknown shape '${name}' (${Object.keys(SHAPES).join(", ")})`);
      const plan = planLocalJob({ catalog: demoCatalog(), job: JobSpec.parse({ name, sql, stream: { startFrom: "earliest" } }) }, "stream", DAY) as LocalStreamJob;
      const schema = `${pg.schema}_${name}`;
      await pg.db.query(`CREATE SCHEMA ${schema}`);
      for (const st of plan.statements) st.sink = { ...st.sink, table: { ...st.sink.table, options: { ...st.sink.table.options, "table-name": `${schema}.ads_coupon_daily_rt` } } };
      const runner = await StreamRunner.open(plan, { jobId: name, stateDir: path.join(dir, name), env: sinkEnv(dir, pg.db), maxBatchRows: 10_000 });
      const costs = new Map<string, number>();
      if (PROFILE) runner.onStatement = (text, ms) => costs.set(text.replace(/\s+/g, " ").slice(0, 100), (costs.get(text.replace(/\s+/g, " ").slice(0, 100)) ?? 0) + ms);
      const started = performance.now();
      const durations: number[] = [];
      try {
        for (let m = await runner.step(); m; m = await runner.step()) durations.push(m.durationMs);
      } finally {
        await runner.close();
      }
      const wall = performance.now() - started;
      const last = durations.slice(-10);
      process.stdout.write(`${name}: ${Math.round((EVENTS / wall) * 1000)} events/s, ${durations.length} batches, p50 ${Math.round(pct(durations, 50))} ms, p99 ${Math.round(pct(durations, 99))} ms, last 10 avg ${Math.round(last.reduce((a, b) => a + b, 0) / Math.max(1, last.length))} ms (load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})\n`);
      if (PROFILE) for (const [text, ms] of [...costs].sort((a, b) => b[1] - a[1]).slice(0, 10)) process.stdout.write(`  ${Math.round(ms)} ms  ${text}\n`);
    }
  } finally {
    await pg.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
