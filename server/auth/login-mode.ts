import { authSettings } from "./settings";

// What the web proxy needs, and nothing more: the proxy runs on every page request, so it must not
// import the database, better-auth or the SQL parser (in `next dev` that recompiled the server graph
// on every request and made pages reload endlessly).

/** Cookie names of a session (plain and `__Secure-` over HTTPS); the web proxy only checks presence. */
export const SESSION_COOKIE_SUFFIX = "tandem.session_token";

/** Whether pages need a signed-in user (the proxy redirects to /login without a session cookie). */
export function loginRequired(): boolean {
  return authSettings().mode === "login";
}
