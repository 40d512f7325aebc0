import fs from "node:fs";
import { Client, Connection, type TLSConfig } from "@temporalio/client";
import type { Database } from "../db/client";
import { dataDir, env, type Env } from "../server/env";
import { startEmbeddedTemporal, type EmbeddedTemporal } from "./devserver/index";
import { readTemporalDev } from "./devserver/registry";

// The one way Tandem reaches Temporal. TEMPORAL_ADDRESS set: that cluster (namespace, TLS, API key from
// the environment). Unset: the embedded dev service, found through the data folder's registration, or
// started in this process when the caller hands over the database. One connection and client per process.

export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** True when the target is the embedded dev service. */
  embedded: boolean;
}

export class TemporalNotConfiguredError extends Error {
  constructor(dir: string) {
    super(
      `No Temporal service: TEMPORAL_ADDRESS is unset and no embedded dev service is running for ${dir}. ` +
        `Start one with \`tandem dev\` or \`tandem temporal-dev\`, or set TEMPORAL_ADDRESS to a Temporal cluster.`,
    );
    this.name = "TemporalNotConfiguredError";
  }
}

function tlsFromEnv(config: Env): TLSConfig | boolean | undefined {
  const hasFiles = config.TEMPORAL_TLS_CERT_PATH || config.TEMPORAL_TLS_CA_PATH || config.TEMPORAL_TLS_SERVER_NAME;
  if (!hasFiles) return config.TEMPORAL_TLS === "true" || config.TEMPORAL_API_KEY ? true : undefined;
  const read = (p: string | undefined) => (p ? fs.readFileSync(p) : undefined);
  const cert = read(config.TEMPORAL_TLS_CERT_PATH);
  const key = read(config.TEMPORAL_TLS_KEY_PATH);
  if ((cert && !key) || (key && !cert)) throw new Error("TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together");
  return {
    serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate: read(config.TEMPORAL_TLS_CA_PATH),
    clientCertPair: cert && key ? { crt: cert, key } : undefined,
  };
}

/** The configured Temporal, or undefined when only an embedded service could serve (none is running). */
export function resolveTemporalTarget(config: Env = env(), dir: string = dataDir()): TemporalTarget | undefined {
  if (config.TEMPORAL_ADDRESS) {
    return { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, tls: tlsFromEnv(config), apiKey: config.TEMPORAL_API_KEY, embedded: false };
  }
  const reg = readTemporalDev(dir);
  return reg ? { address: reg.address, namespace: config.TEMPORAL_NAMESPACE, embedded: true } : undefined;
}

let inProcess: Promise<EmbeddedTemporal> | undefined;

/**
 * The target to use, starting the embedded service in this process when TEMPORAL_ADDRESS is unset, none
 * is running, and `embedded.db` is given (the process that owns the database).
 */
export async function ensureTemporalTarget(opts: { embedded?: { db: Database } } = {}): Promise<TemporalTarget> {
  const found = resolveTemporalTarget();
  if (found) return found;
  if (!opts.embedded) throw new TemporalNotConfiguredError(dataDir());
  const db = opts.embedded.db;
  inProcess ??= startEmbeddedTemporal({ db });
  const svc = await inProcess;
  return { address: svc.address, namespace: env().TEMPORAL_NAMESPACE, embedded: true };
}

let connection: Promise<Connection> | undefined;
let client: Promise<Client> | undefined;

/** The process's client connection to Temporal (created once). */
export function temporalConnection(opts: { target?: TemporalTarget; embedded?: { db: Database } } = {}): Promise<Connection> {
  connection ??= (async () => {
    const target = opts.target ?? (await ensureTemporalTarget(opts));
    return Connection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
  })();
  // A failed connect is not cached: the next call retries instead of returning the same error forever.
  connection.catch(() => (connection = undefined));
  return connection;
}

/** The process's Temporal client (created once), on the configured namespace. */
export function temporalClient(opts: { target?: TemporalTarget; embedded?: { db: Database } } = {}): Promise<Client> {
  client ??= (async () => {
    const target = opts.target ?? (await ensureTemporalTarget(opts));
    const conn = await temporalConnection({ target });
    return new Client({ connection: conn, namespace: target.namespace });
  })();
  client.catch(() => (client = undefined));
  return client;
}

/** Close the process's connection (and an in-process embedded service), e.g. on shutdown. */
export async function closeTemporal(): Promise<void> {
  const c = connection;
  connection = undefined;
  client = undefined;
  if (c) await (await c).close();
  const svc = inProcess;
  inProcess = undefined;
  if (svc) await (await svc).stop();
}
