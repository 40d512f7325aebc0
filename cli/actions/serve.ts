import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import next from "next";
import { createRequestContext } from "../../server/api/context";
import { handleTrpcRequest } from "../../server/api/http";
import { sendWebResponse, webRequestOf } from "../../server/api/node-http";
import { env } from "../../server/env";
import { configuredOrchestrator } from "../../workflows/orchestrator";
import type { ServeOptions } from "../commands/serve";

// `tandem serve`: the production web server. Pages, assets and sign-in go to Next.js (the `next build`
// output); /api/trpc, nearly every request the workbench sends, is answered here directly by the same
// handler the Next.js route uses (server/api/http.ts). Next.js's routing and response pipeline cost about
// as much CPU per API call as the call itself (bench:api profile), and several processes share the port
// (node:cluster) so the API is not bound to one core. The processes hold no state of their own: the
// database and Temporal are shared services.

const TRPC_PREFIX = "/api/trpc";
const MAX_RESTARTS_PER_MINUTE = 5;

export async function serveWorkbench(opts: ServeOptions): Promise<void> {
  // Serving the production build is production: login is required unless `tandem dev --prod` vouched for a
  // loopback-only local mode (TANDEM_LOCAL_PRODUCTION). Set before anything reads the environment.
  (process.env as Record<string, string | undefined>).NODE_ENV ??= "production";
  // Default: a core for each web process but one, left to the database and Temporal (on 2 cores, one
  // process: bench:api measured no gain from a second one there). At most 4.
  const processes = Math.max(1, opts.processes ?? Number(process.env.TANDEM_WEB_PROCESSES ?? Math.min(4, os.availableParallelism() - 1)));
  if (processes > 1 && cluster.isPrimary) {
    superviseProcesses(processes, opts);
    return;
  }
  await serveOneProcess(opts);
}

/** The primary process: forks the web processes and replaces one that dies (not in a crash loop). */
function superviseProcesses(count: number, opts: ServeOptions): void {
  const log = (msg: string) => process.stdout.write(`[tandem serve] ${msg}\n`);
  const restarts: number[] = [];
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal: string | null) => {
    if (stopping) return;
    const how = signal ?? `code ${code}`;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      log(`web processes keep exiting (last: ${how}); stopping`);
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
      process.exitCode = 1;
      return;
    }
    log(`web process ${String(worker.process.pid)} exited (${how}); starting another`);
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
    setTimeout(() => process.exit(0), 3000).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  log(`${count} web processes on ${opts.host ?? env().TANDEM_HOST}:${opts.port ?? env().PORT}`);
}

async function serveOneProcess(opts: ServeOptions): Promise<void> {
  const port = opts.port ?? env().PORT;
  const host = opts.host ?? env().TANDEM_HOST;
  const dir = fileURLToPath(new URL("../..", import.meta.url));
  const app = next({ dev: false, dir, hostname: host, port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const createContext = async (o: { req: Request }) => createRequestContext({ ...o, orchestrator: await configuredOrchestrator() });
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === TRPC_PREFIX || url.startsWith(`${TRPC_PREFIX}/`) || url.startsWith(`${TRPC_PREFIX}?`)) {
      void answerApi(req, res, createContext);
      return;
    }
    nextHandler(req, res).catch((e: unknown) => failRequest(res, e));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const stop = () => {
    server.close();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  if (cluster.isPrimary) process.stdout.write(`[tandem serve] workbench at http://${host}:${port}\n`);
}

async function answerApi(req: http.IncomingMessage, res: http.ServerResponse, createContext: (o: { req: Request }) => Promise<Awaited<ReturnType<typeof createRequestContext>>>): Promise<void> {
  const aborted = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  try {
    const origin = `http://${req.headers.host ?? "localhost"}`;
    const response = await handleTrpcRequest(webRequestOf(req, origin, aborted.signal), createContext);
    await sendWebResponse(res, response);
  } catch (e) {
    failRequest(res, e);
  }
}

/** A failure outside tRPC's own error handling (a broken connection, a bug): logged, and a bare 500. */
function failRequest(res: http.ServerResponse, e: unknown): void {
  console.error("[tandem serve] request failed:", e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message: "Internal server error" } }));
}
