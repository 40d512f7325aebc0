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
import { openLineageFromEnv } from "../../server/lineage/openlineage";
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
    const scheduler = { db: handle.db, secretBox: secretBox(), engines, dataDir: dataDir(), orchestrator, openLineage: openLineageFromEnv(env()) };
    startWorker({ target: temporal, activityDeps: { scheduler }, deliverAlerts: true })
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
  const staleness = opts.prod ? productionBuildStaleness(root) : undefined;
  if (staleness) {
    log(`${staleness}: running next build`);
    const built = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) {
      log("next build failed; see its output above");
      await shutdown(1);
      return;
    }
  }
  // The production build is served by `tandem serve` (Next.js for pages, the API answered directly, several
  // processes); development by `next dev` (hot reload).
  const webArgs = opts.prod
    ? [path.join(root, "bin", "tandem.mjs"), "serve", "--port", String(port), "--host", host]
    : [nextBin, "dev", "--port", String(port), "--hostname", host];
  child = spawn(process.execPath, webArgs, {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env, ...(opts.prod ? { NODE_ENV: "production" } : {}), DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.address, TANDEM_DATA_DIR: dataDir(), NEXT_TELEMETRY_DISABLED: "1",
      // The production build keeps the local single-user mode only while nobody else can reach it.
      ...(opts.prod && LOOPBACK.includes(host) ? { TANDEM_LOCAL_PRODUCTION: "true" } : {}),
    },
  });
  child.on("exit", (code) => void shutdown(code ?? 0));
  log(`workbench starting at http://${[...LOOPBACK, "0.0.0.0", "::"].includes(host) ? "localhost" : host}:${port} (services ready in ${Date.now() - started} ms)`);
}

// What the production build is built from: a change in any of these makes `.next` stale.
const BUILD_INPUTS = ["app", "server", "db", "workflows", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];

/** Why `.next` must be rebuilt before serving it (none yet, or a source newer than it), or undefined. */
export function productionBuildStaleness(root: string): string | undefined {
  let builtAt: number;
  try {
    builtAt = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    return "no production build yet";
  }
  const newer = (p: string): string | undefined => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return undefined; // an optional input that this checkout does not have
    }
    if (!st.isDirectory()) return st.mtimeMs > builtAt ? p : undefined;
    for (const entry of fs.readdirSync(p)) {
      if (entry === "node_modules" || entry.startsWith(".")) continue;
      const found = newer(path.join(p, entry));
      if (found) return found;
    }
    return undefined;
  };
  for (const input of BUILD_INPUTS) {
    const changed = newer(path.join(root, input));
    if (changed) return `${path.relative(root, changed)} changed since the last production build`;
  }
  return undefined;
}
