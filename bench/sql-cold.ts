export {};
// One cold start of the SQL parser, in a fresh process (run by bench/sql.bench.ts): import the parser
// module and parse the demo job's SQL once. Prints JSON.
const t0 = performance.now();
const { parseFlinkSql } = await import("../server/sql/parser");
const t1 = performance.now();
const sql = `INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed,
  SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
FROM mix_coupon_events WHERE dt = '2024-11-11' OR __mode = 'stream' GROUP BY dt, coupon_id;`;
const parsed = parseFlinkSql(sql);
const t2 = performance.now();
const cpu = process.cpuUsage();
// cpuMs covers the whole process (tsx start-up included): an upper bound of the parser's own CPU time.
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstParseMs: t2 - t1, totalMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000, errors: parsed.errors.length }));
