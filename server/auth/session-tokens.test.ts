import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER, type DatabaseHandle } from "../../db/client";
import { authSessions } from "../../db/schema/index";
import { openTestDatabase } from "../../db/testing/index";
import { hashSessionToken } from "./session-tokens";
import { testUser } from "./testing";

// Sessions stored before tokens were hashed: the migration hashes them the way the adapter does, once.

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("session token hashing", () => {
  it("the migration hashes tokens stored in plain text exactly as sign-in does, and leaves hashes alone", async () => {
    const user = await testUser(handle.db);
    const plain = crypto.randomBytes(24).toString("base64url");
    const id = crypto.randomUUID();
    await handle.db.insert(authSessions).values({ id, token: plain, userId: user.userId, expiresAt: new Date(Date.now() + 86_400_000) });
    const migration = fs.readFileSync(path.join(MIGRATIONS_FOLDER, "0006_session_token_hash.sql"), "utf8");
    for (let i = 0; i < 2; i++) await handle.db.execute(sql.raw(migration));
    const [row] = await handle.db.select({ token: authSessions.token }).from(authSessions).where(eq(authSessions.id, id));
    expect(row?.token).toBe(hashSessionToken(plain));
    expect(hashSessionToken(hashSessionToken(plain))).toBe(hashSessionToken(plain));
  });
});
