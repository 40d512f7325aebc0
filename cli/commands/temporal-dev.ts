import type { Command } from "commander";

// `tandem temporal-dev`: the options here; the work in cli/actions/temporal-dev.ts, loaded only when the command runs.

export type TemporalDevOptions = { port: number; host: string };

export function registerTemporalDev(program: Command): void {
  program
    .command("temporal-dev")
    .description("Run the embedded Temporal-compatible dev service (gRPC WorkflowService) on its own")
    .option("--port <port>", "gRPC port", (v) => Number(v), 7233)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .action(async (opts: TemporalDevOptions) => {
      await (await import("../actions/temporal-dev")).runTemporalDevCommand(opts);
    });
}
