import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../db/client";
import { serveEmbeddedDatabase } from "../../db/embedded-server";
import { deployDemo, seedDemoIfEmpty } from "../../server/demo/seed";
import { getProject } from "../../server/projects/projects";
import { dataDir, env } from "../../server/env";
import { startEmbeddedTemporal } from "../../workflows/devserver/index";
import { registerTemporalDev } from "../../workflows/devserver/registry";
import { resolveTemporalTarget, temporalClient, type TemporalTarget } from "../../workflows/client";
import { startWorker } from "../../workflows/worker";
import { TemporalOrchestrator } from "../../workflows/orchestrator";
import { createEngineRegistry, flinkSettings } from "../../server/engines/registry";
import { pgDatabase } from "../../server/engines/local/jdbc";
import { secretBox } from "../database";
import type { DevOptions } from "../commands/dev";

// `tandem dev` (and `npm run dev`): the whole workbench on one machine. This process owns the embedded
// database and serves it on loopback, runs the embedded Temporal service (unless TEMPORAL_ADDRESS names a
// cluster) and a worker; the Next.js web app runs as a child and connects to both exactly as it would to
// a real Postgres and a real Temporal cluster in production.

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];

/** `tandem dev`: database, Temporal service, worker and the web app, until the web app exits. */
export async function startDev(opts: DevOptions): Promise<void> {
  const port = opts.port ?? env().PORT;
  const log = (msg: string) => process.stdout.write(`[tandem] ${msg}\n`);
  const started = Date.now();
  let databaseUrl = env().DATABASE_URL;
  let stopDatabase: () => Promise<void> = () => Promise.resolve();
  if (!databaseUrl) {
    const embedded = await serveEmbeddedDatabase(dataDir(), { command: "tandem dev", log: (m) => log(`database: ${m}`) });
    databaseUrl = embedded.url;
    stopDatabase = () => embedded.stop();
    log(`embedded database ${dataDir()} served at 127.0.0.1:${embedded.port}`);
  }
  // Migrations and the demo seed run here, before anything else connects.
  const handle = await openDatabase({ kind: "postgres", url: databaseUrl });
  let seededProject: string | undefined;
  if (opts.seed) {
    const plan = await seedDemoIfEmpty(handle.db, secretBox());
    if (plan) log(`seeded the demo workspace '${plan.project}' (${plan.changes.length} objects)`);
    seededProject = plan?.project;
  }
  let target: TemporalTarget | undefined = resolveTemporalTarget();
  let stopTemporal: () => Promise<void> = () => Promise.resolve();
  if (!target) {
    const svc = await startEmbeddedTemporal({ db: handle.db, port: opts.temporalPort ?? 0, log: (level, msg) => level !== "info" && log(`temporal ${level}: ${msg}`) });
    const unregister = registerTemporalDev(dataDir(), svc.address);
    target = { address: svc.address, namespace: env().TEMPORAL_NAMESPACE, embedded: true };
    stopTemporal = async () => { unregister(); await svc.stop(); };
    log(`embedded Temporal service at ${svc.address}`);
  }
  const temporal = target;
  let stopWorker: () => Promise<void> = () => Promise.resolve();
  // Assigned once the web app starts, after shutdown() below (which must see it) is defined.
  // eslint-disable-next-line prefer-const
  let child: ReturnType<typeof spawn> | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    child?.kill("SIGTERM");
    await stopWorker().catch(() => undefined); // shutting down anyway; the worker may already be gone
    await stopTemporal();
    await handle.close();
    await stopDatabase();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  if (opts.worker) {
    // The worker bundles the workflow code first (seconds); the web app does not wait for it.
    // Its activities run the scheduler: instances of deployed jobs on this data folder's engines.
    const embeddedUrl = databaseUrl;
    const engines = createEngineRegistry({ dataDir: dataDir(), embedded: () => pgDatabase(embeddedUrl), flink: flinkSettings() });
    const orchestrator = new TemporalOrchestrator(await temporalClient({ target: temporal }), { taskQueue: env().TEMPORAL_TASK_QUEUE });
    const scheduler = { db: handle.db, secretBox: secretBox(), engines, dataDir: dataDir(), orchestrator };
    startWorker({ target: temporal, activityDeps: { scheduler } })
      .then(async (w) => {
        stopWorker = async () => { await w.stop(); await engines.close(); };
        log(`worker polling task queue '${w.taskQueue}'`);
        // A fresh workspace's demo goes into production: its stream runs (supervised), its batch is scheduled.
        // Later starts find both in Temporal, which keeps them (the embedded service in the database).
        if (seededProject) {
          try {
            const ctx = { db: handle.db, actor: { kind: "local" } as const, project: await getProject(handle.db, seededProject) };
            const deployed = await deployDemo(ctx, orchestrator);
            log(`deployed the demo job v${deployed.version}: stream side running under its supervisor, batch side scheduled`);
          } catch (e) {
            log(`could not deploy the demo job: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      })
      .catch((e: unknown) => log(`worker failed to start: ${e instanceof Error ? e.message : String(e)}`));
  }
  if (!opts.web) {
    log(`ready in ${Date.now() - started} ms (no web app)`);
    return;
  }
  const require = createRequire(import.meta.url);
  const nextBin = require.resolve("next/dist/bin/next");
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const host = opts.host ?? env().TANDEM_HOST;
  if (opts.prod && !fs.existsSync(path.join(root, ".next", "BUILD_ID"))) {
    log("no production build yet: running next build (a minute or two)");
    const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) {
      log("next build failed; see its output above");
      await shutdown(1);
      return;
    }
  }
  child = spawn(process.execPath, [nextBin, opts.prod ? "start" : "dev", "--port", String(port), "--hostname", host], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.address, TANDEM_DATA_DIR: dataDir(), NEXT_TELEMETRY_DISABLED: "1",
      // The production build keeps the local single-user mode only while nobody else can reach it.
      ...(opts.prod && LOOPBACK.includes(host) ? { TANDEM_LOCAL_PRODUCTION: "true" } : {}),
    },
  });
  child.on("exit", (code) => void shutdown(code ?? 0));
  log(`workbench starting at http://${[...LOOPBACK, "0.0.0.0", "::"].includes(host) ? "localhost" : host}:${port} (services ready in ${Date.now() - started} ms)`);
}
