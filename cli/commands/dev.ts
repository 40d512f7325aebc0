import type { Command } from "commander";

// `tandem dev`: the options here; the work in cli/actions/dev.ts, loaded only when the command runs.

export type DevOptions = { port?: number; seed: boolean; web: boolean; worker: boolean; temporalPort?: number; host?: string; prod?: boolean };

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description("Start the workbench on the embedded defaults (database, demo workspace, web app)")
    .option("--port <port>", "web port", (v) => Number(v))
    .option("--no-seed", "do not seed the demo workspace on a fresh data folder")
    .option("--no-web", "start the services without the web app")
    .option("--no-worker", "do not start a Temporal worker in this process")
    .option("--temporal-port <port>", "port of the embedded Temporal service (default: any free port)", (v) => Number(v))
    .option("--host <host>", "interface the workbench listens on (default: TANDEM_HOST, else 127.0.0.1)")
    .option("--prod", "serve the production build (`next build` output; built first when missing) instead of next dev")
    .action(async (opts: DevOptions) => {
      await (await import("../actions/dev")).startDev(opts);
    });
}
