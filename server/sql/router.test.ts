import crypto from "node:crypto";
import fs from "node:fs";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";

// The sql router over a real (test) database seeded with the demo project.

let handle: DatabaseHandle;
let project: string;
const box = new SecretBox(crypto.randomBytes(32));
const caller = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = uniqueName("sql");
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  await applyProjectFile(handle.db, parseProjectFile(text).file, { secretBox: box, readEnv: () => undefined });
}, 60_000);
afterAll(async () => { await handle?.close(); });

describe("sql router", () => {
  it("translates a saved job with masked secrets and the bizdate partition", async () => {
    const t = await caller().sql.translate({ project, source: { job: "coupon_daily_stats" }, bizdate: "2024-11-11" });
    expect(t.errors).toEqual([]);
    expect(t.batch).toContain("WHERE dt = '2024-11-11'");
    expect(t.stream).toContain("'password' = '******'");
    expect(t.stream).not.toContain("tandem-demo-password");
  }, 60_000);

  it("validates a draft with located issues", async () => {
    const v = await caller().sql.validate({ project, sql: "INSERT INTO ads_coupon_daily\nSELECT dt, coupon_id, 1, 1, 1, 1 FROM mix_coupon_event" });
    expect(v.ok).toBe(false);
    expect(v.issues[0]).toMatchObject({ line: 2, column: 39, message: expect.stringContaining("did you mean 'mix_coupon_events'") });
  }, 60_000);

  it("lineage and completions", async () => {
    const l = await caller().sql.lineage({ project, job: "coupon_daily_stats" });
    expect(l.tables).toEqual([{ statement: 0, sink: "ads_coupon_daily", sources: ["mix_coupon_events"] }]);
    const c = await caller().sql.completions({ project, sql: "INSERT INTO ads_coupon_daily SELECT e. FROM mix_coupon_events e", line: 1, column: 39 });
    expect(c.columns.map((x) => x.name)).toContain("coupon_id");
    expect(c.columns.map((x) => x.name)).toContain("__mode");
    // Mid-typing, the statement does not parse (no comma after the half word): the columns of the
    // meta-table it reads are still offered, and the word under the caret is reported once.
    const typing = "INSERT INTO ads_coupon_daily\nSELECT\n  dt,\n  act\n  COUNT(*) AS pv\nFROM mix_coupon_events e\nGROUP BY dt";
    const t = await caller().sql.completions({ project, sql: typing, line: 4, column: 6 });
    expect(t.columns.map((x) => x.name)).toContain("action");
    expect(t.columns.find((x) => x.name === "action")?.alias).toBe("e");
    expect(t.word).toBe("act");
  }, 60_000);

  it("formats a draft, and refuses one that does not parse without changing anything", async () => {
    const f = await caller().sql.format({ project, sql: "insert into ads_coupon_daily select dt, coupon_id, 1, 1, 1, 1 from mix_coupon_events" });
    expect(f).toEqual({ sql: "insert into\n  ads_coupon_daily\nselect\n  dt,\n  coupon_id,\n  1,\n  1,\n  1,\n  1\nfrom\n  mix_coupon_events", changed: true });
    await expect(caller().sql.format({ project, sql: "SELECT a FROM\nWHERE" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("line 2") });
  }, 60_000);

  it("an unknown job is NOT_FOUND", async () => {
    await expect(caller().sql.translate({ project, source: { job: "nope" }, bizdate: "2024-11-11" })).rejects.toBeInstanceOf(TRPCError);
  });
});
