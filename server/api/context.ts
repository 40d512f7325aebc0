import { loadMasterKey, SecretBox } from "../catalog/secrets";
import { dataDir, env } from "../env";
import { runtimeDatabase } from "../runtime";
import type { TrpcContext } from "./trpc";

// The context of an HTTP request to the tRPC API. Until login is configured, the caller is the local
// operator of the embedded single-user mode.

let box: SecretBox | undefined;

export async function createRequestContext(): Promise<TrpcContext> {
  const handle = await runtimeDatabase();
  box ??= new SecretBox(loadMasterKey({ configuredKey: env().TANDEM_SECRET_KEY, dataDir: dataDir() }));
  return { db: handle.db, actor: { kind: "local" }, secretBox: box };
}
