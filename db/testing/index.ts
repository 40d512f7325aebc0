import { openDatabase, type DatabaseHandle } from "../client";

/**
 * The database for a test file: the Postgres at DATABASE_URL when set (already migrated by the global
 * setup), else a fresh in-memory PGlite. Tests isolate themselves by creating their own project.
 */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL;
  if (url) return openDatabase({ kind: "postgres", url, poolSize: 4 }, { migrate: false });
  return openDatabase({ kind: "memory" });
}

let counter = 0;
/** A project name no other test or run uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${process.pid}_${counter}`;
}
