import { dataDir, env } from "../../server/env";
import { runTemporalDev } from "../../workflows/devserver/main";
import type { TemporalDevOptions } from "../commands/temporal-dev";

// `tandem temporal-dev`: the embedded Temporal-compatible service alone, so any Temporal SDK or tool
// (temporal CLI, other languages' SDKs) can use it at localhost:<port>, namespace "default".

/** `tandem temporal-dev`: the embedded Temporal-compatible service alone, until SIGINT/SIGTERM. */
export async function runTemporalDevCommand(opts: TemporalDevOptions): Promise<void> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`invalid --port ${opts.port}: expected 0..65535`);
  const running = await runTemporalDev({ port: opts.port, host: opts.host, dataDir: dataDir(), databaseUrl: env().DATABASE_URL });
  const shutdown = () => void running.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
