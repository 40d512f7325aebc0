import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import type { Database } from "../../db/client";
import { authAccounts, authRateLimits, authSessions, authUsers, authVerifications } from "../../db/schema/index";
import { accountLockoutHooks } from "./account-lockout";
import { withHashedSessionTokens } from "./session-tokens";
import type { AuthSettings } from "./settings";

// Authentication is better-auth over Tandem's database (Drizzle adapter): email + password, OpenID
// Connect single sign-on when configured, sessions in the database, and its rate limiter (counters in the
// database, so every web process shares them). Authorization is not here: see policy.ts.

/** Sign-in attempts allowed per client address and window (brute-force protection). */
export const SIGN_IN_RATE_LIMIT = { window: 60, max: 5 } as const;

export function createAuth(db: Database, settings: Extract<AuthSettings, { mode: "login" }>) {
  return betterAuth({
    appName: "Tandem",
    baseURL: settings.baseURL,
    basePath: "/api/auth",
    secret: settings.secret,
    // Session tokens are hashed at rest (session-tokens.ts).
    database: withHashedSessionTokens(drizzleAdapter(db, {
      provider: "pg",
      schema: { user: authUsers, session: authSessions, account: authAccounts, verification: authVerifications, rateLimit: authRateLimits },
    })),
    // Accounts are created by admins (CLI or API) or by the first single sign-on; no public sign-up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10 },
    user: { additionalFields: { isAdmin: { type: "boolean", required: false, defaultValue: false, input: false } } },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    // OAuth tokens of single sign-on accounts are encrypted at rest with the auth secret.
    account: { encryptOAuthTokens: true },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: { "/sign-in/*": SIGN_IN_RATE_LIMIT, "/sign-up/*": SIGN_IN_RATE_LIMIT, "/change-password": SIGN_IN_RATE_LIMIT },
    },
    // ...and per account, whatever the address (account-lockout.ts).
    hooks: accountLockoutHooks(db),
    advanced: {
      cookiePrefix: "tandem",
      ipAddress: { ipAddressHeaders: ["x-forwarded-for", "x-real-ip"] },
      useSecureCookies: settings.baseURL.startsWith("https://"),
    },
    // Both take a session's token, which only its own browser holds (the database keeps hashes); the
    // workbench offers sign-out and, with a password change, signing out everywhere (/revoke-sessions).
    disabledPaths: ["/revoke-session", "/revoke-other-sessions"],
    logger: { level: "warn" },
    plugins: settings.oidc
      ? [genericOAuth({
        config: [{
          providerId: settings.oidc.providerId,
          name: settings.oidc.name,
          clientId: settings.oidc.clientId,
          clientSecret: settings.oidc.clientSecret,
          discoveryUrl: `${settings.oidc.issuer}/.well-known/openid-configuration`,
          scopes: settings.oidc.scopes,
          pkce: true,
        }],
      })]
      : [],
  });
}

export type Auth = ReturnType<typeof createAuth>;

// One instance per database handle: the web process has one; tests open several.
const instances = new WeakMap<Database, { settings: AuthSettings; auth: Auth }>();

export function authFor(db: Database, settings: Extract<AuthSettings, { mode: "login" }>): Auth {
  const cached = instances.get(db);
  if (cached && cached.settings === settings) return cached.auth;
  const auth = createAuth(db, settings);
  instances.set(db, { settings, auth });
  return auth;
}
