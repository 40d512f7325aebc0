// Browser calls to better-auth's routes (/api/auth/*). Plain fetch: the session is an HttpOnly cookie.

export type SignInResult = { ok: true } | { ok: false; message: string };

export async function signInWithPassword(email: string, password: string): Promise<SignInResult> {
  const res = await fetch("/api/auth/sign-in/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (res.ok) return { ok: true };
  if (res.status === 429) {
    const retry = Number(res.headers.get("x-retry-after") ?? "60");
    return { ok: false, message: `Too many sign-in attempts. Try again in ${Number.isFinite(retry) ? retry : 60} seconds.` };
  }
  if (res.status === 401) return { ok: false, message: "Wrong email or password." };
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  return { ok: false, message: body.message ?? `Sign-in failed (HTTP ${res.status}).` };
}

/** Starts single sign-on: the server answers with the identity provider's URL. */
export async function signInWithSso(providerId: string, callbackURL: string): Promise<SignInResult> {
  const res = await fetch("/api/auth/sign-in/social", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: providerId, callbackURL, errorCallbackURL: "/login?error=sso" }),
  });
  const body = (await res.json().catch(() => ({}))) as { url?: string; message?: string };
  if (res.ok && body.url) {
    window.location.assign(body.url);
    return { ok: true };
  }
  return { ok: false, message: body.message ?? "Single sign-on is not available right now." };
}

export async function signOut(): Promise<void> {
  await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  window.location.assign("/login");
}

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}
