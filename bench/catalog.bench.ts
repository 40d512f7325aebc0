// npm run bench:catalog — apply a project file with 10,000 physical tables and 2,000 mixed meta-tables to
// a fresh embedded database, then time the paged table list API (the tRPC procedure the workbench calls,
// over the embedded database's Postgres-wire socket, as in `tandem dev`).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../db/client";
import { serveEmbeddedDatabase } from "../db/embedded-server";
import { appRouter } from "../server/api/root";
import { createCallerFactory } from "../server/api/trpc";
import type { ProjectFile } from "../server/catalog/schemas";
import { SecretBox } from "../server/catalog/secrets";
import { applyProjectFile } from "../server/project-file/apply";
import { ProjectFile as ProjectFileSchema } from "../server/catalog/schemas";
import { validateProjectFile } from "../server/catalog/validate";

const TABLES = Number(process.env.BENCH_TABLES ?? 10_000);
const META = Number(process.env.BENCH_META ?? 2_000);
const COLS = 12;

function bigProjectFile(): ProjectFile {
  const columns = (side: string) => Array.from({ length: COLS }, (_, c) => ({ name: `c${c}`, type: c % 3 === 0 ? "BIGINT" : "STRING", comment: `${side} column ${c}` }));
  const physicalTables: NonNullable<ProjectFile["physicalTables"]> = [];
  for (let i = 0; i < TABLES; i++) {
    const stream = i % 2 === 0;
    physicalTables.push({
      name: `t_${stream ? "rt" : "di"}_${String(i).padStart(5, "0")}`,
      connection: `conn_${i % 20}`,
      kind: stream ? "stream" : "batch",
      description: `table number ${i} of the benchmark`,
      columns: stream ? columns("stream") : [...columns("batch"), { name: "dt", type: "STRING" }],
      options: { path: `/data/t_${i}`, format: stream ? "json" : "parquet" },
      ...(stream ? {} : { partition: { column: "dt", format: "yyyy-MM-dd" as const } }),
    });
  }
  const metaTables: NonNullable<ProjectFile["metaTables"]> = [];
  for (let m = 0; m < META; m++) {
    const s = physicalTables[(m * 2) % TABLES]?.name ?? "";
    const b = physicalTables[(m * 2 + 1) % TABLES]?.name ?? "";
    const mappings = Object.fromEntries(Array.from({ length: COLS }, (_, c) => [`c${c}`, `c${c}`]));
    metaTables.push({
      name: `mix_${String(m).padStart(5, "0")}`,
      columns: Array.from({ length: COLS }, (_, c) => ({ name: `c${c}`, type: c % 3 === 0 ? "BIGINT" : "STRING" })),
      stream: { table: s, mappings },
      batch: { table: b, mappings },
    });
  }
  return {
    project: "bench",
    connections: Array.from({ length: 20 }, (_, i) => ({ name: `conn_${i}`, type: "filesystem" as const, properties: { path: `/data/${i}` } })),
    physicalTables,
    metaTables,
  };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-catalog-"));
  const box = new SecretBox(crypto.randomBytes(32));
  const raw = bigProjectFile();

  // 1. `tandem apply` of the whole file on the embedded database (the CLI owns the folder directly).
  const t0 = performance.now();
  const parsed = ProjectFileSchema.parse(raw);
  const issues = validateProjectFile(parsed);
  if (issues.length) throw new Error(`bench file invalid: ${issues[0]?.message ?? ""}`);
  const tParsed = performance.now();
  const owned = await openDatabase({ kind: "pglite", dataDir: dir, command: "bench" });
  const tOpen = performance.now();
  const plan = await applyProjectFile(owned.db, parsed, { secretBox: box, readEnv: () => undefined });
  const tApply = performance.now();
  const again = await applyProjectFile(owned.db, ProjectFileSchema.parse(raw), { secretBox: box, readEnv: () => undefined });
  const tAgain = performance.now();
  await owned.close();
  console.log(`apply: ${plan.changes.length} objects; parse+validate ${(tParsed - t0).toFixed(0)} ms, open+migrate ${(tOpen - tParsed).toFixed(0)} ms, ` +
    `apply ${(tApply - tOpen).toFixed(0)} ms, total ${((tApply - t0) / 1000).toFixed(2)} s; second apply ${again.changes.length} changes in ${((tAgain - tApply) / 1000).toFixed(2)} s`);

  // 2. The paged list API over the embedded socket.
  const served = await serveEmbeddedDatabase(dir, { command: "bench" });
  const client = await openDatabase({ kind: "postgres", url: served.url }, { migrate: false });
  const api = createCallerFactory(appRouter)({ db: client.db, actor: { kind: "local" }, secretBox: box });
  const queries = [
    { sort: "name" as const }, { sort: "name" as const, direction: "desc" as const, page: 150 },
    { sort: "updatedAt" as const, page: 40 }, { search: "t_rt_0999" }, { kind: "batch" as const, page: 7 },
    { sort: "columnCount" as const, page: 3 }, { connection: "conn_7", page: 2 }, { search: "number 42" },
  ];
  for (let i = 0; i < 20; i++) await api.catalog.tables.list({ project: "bench", ...queries[i % queries.length] }); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 400; i++) {
    const q = queries[i % queries.length];
    const s = performance.now();
    const r = await api.catalog.tables.list({ project: "bench", pageSize: 50, ...q });
    times.push(performance.now() - s);
    if (i === 0 && r.total !== TABLES) throw new Error(`expected ${TABLES} tables, got ${r.total}`);
  }
  if (process.env.BENCH_DETAIL) {
    for (const q of queries) {
      const ts: number[] = [];
      for (let i = 0; i < 30; i++) { const s = performance.now(); await api.catalog.tables.list({ project: "bench", ...q }); ts.push(performance.now() - s); }
      console.log(`  ${JSON.stringify(q)}: p50 ${percentile(ts, 50).toFixed(2)} ms`);
    }
  }
  console.log(`tables.list (page 50, sort/filter/search mix, ${times.length} calls): p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
  await client.close();
  await served.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
