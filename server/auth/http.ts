import { runtimeDatabase } from "../runtime";
import { authFor } from "./auth";
import { authSettings } from "./settings";

// better-auth's HTTP routes (/api/auth/*: sign-in, sign-out, session, single sign-on callback) for the web
// process. In the local single-user mode there is nothing to sign in to.

export async function handleAuthRequest(req: Request): Promise<Response> {
  const settings = authSettings();
  if (settings.mode === "local") {
    return Response.json({ message: "Login is off: Tandem runs in local single-user mode (set TANDEM_AUTH_SECRET to turn it on)." }, { status: 404 });
  }
  const { db } = await runtimeDatabase();
  return authFor(db, settings).handler(req);
}

export { loginRequired, SESSION_COOKIE_SUFFIX } from "./login-mode";
