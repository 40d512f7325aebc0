import crypto from "node:crypto";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client";
import { authRateLimits } from "../../db/schema/index";

// Brute force spread over many addresses gets past a per-address limit, so failed sign-ins are also
// counted per account: after ACCOUNT_LOCKOUT.failures failures within the window, that account's
// sign-in is refused (even with the right password) until the window after the last failure passes.
// A successful sign-in clears the count. The counters share better-auth's rate-limit table under
// their own key prefix, so every web process sees them.

export const ACCOUNT_LOCKOUT = { failures: 10, windowSeconds: 15 * 60 } as const;

const SIGN_IN_PATH = "/sign-in/email";
const SignInBody = z.object({ email: z.string() });

function keyOf(email: string): string {
  return `account-sign-in:${email.trim().toLowerCase()}`;
}

function emailOf(body: unknown): string | undefined {
  const parsed = SignInBody.safeParse(body);
  return parsed.success ? parsed.data.email : undefined;
}

/** Milliseconds until the account may try again; 0 when it is not locked. */
export async function lockedForMs(db: Database, email: string, now = Date.now()): Promise<number> {
  const [row] = await db.select().from(authRateLimits).where(eq(authRateLimits.key, keyOf(email)));
  if (!row || row.count < ACCOUNT_LOCKOUT.failures) return 0;
  return Math.max(0, row.lastRequest + ACCOUNT_LOCKOUT.windowSeconds * 1000 - now);
}

async function recordFailure(db: Database, email: string, now = Date.now()): Promise<void> {
  const windowMs = ACCOUNT_LOCKOUT.windowSeconds * 1000;
  await db.insert(authRateLimits)
    .values({ id: crypto.randomUUID(), key: keyOf(email), count: 1, lastRequest: now })
    .onConflictDoUpdate({
      target: authRateLimits.key,
      set: {
        // A failure after a quiet window starts a new count.
        count: sql`CASE WHEN ${now} - ${authRateLimits.lastRequest} > ${windowMs} THEN 1 ELSE ${authRateLimits.count} + 1 END`,
        lastRequest: now,
      },
    });
}

async function clearFailures(db: Database, email: string): Promise<void> {
  await db.delete(authRateLimits).where(eq(authRateLimits.key, keyOf(email)));
}

/** better-auth hooks: refuse a locked account before the password check, count the outcome after it. */
export function accountLockoutHooks(db: Database) {
  return {
    before: createAuthMiddleware(async (ctx) => {
      if (ctx.path !== SIGN_IN_PATH) return;
      const email = emailOf(ctx.body);
      if (!email) return;
      const wait = await lockedForMs(db, email);
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        throw new APIError("TOO_MANY_REQUESTS", {
          message: `Too many failed sign-ins for this account; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
        });
      }
    }),
    after: createAuthMiddleware(async (ctx) => {
      if (ctx.path !== SIGN_IN_PATH) return;
      const email = emailOf(ctx.body);
      if (!email) return;
      const returned: unknown = ctx.context.returned;
      if (isAPIError(returned)) {
        if (returned.statusCode === 401) await recordFailure(db, email);
      } else {
        await clearFailures(db, email);
      }
    }),
  };
}
