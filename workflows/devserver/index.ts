import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Database } from "../../db/client";
import { Engine } from "./engine";
import { workflowServiceDefinition } from "./proto";
import { Schedules } from "./schedules";
import { buildServiceImplementation } from "./service";
import { Store } from "./store";

// The embedded Temporal-compatible dev service: a gRPC WorkflowService over Tandem's database. The real
// @temporalio/client and @temporalio/worker talk to it exactly as to a Temporal cluster.

export interface EmbeddedTemporalOptions {
  /** Tandem's database (PGlite or Postgres); the service keeps its own temporal_* tables there. */
  db: Database;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback by default. */
  host?: string;
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

export interface EmbeddedTemporal {
  /** host:port to give to Connection.connect / NativeConnection.connect. */
  address: string;
  port: number;
  /** Stop serving (in-flight polls end empty) and wait for queued writes. */
  stop(): Promise<void>;
  /** For tests and tools: the engine behind the service. */
  engine: Engine;
}

export async function startEmbeddedTemporal(opts: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  const log = opts.log ?? ((level, message) => {
    if (level !== "info") process.stderr.write(`[temporal-dev] ${level}: ${message}\n`);
  });
  const store = new Store(opts.db);
  const engine = new Engine({ store, log });
  const schedules = new Schedules(engine);
  await engine.recover();
  await schedules.recover();

  const server = new Server({
    "grpc.max_receive_message_length": 128 * 1024 * 1024,
    "grpc.max_send_message_length": 128 * 1024 * 1024,
  });
  server.addService(workflowServiceDefinition(), buildServiceImplementation(engine, schedules, (m) => log("error", m)));
  const host = opts.host ?? "127.0.0.1";
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${opts.port ?? 0}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  let stopped = false;
  return {
    address: `${host}:${port}`,
    port,
    engine,
    async stop() {
      if (stopped) return;
      stopped = true;
      schedules.stop();
      engine.stop();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      await store.close();
    },
  };
}

export { Engine } from "./engine";
