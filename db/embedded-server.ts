import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { openDatabase, type DatabaseHandle } from "./client";

// The embedded owner: opens PGlite in the data folder and serves it over the Postgres wire protocol on
// loopback, so the web app, the worker and the CLI all use node-postgres exactly as in production. The
// socket server queues statements and keeps a transaction's statements together, so clients may overlap.

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function serveEmbeddedDatabase(dataDir: string, opts: { port?: number; command: string }): Promise<EmbeddedDatabase> {
  const handle: DatabaseHandle = await openDatabase({ kind: "pglite", dataDir, command: opts.command });
  const pglite = handle.pglite;
  if (!pglite) throw new Error("embedded database did not open PGlite");
  const port = opts.port ?? 0;
  const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port, maxConnections: 64 });
  await server.start();
  const actualPort = Number(server.getServerConn().split(":").pop());
  handle.lock?.setPort(actualPort);
  return {
    url: `postgres://postgres@127.0.0.1:${actualPort}/postgres`,
    port: actualPort,
    stop: async () => {
      await server.stop();
      await handle.close();
    },
  };
}
