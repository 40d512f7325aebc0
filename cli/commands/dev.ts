import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import { serveEmbeddedDatabase } from "../../db/embedded-server";
import { seedDemoIfEmpty } from "../../server/demo/seed";
import { dataDir, env } from "../../server/env";
import { secretBox } from "../database";

// `tandem dev` (and `npm run dev`): the whole workbench on one machine. This process owns the embedded
// database and serves it on loopback; the Next.js web app runs as a child and connects to it with
// node-postgres, exactly as it connects to a real Postgres in production.

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description("Start the workbench on the embedded defaults (database, demo workspace, web app)")
    .option("--port <port>", "web port", (v) => Number(v))
    .option("--no-seed", "do not seed the demo workspace on a fresh data folder")
    .option("--no-web", "start the services without the web app")
    .action(async (opts: { port?: number; seed: boolean; web: boolean }) => {
      const port = opts.port ?? env().PORT;
      const log = (msg: string) => process.stdout.write(`[tandem] ${msg}\n`);
      const started = Date.now();
      let databaseUrl = env().DATABASE_URL;
      let stopDatabase = async () => undefined as void;
      if (!databaseUrl) {
        const embedded = await serveEmbeddedDatabase(dataDir(), { command: "tandem dev" });
        databaseUrl = embedded.url;
        stopDatabase = embedded.stop;
        log(`embedded database ${dataDir()} served at 127.0.0.1:${embedded.port}`);
      }
      // Migrations and the demo seed run here, before anything else connects.
      const handle = await openDatabase({ kind: "postgres", url: databaseUrl });
      if (opts.seed) {
        const plan = await seedDemoIfEmpty(handle.db, secretBox());
        if (plan) log(`seeded the demo workspace '${plan.project}' (${plan.changes.length} objects)`);
      }
      let child: ReturnType<typeof spawn> | undefined;
      const shutdown = async (code: number) => {
        child?.kill("SIGTERM");
        await handle.close();
        await stopDatabase();
        process.exit(code);
      };
      process.on("SIGINT", () => void shutdown(0));
      process.on("SIGTERM", () => void shutdown(0));
      if (!opts.web) {
        log(`ready in ${Date.now() - started} ms (no web app)`);
        return;
      }
      const require = createRequire(import.meta.url);
      const nextBin = require.resolve("next/dist/bin/next");
      const root = fileURLToPath(new URL("../..", import.meta.url));
      child = spawn(process.execPath, [nextBin, "dev", "--port", String(port)], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, DATABASE_URL: databaseUrl, TANDEM_DATA_DIR: dataDir(), NEXT_TELEMETRY_DISABLED: "1" },
      });
      child.on("exit", (code) => void shutdown(code ?? 0));
      log(`workbench starting at http://localhost:${port} (services ready in ${Date.now() - started} ms)`);
    });
}
