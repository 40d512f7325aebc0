import path from "node:path";
import { createPglite, openDatabase, type DatabaseHandle } from "./client";
import { embeddedDatabaseUrl, ensureEmbeddedPassword } from "./embedded-credentials";
import { startWireServer } from "./wire-server";

// The embedded owner: opens PGlite in the data folder and serves it over the Postgres wire protocol on
// loopback, so the web app, the worker and the CLI all use node-postgres exactly as in production. The
// wire server (wire-server.ts) gives each transaction and each extended-protocol exchange the one PGlite
// session to itself, and admits only clients holding the password in the 0600 file of the data folder.

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function serveEmbeddedDatabase(
  dataDir: string,
  opts: { port?: number; command: string; log?: (message: string) => void },
): Promise<EmbeddedDatabase> {
  const handle: DatabaseHandle = await openDatabase({ kind: "pglite", dataDir, command: opts.command });
  const pglite = handle.pglite;
  if (!pglite) throw new Error("embedded database did not open PGlite");
  const password = ensureEmbeddedPassword(dataDir);
  let current = pglite;
  const server = await startWireServer({
    pglite, password, port: opts.port ?? 0, log: opts.log,
    reopen: async () => (current = await createPglite(path.join(dataDir, "pglite"))),
  });
  handle.lock?.setPort(server.port);
  return {
    url: embeddedDatabaseUrl(server.port, password),
    port: server.port,
    stop: async () => {
      await server.stop();
      if (current === pglite) await handle.close();
      else {
        await current.close();
        handle.lock?.release();
      }
    },
  };
}
