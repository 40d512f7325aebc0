import path from "node:path";
import { env } from "../env";
import type { Engine, EngineKind } from "./engine";
import { FlinkEngine } from "./flink/engine";
import { LocalEngine } from "./local/engine";
import type { SqlDatabase } from "./local/jdbc";
import type { BoundTable } from "./local/plan";
import { jdbcResolver } from "./local/sinks";

// The engine deployed jobs run on: Flink when both of its endpoints are configured, else the local DuckDB
// engine in this process. One registry per process (the worker's, or a CLI command's), closed with it.

export interface EngineSettings {
  /** Tandem's data folder: the local engine's state and relative paths. */
  dataDir: string;
  /** Tandem's own database, for jdbc sinks on the host `tandem-embedded`. */
  embedded?: () => SqlDatabase;
  flink?: { gatewayUrl: string; restUrl: string };
  /** Local stream jobs stop once their input is drained (tests, `tandem run --until-idle`). */
  stopWhenIdle?: boolean;
}

export interface EngineRegistry {
  /** The engine for new runs. */
  readonly kind: EngineKind;
  engine(): Engine;
  /** The local engine's jdbc databases (the query service reads jdbc sinks through them); absent on Flink. */
  jdbc?(t: BoundTable): SqlDatabase;
  close(): Promise<void>;
}

/** The local DuckDB engine with its jdbc connections; `tandem run` uses it directly. */
export function createLocalEngine(settings: Omit<EngineSettings, "flink">): { engine: LocalEngine; jdbc(t: BoundTable): SqlDatabase; close(): Promise<void> } {
  const resolver = jdbcResolver(settings.embedded);
  const engine = new LocalEngine({
    dataDir: settings.dataDir,
    env: { baseDir: path.dirname(settings.dataDir), dataDir: settings.dataDir, jdbc: (t) => resolver.jdbc(t) },
    stopWhenIdle: settings.stopWhenIdle,
  });
  return {
    engine,
    jdbc: (t) => resolver.jdbc(t),
    close: async () => {
      await engine.close();
      await resolver.closeAll();
    },
  };
}

export function createEngineRegistry(settings: EngineSettings): EngineRegistry {
  if (settings.flink) {
    const flink = new FlinkEngine({ gatewayUrl: settings.flink.gatewayUrl, restUrl: settings.flink.restUrl });
    return { kind: "flink", engine: () => flink, close: () => flink.close() };
  }
  const local = createLocalEngine(settings);
  return { kind: "local", engine: () => local.engine, jdbc: (t) => local.jdbc(t), close: () => local.close() };
}

/** Flink's endpoints from the environment (both set), else undefined: the local engine. */
export function flinkSettings(): EngineSettings["flink"] {
  const { FLINK_SQL_GATEWAY_URL: gatewayUrl, FLINK_REST_URL: restUrl } = env();
  return gatewayUrl && restUrl ? { gatewayUrl, restUrl } : undefined;
}
