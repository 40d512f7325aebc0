import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../db/client";
import type { Database } from "../db/client";
import { loadMasterKey, SecretBox } from "../server/catalog/secrets";
import type { Actor, ServiceContext } from "../server/context";
import { authSettings } from "../server/auth/settings";
import { verifyToken } from "../server/auth/tokens";
import { dataDir, env } from "../server/env";
import { ValidationError } from "../server/errors";
import { getProject, listProjects } from "../server/projects/projects";
import type { ProjectRef } from "../server/context";

// How a CLI command reaches the catalog: DATABASE_URL, else the socket of a running `tandem dev`, else
// it opens the embedded folder itself for the length of the command (and a concurrent owner fails
// with a message naming it).

export async function openCliDatabase(command: string): Promise<DatabaseHandle> {
  const url = resolveSharedDatabaseUrl({ databaseUrl: env().DATABASE_URL, dataDir: dataDir() });
  if (url) return openDatabase({ kind: "postgres", url });
  return openDatabase({ kind: "pglite", dataDir: dataDir(), command: `tandem ${command}` });
}

export function secretBox(): SecretBox {
  return new SecretBox(loadMasterKey({ configuredKey: env().TANDEM_SECRET_KEY, dataDir: dataDir() }));
}

/**
 * Who a CLI command acts as: the API token in TANDEM_TOKEN (its user, capped at its role, in its project);
 * else the operator, who holds the database credentials and so every permission — `local` in the local
 * single-user mode, `system:cli` (so the audit trail tells them apart) when login is on.
 */
export async function cliActor(db: Database): Promise<Actor> {
  const token = env().TANDEM_TOKEN;
  if (token) return verifyToken({ db }, token);
  return authSettings().mode === "local" ? { kind: "local" } : { kind: "system", reason: "cli" };
}

/** Runs `fn` with the catalog open; `opening` is a connection the command started earlier (see apply). */
export async function withCliContext<T>(command: string, fn: (ctx: ServiceContext & { secretBox: SecretBox }) => Promise<T>, opening?: Promise<DatabaseHandle>): Promise<T> {
  const handle = await (opening ?? openCliDatabase(command));
  try {
    return await fn({ db: handle.db, actor: await cliActor(handle.db), secretBox: secretBox() });
  } finally {
    await handle.close();
  }
}

/** The project a command names, else the only one, else `double11` (the demo). */
export async function cliProject(db: Database, name: string | undefined): Promise<ProjectRef> {
  if (name) return getProject(db, name);
  const projects = await listProjects(db);
  const chosen = projects.length === 1 ? projects[0]?.name : projects.find((p) => p.name === "double11")?.name;
  if (!chosen) throw new ValidationError([{ path: "project", message: `choose a project with --project: ${projects.map((p) => p.name).join(", ") || "the catalog is empty (tandem apply -f ...)"}` }]);
  return getProject(db, chosen);
}
