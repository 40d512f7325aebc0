import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../db/client";
import { connections } from "../../db/schema/index";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { parseProjectFile } from "../project-file/load";
import { ensureProject } from "../projects/projects";
import { SecretBox } from "./secrets";
import { FIELD_LIMITS } from "./schemas";

// Field caps and unstorable text are refused at the schema with the field's name; nothing is stored.

let handle: DatabaseHandle;
let project: string;
const box = new SecretBox(crypto.randomBytes(32));
const caller = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = uniqueName("limits");
  await ensureProject(handle.db, project);
}, 60_000);
afterAll(async () => { await handle?.close(); });

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return JSON.stringify({ message: (error as Error).message, cause: (error as { cause?: unknown }).cause });
  }
  throw new Error("expected the call to fail");
}

describe("field limits", () => {
  for (const [label, text] of [
    ["a NUL character", "before\u0000after"],
    ["an unpaired surrogate", "smile \uD83D alone"],
  ] as const) {
    it(`refuses a description with ${label}, naming the field, without SQL`, async () => {
      const spec = { name: "c_bad", type: "print", description: text };
      const failure = await failureOf(caller().catalog.connections.create({ project, spec }));
      expect(failure).toMatch(/description/);
      expect(failure).toMatch(/NUL character or an unpaired surrogate/);
      expect(failure.toLowerCase()).not.toMatch(/insert into|\$1|params/);
      expect(await caller().catalog.connections.list({ project })).toEqual([]);
    });
  }

  it("refuses a description over the cap and stores nothing", async () => {
    const spec = { name: "c_big", type: "print", description: "x".repeat(FIELD_LIMITS.description + 1) };
    expect(await failureOf(caller().catalog.connections.create({ project, spec }))).toMatch(/description.*at most 10,000 characters|at most 10,000 characters.*description/);
    expect(await caller().catalog.connections.list({ project })).toEqual([]);
  });

  it("accepts emoji, CJK and combining characters at the cap", async () => {
    const description = "🎉中文e\u0301".padEnd(FIELD_LIMITS.description, "x");
    await caller().catalog.connections.create({ project, spec: { name: "c_ok", type: "print", description } });
    // Stored whole (lists show only the start of a description: list-text.ts).
    const stored = await handle.db.select({ description: connections.description }).from(connections).where(eq(connections.name, "c_ok"));
    expect(stored.map((c) => c.description)).toContain(description);
  });

  it("refuses a NUL in a project file's option value with its path", () => {
    const text = `project: p\nconnections:\n  - name: c\n    type: print\n    properties:\n      k: "a\\0b"\n`;
    expect(() => parseProjectFile(text)).toThrow(/NUL character/);
  });
});
