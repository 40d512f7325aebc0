import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import fs from "node:fs";
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { auditEvents, connections } from "../../db/schema/index";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory, type ProcedureMeta } from "../api/trpc";
import { SecretBox } from "../catalog/secrets";
import type { Actor } from "../context";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile, formatPlan } from "../project-file/apply";
import { exportProjectFile, projectFileToYaml } from "../project-file/export";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { authFor } from "./auth";
import { authorizeApply } from "./apply-policy";
import { setMember } from "./members";
import { callerFromHeaders } from "./request";
import { createToken, listTokens } from "./tokens";
import { createUser } from "./users";

// No plaintext secret in any API response or log line. Everything the server prints (stdout, stderr,
// console) and every API answer (serialized as over HTTP) during a session that stores, updates, lists,
// exports and audits secrets is captured, then searched for every secret it handled.

const BASE = "http://localhost:3997";
const settings = { mode: "login", secret: `auth-secret-${crypto.randomBytes(24).toString("hex")}`, baseURL: BASE } as const;
const SECRETS = {
  demoPassword: "tandem-demo-password",
  literal: `literal-secret-${crypto.randomBytes(8).toString("hex")}`,
  fromEnv: `env-secret-${crypto.randomBytes(8).toString("hex")}`,
  rotated: `rotated-secret-${crypto.randomBytes(8).toString("hex")}`,
  ownerPassword: `owner-password-${crypto.randomBytes(8).toString("hex")}`,
  viewerPassword: `viewer-password-${crypto.randomBytes(8).toString("hex")}`,
  authSecret: settings.secret,
};

