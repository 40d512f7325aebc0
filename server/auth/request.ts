import type { Database } from "../../db/client";
import type { Actor } from "../context";
import { UnauthenticatedError } from "../errors";
import { authFor } from "./auth";
import type { AuthSettings } from "./settings";
import { verifyToken } from "./tokens";

// Who is calling, from an HTTP request: in local mode the local operator; with login on, an API token
// (`Authorization: Bearer tdm_...`) or the session cookie. No caller is not an error here: the procedure's
// policy decides (public procedures answer anyone). A presented but bad token is remembered as the reason.

export interface RequestCaller {
  actor: Actor | undefined;
  /** Why there is no actor although credentials were presented (expired token, ...). */
  unauthenticatedReason?: string;
}

export async function callerFromHeaders(db: Database, settings: AuthSettings, headers: Headers | undefined, now = new Date()): Promise<RequestCaller> {
  if (settings.mode === "local") return { actor: { kind: "local" } };
  if (!headers) return { actor: undefined };
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return { actor: undefined, unauthenticatedReason: "the Authorization header must be `Bearer <token>`" };
    try {
      return { actor: await verifyToken({ db }, match[1], now) };
    } catch (e) {
      if (e instanceof UnauthenticatedError) return { actor: undefined, unauthenticatedReason: e.message };
      throw e;
    }
  }
  const session = await authFor(db, settings).api.getSession({ headers });
  if (!session) return { actor: undefined };
  return { actor: { kind: "user", userId: session.user.id, email: session.user.email } };
}
