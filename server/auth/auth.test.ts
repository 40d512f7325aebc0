import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authRateLimits, authSessions, authUsers } from "../../db/schema/index";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { ACCOUNT_LOCKOUT } from "./account-lockout";
import { authFor, SIGN_IN_RATE_LIMIT } from "./auth";
import { callerFromHeaders } from "./request";
import { authSettingsFrom, type AuthSettings } from "./settings";
import { testProject } from "./testing";
import { createUser } from "./users";
import { setMember } from "./members";
import type { Env } from "../env";

// Login with better-auth over the test database: users made by an admin, email + password sign-in through
// the HTTP handler, the session cookie resolving to a user, and brute-force sign-in refused with 429.

const BASE = "http://localhost:3999";
const settings = { mode: "login", secret: crypto.randomBytes(32).toString("base64"), baseURL: BASE } as const satisfies AuthSettings;
const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

function signIn(email: string, password: string, ip: string): Promise<Response> {
  return authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: BASE, "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
  }));
}

function cookieOf(res: Response): string {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

describe("authentication settings", () => {
  const base = { TANDEM_DATA_DIR: ".tandem", PORT: 3000, NODE_ENV: "development", OIDC_NAME: "single sign-on", OIDC_SCOPES: "openid email profile" } as unknown as Env;
  it("is local single-user mode by default, login with a secret, and refuses production without one", () => {
    expect(authSettingsFrom(base)).toEqual({ mode: "local" });
    const secret = "x".repeat(40);
    expect(authSettingsFrom({ ...base, TANDEM_AUTH_SECRET: secret })).toMatchObject({ mode: "login", baseURL: "http://localhost:3000" });
    expect(authSettingsFrom({ ...base, BETTER_AUTH_SECRET: secret, TANDEM_PUBLIC_URL: "https://tandem.example.com" })).toMatchObject({ mode: "login", baseURL: "https://tandem.example.com" });
    expect(() => authSettingsFrom({ ...base, NODE_ENV: "production" })).toThrow(/TANDEM_AUTH_SECRET/);
  });
  it("configures OpenID Connect single sign-on from all three variables, or refuses a partial setup", () => {
    const secret = "x".repeat(40);
    const sso = authSettingsFrom({ ...base, TANDEM_AUTH_SECRET: secret, OIDC_ISSUER: "https://idp.example.com/realms/acme/", OIDC_CLIENT_ID: "tandem", OIDC_CLIENT_SECRET: "s" });
    expect(sso).toMatchObject({ mode: "login", oidc: { issuer: "https://idp.example.com/realms/acme", clientId: "tandem", scopes: ["openid", "email", "profile"] } });
    expect(() => authSettingsFrom({ ...base, TANDEM_AUTH_SECRET: secret, OIDC_ISSUER: "https://idp.example.com" })).toThrow(/OIDC_CLIENT_ID/);
  });

  it("sends single sign-on users to the identity provider found by OIDC discovery, with PKCE", async () => {
    const idp = http.createServer((req, res) => {
      const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
      if (req.url === "/.well-known/openid-configuration") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({
          issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`, response_types_supported: ["code"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"],
        }));
      } else if (req.url === "/jwks") {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ keys: [] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    try {
      const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
      const sso = authSettingsFrom({ ...base, TANDEM_AUTH_SECRET: "y".repeat(40), TANDEM_PUBLIC_URL: BASE, OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "tandem-web", OIDC_CLIENT_SECRET: "idp-client-secret" });
      if (sso.mode !== "login") throw new Error("expected login mode");
      {
        const res = await authFor(handle.db, sso).handler(new Request(`${BASE}/api/auth/sign-in/social`, {
          method: "POST", headers: { "content-type": "application/json", origin: BASE },
          body: JSON.stringify({ provider: "oidc", callbackURL: "/" }),
        }));
        expect(res.status).toBe(200);
        const url = new URL(((await res.json()) as { url: string }).url);
        expect(`${url.origin}${url.pathname}`).toBe(`${issuer}/authorize`);
        expect(url.searchParams.get("client_id")).toBe("tandem-web");
        expect(url.searchParams.get("code_challenge_method")).toBe("S256");
        expect(url.searchParams.get("redirect_uri")).toBe(`${BASE}/api/auth/callback/oidc`);
        expect(url.searchParams.get("scope")).toBe("openid email profile");
        expect(url.toString()).not.toContain("idp-client-secret");
      }
    } finally {
      idp.close();
    }
  });
});

describe("email and password sign-in", () => {
  it("signs in a user created by the local operator, and the session cookie is that user", async () => {
    const email = `${uniqueName("alice").toLowerCase()}@example.test`;
    const password = "correct horse battery staple";
    const project = await testProject(handle.db);
    await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password });
    await setMember({ db: handle.db, actor: { kind: "local" }, project }, { email, role: "editor" });

    const res = await signIn(email, password, `10.0.${crypto.randomInt(255)}.${crypto.randomInt(255)}`);
    expect(res.status).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/session_token=/);
    const caller = await callerFromHeaders(handle.db, settings, new Headers({ cookie }));
    expect(caller.actor).toMatchObject({ kind: "user", email });

    const api = createCallerFactory(appRouter)({ db: handle.db, actor: caller.actor, secretBox: box });
    expect(await api.auth.me()).toMatchObject({ kind: "user", email, isAdmin: false });
    expect((await api.catalog.projects()).map((p) => [p.name, p.role])).toEqual([[project.name, "editor"]]);
    await expect(api.members.set({ project: project.name, email, role: "owner" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    // Without a cookie there is no caller; a wrong password is refused; public sign-up is off.
    expect((await callerFromHeaders(handle.db, settings, new Headers())).actor).toBeUndefined();
    expect((await signIn(email, "wrong password!!", `10.0.${crypto.randomInt(255)}.${crypto.randomInt(255)}`)).status).toBe(401);
    const signUp = await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/sign-up/email`, {
      method: "POST", headers: { "content-type": "application/json", origin: BASE, "x-forwarded-for": `10.0.${crypto.randomInt(255)}.${crypto.randomInt(255)}` },
      body: JSON.stringify({ email: "mallory@example.test", password: "mallory-password", name: "m" }),
    }));
    expect(signUp.ok).toBe(false);
  });

  it("stores session tokens only as hashes: the stored value signs nobody in, and sign-out removes it", async () => {
    const email = `${uniqueName("hashed").toLowerCase()}@example.test`;
    const password = "correct horse battery staple";
    const user = await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password });
    const res = await signIn(email, password, `10.1.${crypto.randomInt(255)}.${crypto.randomInt(255)}`);
    expect(res.status).toBe(200);
    const cookie = cookieOf(res);
    const [name, value] = cookie.split("=") as [string, string];
    const token = decodeURIComponent(value).split(".")[0]!;
    const stored = await handle.db.select({ token: authSessions.token }).from(authSessions).where(eq(authSessions.userId, user.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token).toBe(`sha256:${crypto.createHash("sha256").update(token).digest("hex")}`);

    // A correctly signed cookie: with the token it is the user; with what the database holds it is nobody.
    const signed = (v: string) => `${name}=${encodeURIComponent(`${v}.${crypto.createHmac("sha256", settings.secret).update(v).digest("base64")}`)}`;
    expect((await callerFromHeaders(handle.db, settings, new Headers({ cookie: signed(token) }))).actor).toMatchObject({ kind: "user", email });
    expect((await callerFromHeaders(handle.db, settings, new Headers({ cookie: signed(stored[0]!.token) }))).actor).toBeUndefined();

    const out = await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/sign-out`, { method: "POST", headers: { cookie, origin: BASE } }));
    expect(out.status).toBe(200);
    expect(await handle.db.select().from(authSessions).where(eq(authSessions.userId, user.id))).toEqual([]);
    expect((await callerFromHeaders(handle.db, settings, new Headers({ cookie }))).actor).toBeUndefined();
  });

  it("rate-limits brute-force sign-in from one address", async () => {
    const email = `${uniqueName("bob").toLowerCase()}@example.test`;
    await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password: "bobs-real-password" });
    const ip = `10.1.${crypto.randomInt(255)}.${crypto.randomInt(255)}`;
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_RATE_LIMIT.max + 3; i += 1) statuses.push((await signIn(email, `guess-${i}-wrong!`, ip)).status);
    expect(statuses.slice(0, SIGN_IN_RATE_LIMIT.max).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(SIGN_IN_RATE_LIMIT.max)).toEqual([429, 429, 429]);
    // Even the right password is refused from that address until the window passes.
    expect((await signIn(email, "bobs-real-password", ip)).status).toBe(429);
    // Another address is not affected.
    expect((await signIn(email, "bobs-real-password", `10.2.${crypto.randomInt(255)}.${crypto.randomInt(255)}`)).status).toBe(200);
  });

  it("locks an account after repeated failures from many addresses, until the window passes", async () => {
    const email = `${uniqueName("carol").toLowerCase()}@example.test`;
    await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password: "carols-real-password" });
    const freshIp = () => `10.3.${crypto.randomInt(255)}.${crypto.randomInt(255)}`;
    // Failures below the limit are forgotten by a successful sign-in.
    for (let i = 0; i < ACCOUNT_LOCKOUT.failures - 1; i += 1) expect((await signIn(email, `guess-${i}-wrong!`, freshIp())).status).toBe(401);
    expect((await signIn(email, "carols-real-password", freshIp())).status).toBe(200);
    // A spread-out guesser: one try per address, never reaching the per-address limit.
    for (let i = 0; i < ACCOUNT_LOCKOUT.failures; i += 1) expect((await signIn(email, `guess-${i}-wrong!`, freshIp())).status).toBe(401);
    const locked = await signIn(email, "carols-real-password", freshIp());
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { message?: string }).message).toBe("Too many failed sign-ins for this account; try again in 15 minutes");
    // The email is matched whatever its case.
    expect((await signIn(email.toUpperCase(), "carols-real-password", freshIp())).status).toBe(429);
    // Once the window after the last failure has passed, the right password works again.
    const key = `account-sign-in:${email}`;
    await handle.db.update(authRateLimits).set({ lastRequest: Date.now() - ACCOUNT_LOCKOUT.windowSeconds * 1000 - 1000 }).where(eq(authRateLimits.key, key));
    expect((await signIn(email, "carols-real-password", freshIp())).status).toBe(200);
    expect(await handle.db.select().from(authRateLimits).where(eq(authRateLimits.key, key))).toEqual([]);
  });

  it("a user cannot make themselves an administrator through better-auth's own routes", async () => {
    const email = `${uniqueName("eve").toLowerCase()}@example.test`;
    await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password: "eves-password-1" });
    const cookie = cookieOf(await signIn(email, "eves-password-1", `10.4.${crypto.randomInt(255)}.${crypto.randomInt(255)}`));
    const res = await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/update-user`, {
      method: "POST", headers: { "content-type": "application/json", origin: BASE, cookie }, body: JSON.stringify({ name: "Eve", isAdmin: true }),
    }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    const [row] = await handle.db.select({ isAdmin: authUsers.isAdmin }).from(authUsers).where(eq(authUsers.email, email));
    expect(row?.isAdmin).toBe(false);
    const actor = (await callerFromHeaders(handle.db, settings, new Headers({ cookie }))).actor;
    await expect(createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: box }).auth.users.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("only an admin (or the local operator) creates users", async () => {
    const project = await testProject(handle.db);
    const email = `${uniqueName("carol").toLowerCase()}@example.test`;
    await createUser({ db: handle.db, actor: { kind: "local" } }, settings, { email, password: "carols-password" });
    await setMember({ db: handle.db, actor: { kind: "local" }, project }, { email, role: "owner" });
    const carol = (await callerFromHeaders(handle.db, settings, new Headers({ cookie: cookieOf(await signIn(email, "carols-password", `10.3.${crypto.randomInt(255)}.${crypto.randomInt(255)}`)) }))).actor;
    expect(carol?.kind).toBe("user");
    if (!carol) return;
    await expect(createUser({ db: handle.db, actor: carol }, settings, { email: "x@example.test", password: "xxxxxxxxxxxx" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
