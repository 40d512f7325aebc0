import { createRequire } from "node:module";
import pg from "pg";
import { Client, Connection } from "@temporalio/client";
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from "@temporalio/worker";
import { openDatabase, type DatabaseHandle } from "../../db/client";
import { startEmbeddedTemporal, type EmbeddedTemporal } from "../devserver/index";
import * as activities from "./fixtures/activities";

const require = createRequire(import.meta.url);

// Shared plumbing of the Temporal test files: a database of their own, the embedded service (or the
// cluster at TEMPORAL_ADDRESS), one workflow bundle per file, workers, and the replay guard.

/** Postgres when DATABASE_URL is set (a fresh database per call, dropped on close), else in-memory PGlite. */
export async function openIsolatedDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const base = process.env.DATABASE_URL;
  if (!base) return openDatabase({ kind: "memory" });
  const name = `tandem_temporal_${Date.now().toString(36)}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString(), poolSize: 8 });
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface TestEnv {
  address: string;
  namespace: string;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  service?: EmbeddedTemporal;
  db?: DatabaseHandle;
  close(): Promise<void>;
}

/** The embedded service over an isolated database, or the real cluster when TEMPORAL_ADDRESS is set. */
export async function startTestEnv(): Promise<TestEnv> {
  installQuietRuntime();
  const external = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? "default";
  let service: EmbeddedTemporal | undefined;
  let db: DatabaseHandle | undefined;
  let address: string;
  if (external) address = external;
  else {
    db = await openIsolatedDatabase();
    service = await startEmbeddedTemporal({ db: db.db });
    address = service.address;
  }
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection, namespace });
  return {
    address,
    namespace,
    client,
    connection,
    nativeConnection,
    service,
    db,
    async close() {
      await connection.close();
      await nativeConnection.close();
      await service?.stop();
      await db?.close();
    },
  };
}

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: string) => process.stderr.write(`[worker] ${m}\n`) } });
  } catch {
    // already installed by an earlier file in the same process
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The fixtures' workflow bundle, built once per test file (webpack takes seconds). */
export function fixturesBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve("./fixtures/workflows.ts"), logger: quietLogger });
  return bundle;
}

const quietLogger = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function createTestWorker(env: TestEnv, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowBundle: await fixturesBundle(),
    activities,
    shutdownGraceTime: "1s",
  });
}

/** Run `fn` while a worker polls `taskQueue`. */
export async function withWorker<T>(env: TestEnv, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await createTestWorker(env, taskQueue);
  return worker.runUntil(fn);
}

let seq = 0;
export function uniqueId(prefix: string): string {
  seq += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${seq}`;
}

/** Replay guard: every listed execution's history must replay without nondeterminism or "invalid history". */
export async function assertReplayable(env: TestEnv, executions: { workflowId: string; runId?: string }[]): Promise<void> {
  const b = await fixturesBundle();
  const histories = [];
  for (const e of executions) {
    const history = await env.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
    histories.push({ workflowId: e.workflowId, history });
  }
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: b }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  if (failures.length > 0) throw new Error(`replay failed for ${failures.length} histories:\n${failures.join("\n")}`);
}

export { activities };
