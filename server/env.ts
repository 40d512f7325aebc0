import path from "node:path";
import { z } from "zod";

// The only place that reads process.env. Everything else receives configuration as values.

const Env = z.object({
  /** Postgres URL; unset means the embedded PGlite database in TANDEM_DATA_DIR. */
  DATABASE_URL: z.url().optional(),
  /** Folder of the embedded runtime: PGlite data, secret key, demo files. */
  TANDEM_DATA_DIR: z.string().default(".tandem"),
  /** Base64 of 32 bytes. Unset: a key is generated once into <data dir>/secret.key. */
  TANDEM_SECRET_KEY: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface the workbench listens on. Loopback by default: local mode has no login. */
  TANDEM_HOST: z.string().min(1).default("127.0.0.1"),
  TEMPORAL_ADDRESS: z.string().optional(),
  /** Run deployed jobs on Flink: the SQL Gateway and the JobManager REST endpoints (both), else the local engine. */
  FLINK_SQL_GATEWAY_URL: z.url().optional(),
  FLINK_REST_URL: z.url().optional(),
  TEMPORAL_NAMESPACE: z.string().default("default"),
  /** Task queue of Tandem's own workflows and activities. */
  TEMPORAL_TASK_QUEUE: z.string().default("tandem"),
  /** Engine runs of backfill days one worker process takes at once (their own slots: docs/scheduler.md). */
  TANDEM_BACKFILL_SLOTS: z.coerce.number().int().min(1).max(64).default(2),
  /** Days of quality results and alert history the worker keeps (server/retention); 0 keeps everything. */
  TANDEM_RETAIN_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  /** TLS to the Temporal cluster: "true" for server-verified TLS; the paths below add mTLS / a private CA. */
  TEMPORAL_TLS: z.enum(["true", "false"]).default("false"),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CA_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** API key (Temporal Cloud); implies TLS. */
  TEMPORAL_API_KEY: z.string().optional(),
  /**
   * Login. Unset (and not production): the embedded local single-user mode, no login. Set (>= 32 chars),
   * or NODE_ENV=production: login is on, sessions are signed with it. BETTER_AUTH_SECRET is an alias.
   */
  TANDEM_AUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  /** The URL users open (sign-in callbacks, cookie origin). Default http://localhost:<PORT>. */
  TANDEM_PUBLIC_URL: z.url().optional(),
  BETTER_AUTH_URL: z.url().optional(),
  /** OpenID Connect single sign-on: all three set turns on the "Sign in with <OIDC_NAME>" button. */
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("single sign-on"),
  OIDC_SCOPES: z.string().default("openid email profile"),
  /** The CLI acts as this API token (its user, project and role) instead of the local operator. */
  TANDEM_TOKEN: z.string().optional(),
  /** Set by `tandem dev --prod` for its loopback web app: the production build in the local single-user mode. */
  TANDEM_LOCAL_PRODUCTION: z.enum(["true", "false"]).default("false"),
  /** OpenLineage run events: POSTed to this endpoint (e.g. Marquez's http://host:5000/api/v1/lineage)... */
  TANDEM_OPENLINEAGE_URL: z.url().optional(),
  /** ...and/or appended as JSON lines to this file. Neither set: no events. */
  TANDEM_OPENLINEAGE_FILE: z.string().min(1).optional(),
  /** Bearer token sent with the HTTP events. */
  TANDEM_OPENLINEAGE_API_KEY: z.string().optional(),
  /** Per-attempt timeout of an HTTP event, and attempts before it is dropped (a run never waits longer). */
  TANDEM_OPENLINEAGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  TANDEM_OPENLINEAGE_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  TANDEM_LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});
export type Env = z.infer<typeof Env>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = Env.safeParse(process.env);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
      throw new Error(`Invalid configuration in the environment:\n${lines.join("\n")}`);
    }
    cached = parsed.data;
  }
  return cached;
}

export function dataDir(): string {
  return path.resolve(env().TANDEM_DATA_DIR);
}

/** Values of `{ env: NAME }` secret references in project files, read at apply time. */
export function environmentVariable(name: string): string | undefined {
  return process.env[name];
}
