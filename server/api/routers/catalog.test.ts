import crypto from "node:crypto";
import fs from "node:fs";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase, uniqueName } from "../../../db/testing/index";
import { SecretBox } from "../../catalog/secrets";
import { DEMO_PROJECT_FILE } from "../../demo/seed";
import { ValidationError } from "../../errors";
import { applyProjectFile } from "../../project-file/apply";
import { parseProjectFile } from "../../project-file/load";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

const SECRET = "tandem-demo-password";
let handle: DatabaseHandle;
const demoFile = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8")).file;
let project: string;
let other: string;
const box = new SecretBox(crypto.randomBytes(32));
const caller = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = uniqueName("router");
  other = uniqueName("router_other");
  for (const p of [project, other]) {
    const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${p}`);
    await applyProjectFile(handle.db, parseProjectFile(text).file, { secretBox: box, readEnv: () => undefined });
  }
});
afterAll(async () => {
  await handle.close();
});

const mixedSpec = (name: string, batchUserId: unknown = { expr: "CAST(user_id AS BIGINT)" }) => ({
  name,
  columns: [
    { name: "user_id", type: "BIGINT" },
    { name: "coupon_id", type: "BIGINT" },
  ],
  stream: { table: "ods_coupon_events_rt", mappings: { user_id: "user_id", coupon_id: "coupon_id" } },
  batch: { table: "ods_coupon_events_di", mappings: { user_id: batchUserId, coupon_id: "coupon_id" } },
});

describe("catalog router", () => {
  it("pages, sorts and filters physical tables on the server", async () => {
    const api = caller();
    const names = demoFile.physicalTables.map((t) => t.name).sort().reverse();
    const page = await api.catalog.tables.list({ project, pageSize: 2, sort: "name", direction: "desc" });
    expect(page.total).toBe(names.length);
    expect(page.rows.map((r) => r.name)).toEqual(names.slice(0, 2));
    const batch = await api.catalog.tables.list({ project, kind: "batch", search: "COUPON_DAILY" });
    expect(batch.rows.map((r) => [r.name, r.partitioned])).toEqual([["ads_coupon_daily_di", true]]);
    const byConnection = await api.catalog.tables.list({ project, connection: "demo_serving" });
    expect(byConnection.rows.map((r) => r.name)).toEqual(
      demoFile.physicalTables.filter((t) => t.connection === "demo_serving").map((t) => t.name).sort(),
    );
  });

  it("creates a mixed meta-table, and rejects a wrong mapping with an issue naming side and column", async () => {
    const api = caller();
    const name = "mix_user_coupons";
    const err = await api.catalog.metaTables.create({ project, spec: mixedSpec(name, "user_id") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    const cause = (err as TRPCError).cause;
    expect(cause).toBeInstanceOf(ValidationError);
    expect((cause as ValidationError).issues).toEqual([
      expect.objectContaining({ path: `metaTables.${name}.batch.mappings.user_id`, message: expect.stringMatching(/type mismatch on the batch side/) }),
    ]);
    expect((await api.catalog.metaTables.list({ project, search: name })).total).toBe(0);

    const created = await api.catalog.metaTables.create({ project, spec: mixedSpec(name) });
    expect(Object.keys(created.tables).sort()).toEqual(["ods_coupon_events_di", "ods_coupon_events_rt"]);
    const listed = await api.catalog.metaTables.list({ project, search: "user_coupons" });
    expect(listed.rows.map((r) => [r.name, r.kind, r.streamTable, r.batchTable])).toEqual([[name, "mixed", "ods_coupon_events_rt", "ods_coupon_events_di"]]);
    await expect(api.catalog.metaTables.create({ project, spec: mixedSpec(name) })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("deletes a meta-table and undoes it from the returned spec", async () => {
    const api = caller();
    const spec = await api.catalog.metaTables.delete({ project, name: "dim_coupon" });
    await expect(api.catalog.metaTables.get({ project, name: "dim_coupon" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await api.catalog.metaTables.create({ project, spec });
    expect((await api.catalog.metaTables.get({ project, name: "dim_coupon" })).spec).toEqual(spec);
  });

  it("refuses to delete a table that a meta-table binds, naming the binding", async () => {
    await expect(caller().catalog.tables.delete({ project, name: "ods_coupon_events_rt" })).rejects.toThrow(
      /bound by meta-table 'mix_coupon_events' \(stream\)/,
    );
  });

  it("scopes every call to its project", async () => {
    const api = caller();
    await api.catalog.metaTables.create({ project: other, spec: mixedSpec("only_in_other") });
    await expect(api.catalog.metaTables.get({ project, name: "only_in_other" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.catalog.tables.list({ project: "no_such_project" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("never returns a secret: connections are masked, and a new secret is sealed", async () => {
    const api = caller();
    const conns = await api.catalog.connections.list({ project });
    expect(conns.find((c) => c.name === "demo_serving")?.secrets).toEqual({ password: { value: "******", source: "stored" } });
    const created = await api.catalog.connections.create({
      project,
      spec: { name: "warehouse_pg", type: "jdbc", properties: { url: "jdbc:postgresql://db/wh" }, secrets: { password: "s3cr3t-value" } },
    });
    const everything = JSON.stringify([
      created, conns, await api.catalog.connections.list({ project }),
      await api.catalog.tables.get({ project, name: "ads_coupon_daily_rt" }),
    ]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain("s3cr3t-value");
    await expect(api.catalog.connections.delete({ project, name: "demo_serving" })).rejects.toThrow(/connection 'demo_serving' is used by tables? .*'ads_coupon_daily_rt'.*; delete or move them first/);
  });

  it("infers columns from Parquet only inside the project's folders", async () => {
    const api = caller();
    await expect(api.catalog.tables.inferFromParquet({ project, path: "/etc/passwd" })).rejects.toThrow("is outside the folders Tandem reads for this project");
    await expect(api.catalog.tables.inferFromParquet({ project, path: "http://169.254.169.254/x.parquet" })).rejects.toThrow("is a URL");
  });

  it("infers columns from a JSON sample and auto-aligns two tables", async () => {
    const api = caller();
    const cols = await api.catalog.tables.inferFromJson({ project, sample: '{"id": 1, "amount": 2.5, "tags": ["a"], "at": "2024-11-11T00:00:00Z"}' });
    expect(cols).toEqual([
      { name: "id", type: "BIGINT" }, { name: "amount", type: "DOUBLE" }, { name: "tags", type: "ARRAY<STRING>" }, { name: "at", type: "TIMESTAMP_LTZ(3)" },
    ]);
    await expect(api.catalog.tables.inferFromJson({ project, sample: "{nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const proposal = await api.catalog.metaTables.autoAlign({ project, streamTable: "ods_coupon_events_rt", batchTable: "ods_coupon_events_di" });
    expect(proposal.columns.map((c) => c.name)).toEqual(["event_id", "user_id", "coupon_id", "event_time"]);
    expect(proposal.unmatched).toEqual({ stream: ["action", "amount_cents", "ts_ms"], batch: ["action_type", "amount", "dt"] });
  });
});
