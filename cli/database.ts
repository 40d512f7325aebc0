import { openDatabase, resolveSharedDatabaseUrl, type DatabaseHandle } from "../db/client";
import { loadMasterKey, SecretBox } from "../server/catalog/secrets";
import type { ServiceContext } from "../server/context";
import { dataDir, env } from "../server/env";

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

export async function withCliContext<T>(command: string, fn: (ctx: ServiceContext & { secretBox: SecretBox }) => Promise<T>): Promise<T> {
  const handle = await openCliDatabase(command);
  try {
    return await fn({ db: handle.db, actor: { kind: "local" }, secretBox: secretBox() });
  } finally {
    await handle.close();
  }
}
