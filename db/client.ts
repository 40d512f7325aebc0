import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema/index";
import { acquireOwnerLock, readOwner, type OwnerLock } from "./owner-lock";
import { embeddedDatabaseUrl, readEmbeddedPassword } from "./embedded-credentials";

export { schema };
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle a transaction callback receives; operations accept either. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

// Built with path.join (not `new URL(..., import.meta.url)`) so bundlers do not treat it as an asset.
export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export type DatabaseTarget =
  /** A real Postgres server (or the embedded owner's socket). */
  | { kind: "postgres"; url: string; poolSize?: number }
  /** PGlite in a data folder, owned by this process for as long as the handle is open. */
  | { kind: "pglite"; dataDir: string; command: string }
  /** In-memory PGlite: tests and throwaway runs. */
  | { kind: "memory" };

export interface DatabaseHandle {
  db: Database;
  target: DatabaseTarget["kind"];
  /** The PGlite instance when this process owns one (to serve it over a socket). */
  pglite?: PGlite;
  lock?: OwnerLock;
  close(): Promise<void>;
}

/** A PGlite on a data folder (or in memory) with the extensions the migrations need; no lock, no migrations. */
export function createPglite(dataDir?: string): Promise<PGlite> {
  // Extensions the migrations create must be loaded into PGlite first (Postgres ships them in contrib).
  return PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { pg_trgm } });
}

export async function openDatabase(target: DatabaseTarget, opts: { migrate?: boolean } = {}): Promise<DatabaseHandle> {
  const migrate = opts.migrate ?? true;
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10 });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on("error", () => undefined);
    const db = drizzlePg(pool, { schema });
    if (migrate) await migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db: db as unknown as Database, target: "postgres", close: () => pool.end() };
  }
  let lock: OwnerLock | undefined;
  let dataDir: string | undefined;
  if (target.kind === "pglite") {
    lock = acquireOwnerLock(target.dataDir, target.command);
    dataDir = path.join(target.dataDir, "pglite");
    fs.mkdirSync(dataDir, { recursive: true });
  }
  try {
    const pglite = await createPglite(dataDir);
    const db = drizzlePglite(pglite, { schema });
    if (migrate) await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      db: db as unknown as Database,
      target: target.kind,
      pglite,
      lock,
      close: async () => {
        await pglite.close();
        lock?.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

/**
 * Where a process that does not own the embedded database should connect: the configured URL, else
 * the socket of the running embedded owner, else undefined (the caller may then become the owner).
 */
export function resolveSharedDatabaseUrl(config: { databaseUrl?: string; dataDir: string }): string | undefined {
  if (config.databaseUrl) return config.databaseUrl;
  const owner = readOwner(config.dataDir);
  if (!owner?.port) return undefined;
  // Without the password file (another user's folder) the owner refuses the connection with a clear error.
  return embeddedDatabaseUrl(owner.port, readEmbeddedPassword(config.dataDir) ?? "");
}
