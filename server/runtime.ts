import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../db/client";
import { dataDir, env } from "./env";

// The database of a long-running server process (the web app). It never opens PGlite itself: it
// connects to DATABASE_URL, or to the socket of the embedded owner started by `tandem dev`.

const KEY = Symbol.for("tandem.runtime.database");
type Holder = { [KEY]?: Promise<DatabaseHandle> };

export function runtimeDatabase(): Promise<DatabaseHandle> {
  const holder = globalThis as Holder;
  // Cached on globalThis so Next.js dev reloads reuse one pool instead of leaking connections.
  holder[KEY] ??= (async () => {
    const url = resolveSharedDatabaseUrl({ databaseUrl: env().DATABASE_URL, dataDir: dataDir() });
    if (!url) {
      throw new Error(
        `No database: the embedded database in ${dataDir()} is not running. Start Tandem with \`npm run dev\`, or set DATABASE_URL.`,
      );
    }
    return openDatabase({ kind: "postgres", url }, { migrate: false });
  })().catch((e: unknown) => {
    holder[KEY] = undefined; // let the next request retry once the database is up
    throw e;
  });
  return holder[KEY];
}
