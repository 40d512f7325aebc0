import { NextResponse, type NextRequest } from "next/server";
import { loginRequired, SESSION_COOKIE_SUFFIX } from "./server/auth/login-mode";

// With login on, pages without a session cookie go to /login. Only the cookie's presence is checked here;
// every API call checks the session itself (server/api/context.ts), so a stale cookie gets no data.

export function proxy(req: NextRequest): NextResponse {
  if (!loginRequired()) return NextResponse.next();
  if (req.cookies.getAll().some((c) => c.name.endsWith(SESSION_COOKIE_SUFFIX))) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/login";
  url.search = `?next=${encodeURIComponent(req.nextUrl.pathname + req.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/((?!api/|_next/|login|favicon.ico).*)"] };