const captured: string[] = [];
const restore: (() => void)[] = [];
function capture(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    restore.push(() => { stream.write = original; });
  }
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      captured.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ""}\n${JSON.stringify(a.cause ?? "")}` : typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      original(...args);
    };
    restore.push(() => { console[level] = original; });
  }
}
const answer = (label: string, value: unknown) => captured.push(`${label}: ${JSON.stringify(superjson.serialize(value))}`);

const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
  capture();
});
afterAll(async () => {
  for (const r of restore) r();
  await handle.close();
});

describe("no plaintext secret in API responses or logs", () => {
  it("holds for a whole session of storing, rotating, listing, exporting and auditing secrets", async () => {
    const name = uniqueName("scan");
    const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`);
    const file = parseProjectFile(text).file;
    file.connections.push({ name: "vault_kafka", type: "kafka", description: "", properties: { "properties.bootstrap.servers": "k:9092" }, secrets: { "properties.sasl.jaas.config": { env: "SCAN_SASL" }, "api.key": SECRETS.literal } });
    const readEnv = (n: string) => (n === "SCAN_SASL" ? SECRETS.fromEnv : undefined);
    const local: Actor = { kind: "local" };
    const plan = await applyProjectFile(handle.db, file, { secretBox: box, readEnv, actor: local, authorize: authorizeApply(local, false) });
    answer("apply plan", plan);
    captured.push(formatPlan(plan, false));

    const owner = `${uniqueName("owner").toLowerCase()}@example.test`;
    const viewer = `${uniqueName("viewer").toLowerCase()}@example.test`;
    await createUser({ db: handle.db, actor: local }, settings, { email: owner, password: SECRETS.ownerPassword });
    await createUser({ db: handle.db, actor: local }, settings, { email: viewer, password: SECRETS.viewerPassword });
    const project = await getProject(handle.db, name);
    await setMember({ db: handle.db, actor: local, project }, { email: owner, role: "owner" });
    await setMember({ db: handle.db, actor: local, project }, { email: viewer, role: "viewer" });

    // Sign in over HTTP; the response bodies are API answers too.
    const actors: Record<string, Actor | undefined> = {};
    for (const [email, password] of [[owner, SECRETS.ownerPassword], [viewer, SECRETS.viewerPassword]] as const) {
      await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST", headers: { "content-type": "application/json", origin: BASE, "x-forwarded-for": `10.9.${crypto.randomInt(255)}.${crypto.randomInt(255)}` }, body: JSON.stringify({ email, password: `${password}-wrong` }),
      })).then(async (r) => captured.push(`sign-in (wrong) ${r.status}: ${await r.text()}`));
      const res = await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST", headers: { "content-type": "application/json", origin: BASE, "x-forwarded-for": `10.9.${crypto.randomInt(255)}.${crypto.randomInt(255)}` }, body: JSON.stringify({ email, password }),
      }));
      captured.push(`sign-in ${res.status}: ${await res.text()}`);
      const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      actors[email] = (await callerFromHeaders(handle.db, settings, new Headers({ cookie }))).actor;
      const session = await authFor(handle.db, settings).handler(new Request(`${BASE}/api/auth/get-session`, { headers: { cookie } }));
      captured.push(`get-session: ${await session.text()}`);
    }

    const ownerApi = createCallerFactory(appRouter)({ db: handle.db, actor: actors[owner], secretBox: box });
    answer("connection update", await ownerApi.catalog.connections.update({
      project: name, name: "vault_kafka",
      spec: { name: "vault_kafka", type: "kafka", properties: { "properties.bootstrap.servers": "k:9092" }, secrets: { "properties.sasl.jaas.config": { stored: true }, "api.key": SECRETS.rotated } },
    }));
    answer("connection create", await ownerApi.catalog.connections.create({
      project: name, spec: { name: "vault_pg", type: "jdbc", properties: { url: "jdbc:postgresql://db/x", username: "u" }, secrets: { password: SECRETS.literal } },
    }));
    await ownerApi.catalog.connections.create({ project: name, spec: { name: "vault_pg", type: "jdbc", properties: { url: "jdbc:postgresql://db/x" }, secrets: { password: SECRETS.literal } } })
      .catch((e: unknown) => answer("conflict error", e instanceof TRPCError ? { code: e.code, message: e.message } : String(e)));

    // Every query procedure, as every caller, with the project (answers and refusals alike).
    const procedures = Object.entries((appRouter._def as unknown as { procedures: Record<string, { _def: { type: string; meta?: ProcedureMeta } }> }).procedures);
    for (const actor of [actors[owner], actors[viewer], local, undefined]) {
      const caller = createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: box }) as unknown as Record<string, unknown>;
      for (const [path, p] of procedures) {
        if (p._def.type !== "query") continue;
        const fn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (input: unknown) => Promise<unknown>;
        await fn({ project: name }).then((r) => answer(path, r), (e: unknown) => answer(`${path} (error)`, e instanceof TRPCError ? { code: e.code, message: e.message } : String(e)));
      }
    }
    for (const table of ["ods_coupon_events_rt", "ads_coupon_daily_rt"]) answer(`table ${table}`, await ownerApi.catalog.tables.get({ project: name, name: table }));
    // Generated-script previews of every job (their sinks write through the JDBC connection with a password).
    for (const job of file.jobs) {
      await ownerApi.sql.translate({ project: name, source: { job: job.name }, bizdate: "2025-11-11" })
        .then((r) => answer(`translate ${job.name}`, r), (e: unknown) => answer(`translate ${job.name} (error)`, e instanceof TRPCError ? e.message : String(e)));
    }

    // Export, the audit trail, tokens.
    captured.push(projectFileToYaml(await exportProjectFile(handle.db, project)));
    answer("audit", await ownerApi.audit.list({ project: name, limit: 500 }));
    answer("audit rows", await handle.db.select().from(auditEvents).where(eq(auditEvents.projectId, project.id)));
    const created = await createToken({ db: handle.db, actor: actors[owner] as Actor }, { name: "ci", project: name, role: "viewer" });
    answer("tokens", await listTokens({ db: handle.db, actor: actors[owner] as Actor }));

    // The secrets are really stored (encrypted), so the scan is not vacuous.
    const stored = await handle.db.select({ secrets: connections.secrets }).from(connections).where(eq(connections.projectId, project.id));
    expect(stored.some((c) => Object.keys(c.secrets).includes("api.key"))).toBe(true);
    expect(box.open(stored.flatMap((c) => Object.entries(c.secrets)).find(([k]) => k === "api.key")?.[1] ?? (() => { throw new Error("no api.key"); })())).toBe(SECRETS.rotated);

    expect(captured.some((c) => c.startsWith("translate ") && !c.includes("(error)") && c.includes("'password' = '******'"))).toBe(true);
    const all = captured.join("\n");
    expect(all.length).toBeGreaterThan(10_000);
    expect(all).toContain("******");
    const leaks = Object.entries(SECRETS).filter(([, v]) => all.includes(v)).map(([k]) => k);
    expect(leaks).toEqual([]);
    expect(all).not.toContain(created.token);
  });
});
