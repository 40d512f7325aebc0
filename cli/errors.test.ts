import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openTestDatabase } from "../db/testing/index";
import { userMessage } from "./errors";

// What the terminal shows for a failure: a real driver error quotes SQL and parameters; the user reads neither.

describe("userMessage", () => {
  it("says what went wrong without the SQL text or its parameters", async () => {
    const handle = await openTestDatabase();
    try {
      const missing = await handle.db.execute(sql`SELECT ${"secret-param"}::int AS n FROM "no_such_table"`).then(() => undefined, (e: unknown) => e);
      const message = userMessage(missing);
      expect(message).toMatch(/no_such_table/);
      expect(message).not.toMatch(/secret-param|SELECT|params/);
      const nul = await handle.db.execute(sql`SELECT ${"a\u0000b"}::text AS t`).then(() => undefined, (e: unknown) => e);
      expect(userMessage(nul)).toBe("A text contains a character the database cannot store (such as a NUL character); nothing was written.");
    } finally {
      await handle.close();
    }
  });

  it("keeps a domain error's sentence and names a lost connection", () => {
    expect(userMessage(new Error("project 'p' does not exist"))).toBe("project 'p' does not exist");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(userMessage(new Error("Failed query: select 1", { cause: refused }))).toMatch(/connection to Tandem's database was lost/);
    expect(userMessage(new Error("Connection terminated unexpectedly"))).toMatch(/connection to Tandem's database was lost/);
  });
});
