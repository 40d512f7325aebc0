import { loadMasterKey, SecretBox } from "../catalog/secrets";
import { callerFromHeaders } from "../auth/request";
import { crossOriginRefusal } from "../auth/origin";
import { authSettings } from "../auth/settings";
import { dataDir, env } from "../env";
import { runtimeDatabase } from "../runtime";
import type { TrpcContext } from "./trpc";

// The context of an HTTP request to the tRPC API. In the local single-user mode (no auth secret) the caller
// is the local operator; with login on, the user of the session cookie or of the bearer API token.

let box: SecretBox | undefined;

export async function createRequestContext(opts?: { req?: Request; orchestrator?: TrpcContext["orchestrator"] }): Promise<TrpcContext> {
  const handle = await runtimeDatabase();
  box ??= new SecretBox(loadMasterKey({ configuredKey: env().TANDEM_SECRET_KEY, dataDir: dataDir() }));
  const caller = await callerFromHeaders(handle.db, authSettings(), opts?.req?.headers);
  const mutationRefusal = opts?.req ? crossOriginRefusal(opts.req.headers, opts.req.url, env().TANDEM_PUBLIC_URL) : undefined;
  return { db: handle.db, actor: caller.actor, unauthenticatedReason: caller.unauthenticatedReason, secretBox: box, mutationRefusal, orchestrator: opts?.orchestrator };
}
