import type { Command } from "commander";
import { dataDir, env } from "../../server/env";
import { runTemporalDev } from "../../workflows/devserver/main";

// `tandem temporal-dev`: the embedded Temporal-compatible service alone, so any Temporal SDK or tool
// (temporal CLI, other languages' SDKs) can use it at localhost:<port>, namespace "default".

export function registerTemporalDev(program: Command): void {
  program
    .command("temporal-dev")
    .description("Run the embedded Temporal-compatible dev service (gRPC WorkflowService) on its own")
    .option("--port <port>", "gRPC port", (v) => Number(v), 7233)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .action(async (opts: { port: number; host: string }) => {
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`invalid --port ${opts.port}: expected 0..65535`);
      const running = await runTemporalDev({ port: opts.port, host: opts.host, dataDir: dataDir(), databaseUrl: env().DATABASE_URL });
      const shutdown = () => void running.stop().then(() => process.exit(0));
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
    });
}
