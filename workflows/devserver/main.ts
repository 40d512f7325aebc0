import { pathToFileURL } from "node:url";
import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../../db/client";
import { startEmbeddedTemporal, type EmbeddedTemporal } from "./index";
import { readTemporalDev, registerTemporalDev } from "./registry";

// The dev service as its own process (`tandem temporal-dev`, and the kill -9 tests). Database: the given
// Postgres URL, else the socket of the process that owns the data folder, else the folder itself.

export interface TemporalDevOptions {
  port: number;
  host?: string;
  dataDir: string;
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface RunningTemporalDev {
  service: EmbeddedTemporal;
  database: DatabaseHandle;
  stop(): Promise<void>;
}

export async function runTemporalDev(opts: TemporalDevOptions): Promise<RunningTemporalDev> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`[temporal-dev] ${l}\n`));
  // Two services over the same tables would both dispatch the same tasks.
  const running = readTemporalDev(opts.dataDir);
  if (running && running.pid !== process.pid)
    throw new Error(`a Temporal dev service for ${opts.dataDir} is already running at ${running.address} (pid ${running.pid}); use it, or stop it first`);
  const url = opts.databaseUrl ?? resolveSharedDatabaseUrl({ dataDir: opts.dataDir });
  const database = url
    ? await openDatabase({ kind: "postgres", url })
    : await openDatabase({ kind: "pglite", dataDir: opts.dataDir, command: "tandem temporal-dev" });
  let service: EmbeddedTemporal;
  try {
    service = await startEmbeddedTemporal({ db: database.db, port: opts.port, host: opts.host });
  } catch (e) {
    await database.close();
    throw e;
  }
  const unregister = registerTemporalDev(opts.dataDir, service.address);
  const open = [...service.engine.runs.values()].filter((r) => r.open).length;
  log(`Temporal-compatible dev service listening on ${service.address} (namespace "default", ${open} open workflows recovered, database: ${url ? "postgres" : opts.dataDir})`);
  return {
    service,
    database,
    async stop() {
      unregister();
      await service.stop();
      await database.close();
    },
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// Direct use: tsx workflows/devserver/main.ts --port 7233 --data-dir .tandem [--database-url postgres://...]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await runTemporalDev({
    port: Number(arg("port") ?? 7233),
    dataDir: arg("data-dir") ?? ".tandem",
    databaseUrl: arg("database-url"),
  });
  const shutdown = () => void running.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
