import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { readProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import type { CatalogSnapshot } from "../../catalog/schemas";
import { pgDatabase, pgliteDatabase, type SqlDatabase } from "../local/jdbc";
import type { BoundTable } from "../local/plan";
import type { SinkEnv } from "../local/sinks";

export const DEMO_FILE = fileURLToPath(new URL("../../../examples/double11.yaml", import.meta.url));

export function demoCatalog(): CatalogSnapshot {
  return snapshotFromProjectFile(readProjectFile(DEMO_FILE).file);
}

export function tempDir(prefix = "tandem-engine-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * The Postgres a jdbc sink writes to in tests: DATABASE_URL when set (each test in its own schema),
 * else an in-memory PGlite. `table(t)` is where a sink table lands.
 */
export async function testPostgres(): Promise<{ db: SqlDatabase; schema: string; url?: string; close(): Promise<void> }> {
  const schema = `eng_${Date.now().toString(36)}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const url = process.env.DATABASE_URL;
  if (url) {
    const db = pgDatabase(url);
    await db.query(`CREATE SCHEMA ${schema}`);
    return { db, schema, url, close: async () => { await db.query(`DROP SCHEMA ${schema} CASCADE`); await db.close(); } };
  }
  const pglite = await PGlite.create();
  const db = pgliteDatabase(pglite);
  await db.query(`CREATE SCHEMA ${schema}`);
  return { db, schema, close: () => pglite.close() };
}

/** Points a jdbc sink table at a test schema. */
export function inSchema(t: BoundTable, schema: string): BoundTable {
  return { ...t, options: { ...t.options, "table-name": `${schema}.${t.options["table-name"] ?? t.table.name}` } };
}

export function sinkEnv(baseDir: string, db?: SqlDatabase, extra: Partial<SinkEnv> = {}): SinkEnv {
  return {
    baseDir,
    jdbc: () => {
      if (!db) throw new Error("this test has no jdbc database");
      return db;
    },
    ...extra,
  };
}

/** Rows as comparable strings (bigints and Dates normalized), sorted. */
export function canon(rows: Record<string, unknown>[], cols: string[]): string[] {
  return rows.map((r) => cols.map((c) => {
    const v = r[c];
    if (v instanceof Date) return v.toISOString();
    if (v === null || v === undefined) return "null";
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
    return JSON.stringify(v);
  }).join("|")).sort();
}
