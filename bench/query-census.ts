import type { PGlite } from "@electric-sql/pglite";

// Where the scheduler benchmark's database time goes (BENCH_QUERY_CENSUS=1): every PGlite query and exec
// timed, grouped by the statement's first 90 characters, the top ones printed at the end.

export function queryCensus(pglite: PGlite): { print(): void } {
  const stats = new Map<string, { n: number; ms: number }>();
  const record = (sql: string, t0: number): void => {
    const key = sql.replace(/\s+/g, " ").slice(0, 90);
    const s = stats.get(key) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += performance.now() - t0;
    stats.set(key, s);
  };
  const query = pglite.query.bind(pglite);
  const exec = pglite.exec.bind(pglite);
  pglite.query = (async (sql: string, ...rest: unknown[]) => {
    const t0 = performance.now();
    try { return await (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest); } finally { record(sql, t0); }
  }) as typeof pglite.query;
  pglite.exec = (async (sql: string, ...rest: unknown[]) => {
    const t0 = performance.now();
    try { return await (exec as (...a: unknown[]) => Promise<unknown>)(sql, ...rest); } finally { record(sql, t0); }
  }) as typeof pglite.exec;
  return {
    print() {
      const total = [...stats.values()].reduce((a, s) => a + s.ms, 0);
      process.stderr.write(`[bench:scheduler] database: ${(total / 1000).toFixed(1)} s in ${[...stats.values()].reduce((a, s) => a + s.n, 0)} statements (wall time, queued ones included)\n`);
      for (const [sql, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
        process.stderr.write(`  ${(s.ms / 1000).toFixed(2).padStart(7)} s ${String(s.n).padStart(6)}x  ${sql}\n`);
      }
    },
  };
}
