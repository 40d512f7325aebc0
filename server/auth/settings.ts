import { env, type Env } from "../env";

// Whether login is on, and how it is configured, decided once from the environment. The embedded
// default is the local single-user mode: no login, one local operator with every permission.

export interface OidcSettings {
  providerId: "oidc";
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

export type AuthSettings =
  | { mode: "local" }
  | { mode: "login"; secret: string; baseURL: string; oidc?: OidcSettings };

export function authSettingsFrom(env: Env): AuthSettings {
  const secret = env.TANDEM_AUTH_SECRET ?? env.BETTER_AUTH_SECRET;
  if (!secret) {
    // `tandem dev --prod` on loopback is still the local single-user workbench, only on the production build.
    if (env.NODE_ENV === "production" && env.TANDEM_LOCAL_PRODUCTION !== "true") {
      throw new Error("Login is required in production: set TANDEM_AUTH_SECRET (openssl rand -base64 32), then create the first admin with `tandem admin create`.");
    }
    return { mode: "local" };
  }
  const baseURL = env.TANDEM_PUBLIC_URL ?? env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`;
  const oidcParts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new Error("Single sign-on needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or none of them).");
  }
  const oidc: OidcSettings | undefined = env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
    ? {
      providerId: "oidc",
      name: env.OIDC_NAME,
      issuer: env.OIDC_ISSUER.replace(/\/+$/, ""),
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      scopes: env.OIDC_SCOPES.split(/[\s,]+/).filter(Boolean),
    }
    : undefined;
  return { mode: "login", secret, baseURL, ...(oidc ? { oidc } : {}) };
}

let cached: AuthSettings | undefined;
/** The settings of this process (from server/env.ts), decided once. */
export function authSettings(): AuthSettings {
  cached ??= authSettingsFrom(env());
  return cached;
}
