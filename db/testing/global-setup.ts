import { openDatabase } from "../client";

// Against a real Postgres (DATABASE_URL set), migrate once before the workers start so they never race
// on the migrations table. In-memory PGlite databases migrate themselves per test file.
export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const handle = await openDatabase({ kind: "postgres", url, poolSize: 1 });
  await handle.close();
}
