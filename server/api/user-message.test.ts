import { describe, expect, it } from "vitest";
import { openTestDatabase } from "../../db/testing/index";
import { sql } from "drizzle-orm";
import { userMessageOf } from "./user-message";

// A real database error quotes SQL and parameters; what the user reads does not.

describe("userMessageOf", () => {
  it("maps a real driver error to one sentence and logs the cause", async () => {
    const handle = await openTestDatabase();
    try {
      const failure = await handle.db.execute(sql`SELECT ${"secret-param"}::int AS n FROM "no_such_table"`).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      const logged: unknown[] = [];
      const message = userMessageOf(failure, (_line, cause) => logged.push(cause));
      expect(message).toBe("The database refused the operation; the details are in the server log.");
      expect(message).not.toContain("secret-param");
      expect(logged).toEqual([failure]);
    } finally {
      await handle.close();
    }
  });

  it("keeps a domain error's sentence", () => {
    expect(userMessageOf(new Error("project 'p' does not exist"), () => undefined)).toBe("project 'p' does not exist");
  });
});
