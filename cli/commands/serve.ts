import type { Command } from "commander";

// `tandem serve`: the options here; the work in cli/actions/serve.ts, loaded only when the command runs.

export type ServeOptions = { port?: number; host?: string; processes?: number };

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("Serve the production build of the workbench (after `next build`), the API answered directly")
    .option("--port <port>", "port (default: PORT, else 3000)", (v) => Number(v))
    .option("--host <host>", "interface to listen on (default: TANDEM_HOST, else 127.0.0.1)")
    .option("--processes <n>", "web processes sharing the port (default: TANDEM_WEB_PROCESSES, else one per core but one, at most 4)", (v) => Number(v))
    .action(async (opts: ServeOptions) => {
      await (await import("../actions/serve")).serveWorkbench(opts);
    });
}
