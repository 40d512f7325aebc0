import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { jobDeployments } from "../../db/schema/index";
import { openTestDatabase } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { listAuditEvents } from "../audit/audit";
import { testProject } from "../auth/testing";
import { SecretBox } from "../catalog/secrets";
import type { ProjectContext } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { jobHealth, type HealthSource } from "../health/index";
import { createInstance, failWaiting, finishInstance, startInstance } from "../runs/index";
import { Bizdate } from "../scheduling/index";
import {
  checkLatePartitions, checkStreamLag, deleteAlertChannel, deliverDueAlerts, emitAlertEvent, emitAlertEventSafely, listAlertHistory, parseAlertChannel, startAlertLoop, upsertAlertChannel,
  type AlertPayload,
} from "./index";

// Alerts end to end over the real database: a failing instance queues an alert in its own transaction; a
// webhook receiver on this machine answers 500 once, then 200, and the alert arrives exactly once after a
// retry, with both attempts in the history. The same event emitted twice is one delivery. The job's
// health score drops by the failure's weight and names the action.

interface Received { body: AlertPayload }
let handle: DatabaseHandle;
let ctx: ProjectContext;
let server: http.Server;
let url: string;
const received: Received[] = [];
/** Status codes the receiver answers with, in order; then 200. */
const answers: number[] = [];
const box = new SecretBox(crypto.randomBytes(32));
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });
const scheduler = () => ({ ...ctx, actor: { kind: "system", reason: "scheduler" } as const });
const D = Bizdate.parse("2024-11-11");
const later = (ms: number) => () => new Date(Date.now() + ms);
const deliver = (opts: Parameters<typeof deliverDueAlerts>[1] = {}) => deliverDueAlerts(handle.db, { projectId: ctx.project.id, backoffMs: 60_000, ...opts });

async function deploy(job: string): Promise<void> {
  await handle.db.insert(jobDeployments).values({ projectId: ctx.project.id, jobName: job, version: 1, spec: {}, sources: [], sinks: [], deployedBy: "test" });
}

async function failRun(job: string, bizdate: Bizdate, error: string): Promise<void> {
  const ref = { job, bizdate };
  await createInstance(scheduler(), { ...ref, deploymentVersion: 1, scheduledAt: new Date(), trigger: "schedule", upstream: [] });
  await startInstance(scheduler(), ref);
  await finishInstance(scheduler(), ref, { outcome: "failed", error });
}

beforeAll(async () => {
  handle = await openTestDatabase();
  ctx = { db: handle.db, actor: { kind: "local" }, project: await testProject(handle.db, "alerts") };
  server = http.createServer((req, res) => {
    if (req.url === "/silent") return; // never answers: the deliverer's timeout ends the attempt
    let text = "";
    req.on("data", (c: Buffer) => { text += c.toString(); });
    req.on("end", () => {
      received.push({ body: JSON.parse(text) as AlertPayload });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "receiver is down");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T0KEN`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await handle.close();
});

describe("alert channels", () => {
  it("refuses a bad channel, naming every problem by field", async () => {
    const bad = { name: "ops", url: "ftp://example.test/x", kinds: [], template: "{{job}} {{jobb}} {{reason" };
    expect(() => parseAlertChannel(bad)).toThrow(ValidationError);
    try {
      parseAlertChannel(bad);
    } catch (e) {
      const issues = (e as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toEqual([
        "url: must be an http:// or https:// address, not ftp:",
        expect.stringMatching(/^kinds: name at least one kind of event: instance_failed, late_partition/),
        expect.stringMatching(/^template: unknown placeholder \{\{jobb\}\}; use \{\{project\}\}, \{\{job\}\}/),
        "template: a placeholder is not closed: write {{field}}",
      ]);
      expect((e as Error).message).toMatch(/^alert channel 'ops' is not valid:/);
    }
    expect(() => parseAlertChannel({ name: "ops", url: "not a url", kinds: ["instance_failed"] })).toThrow(/url: 'not a url' is not a URL/);
    expect(() => parseAlertChannel({ name: "ops", url, kinds: ["instance_exploded"] })).toThrow(/kinds\.0: Invalid option: expected one of "instance_failed"/);
    // Through the API: a BAD_REQUEST with the issues, nothing saved.
    const e: unknown = await api().alerts.upsertChannel({ project: ctx.project.name, channel: bad }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(TRPCError);
    expect((e as TRPCError).code).toBe("BAD_REQUEST");
    expect(await api().alerts.channels({ project: ctx.project.name })).toEqual([]);
  });

  it("saves a channel through the API, lists its URL masked and audits it", async () => {
    const r = await api().alerts.upsertChannel({
      project: ctx.project.name,
      channel: { name: "ops", url, kinds: ["instance_failed", "late_partition", "quality_blocking", "quality_warning", "stream_lag"], template: "{{job}} {{bizdate}} {{kind}}: {{reason}}", lagThreshold: 500 },
    });
    expect(r.created).toBe(true);
    const [listed] = await api().alerts.channels({ project: ctx.project.name });
    expect(listed).toMatchObject({ name: "ops", url: url.replace("/hooks/T0KEN", "/…"), jobs: [], enabled: true, lagThreshold: 500 });
    // A second channel that only wants restarts of one job.
    await upsertAlertChannel(ctx, { name: "stream_team", url, kinds: ["stream_restart"], jobs: ["other_job"] });
    const audit = await listAuditEvents(ctx, { action: "alertChannel." });
    expect(audit.rows.map((a) => `${a.action} ${a.name}`).sort()).toEqual(["alertChannel.create ops", "alertChannel.create stream_team"]);
    expect(JSON.stringify(audit.rows)).not.toContain("T0KEN");
  });
});

describe("delivering alerts", () => {
  it("delivers a failed instance's alert exactly once after a 500 and a retry, with both attempts in the history", async () => {
    await deploy("fail_job");
    received.length = 0;
    answers.push(500);
    await failRun("fail_job", D, "division by zero in SUM(x)/COUNT(*)");

    expect(await deliver()).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(received).toHaveLength(1);
    let [h] = await listAlertHistory(ctx, { job: "fail_job" });
    expect(h).toMatchObject({ channel: "ops", kind: "instance_failed", status: "pending", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500: receiver is down" });
    // Not due again before its backoff.
    expect(await deliver()).toEqual({ delivered: 0, retrying: 0, failed: 0 });

    expect(await deliver({ now: later(120_000) })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(await deliver({ now: later(10 * 3_600_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(received).toHaveLength(2);
    const body = received[1]?.body;
    expect(body).toMatchObject({
      kind: "instance_failed", severity: "high", project: ctx.project.name, job: "fail_job", bizdate: "2024-11-11",
      key: "instance_failed/fail_job/20241111/-/attempt-1",
      text: "fail_job 2024-11-11 instance_failed: attempt 1 of fail_job for 20241111 failed: division by zero in SUM(x)/COUNT(*)",
    });
    expect(received[0]?.body.key).toBe(body?.key);
    [h] = await listAlertHistory(ctx, { job: "fail_job" });
    expect(h).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, lastError: "HTTP 500: receiver is down", nextAttemptAt: null });
    expect(h?.deliveredAt).toBeInstanceOf(Date);
    expect(await api().alerts.history({ project: ctx.project.name, job: "fail_job" })).toHaveLength(1);
  });

  it("delivers the same event emitted twice once", async () => {
    received.length = 0;
    const event = { kind: "quality_blocking", job: "fail_job", bizdate: "20241112", rule: "unique_coupon_id", reason: "42 duplicated coupon_id" } as const;
    expect(await emitAlertEvent(ctx, event)).toMatchObject({ created: true, queued: 1 });
    expect(await emitAlertEvent(ctx, { ...event, reason: "said again" })).toMatchObject({ created: false, queued: 0 });
    expect(await deliver()).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(await deliver({ now: later(3_600_000) })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(received.map((r) => r.body.reason)).toEqual(["42 duplicated coupon_id"]);
  });

  it("a failure to record an alert does not undo the change that emitted it", async () => {
    received.length = 0;
    await handle.db.transaction(async (tx) => {
      // A project that does not exist: the event's insert fails inside its savepoint, and is logged.
      await emitAlertEventSafely({ db: tx, project: { id: crypto.randomUUID(), name: "gone" } }, { kind: "quality_warning", job: "fail_job", reason: "lost" });
      await emitAlertEvent({ db: tx, project: ctx.project }, { kind: "quality_warning", job: "fail_job", bizdate: "20241130", reason: "recorded after the failure" });
    });
    await deliver();
    expect(received.map((r) => r.body.reason)).toEqual(["recorded after the failure"]);
  });

  it("sends a channel only the kinds and jobs it wants", async () => {
    received.length = 0;
    await emitAlertEvent(ctx, { kind: "stream_restart", job: "fail_job", reason: "restart of a job stream_team does not follow" });
    await emitAlertEvent(ctx, { kind: "stream_restart", job: "other_job", reason: "restart of other_job" });
    await deliver();
    expect(received.map((r) => r.body.reason)).toEqual(["restart of other_job"]);
  });

  it("keeps retrying a webhook that is down, with the error, and gives up after the last attempt; the instance is failed as it should be", async () => {
    await upsertAlertChannel(ctx, { name: "ops", url: "http://127.0.0.1:9/nothing-listens-here", kinds: ["instance_failed"] });
    await failRun("fail_job", D.addDays(5), "out of memory");
    expect(await deliver({ maxAttempts: 2, timeoutMs: 5000 })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    let [h] = await listAlertHistory(ctx, { job: "fail_job" });
    expect(h).toMatchObject({ bizdate: "20241116", status: "pending", attempts: 1, lastStatusCode: null });
    expect(h?.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    expect(await deliver({ maxAttempts: 2, timeoutMs: 5000, now: later(120_000) })).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    [h] = await listAlertHistory(ctx, { job: "fail_job" });
    expect(h).toMatchObject({ status: "failed", attempts: 2 });
    expect(h?.lastError).toMatch(/^gave up after 2 attempts: /);
    await upsertAlertChannel(ctx, { name: "ops", url, kinds: ["instance_failed", "late_partition", "quality_blocking", "quality_warning", "stream_lag"], lagThreshold: 500 });
  });

  it("ends an attempt the webhook does not answer after the timeout", async () => {
    await upsertAlertChannel(ctx, { name: "silent", url: url.replace("/hooks/T0KEN", "/silent"), kinds: ["stream_restart"], jobs: ["silent_job"] });
    await emitAlertEvent(ctx, { kind: "stream_restart", job: "silent_job", reason: "restart" });
    expect(await deliver({ timeoutMs: 300 })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const [h] = await listAlertHistory(ctx, { job: "silent_job" });
    expect(h).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: null, lastError: "no answer within 300 ms" });
    // Deleting the channel keeps its history; what it had not delivered yet is given up, saying why.
    await api().alerts.deleteChannel({ project: ctx.project.name, name: "silent" });
    await expect(deleteAlertChannel(ctx, "silent")).rejects.toThrow(/alert channel 'silent' does not exist/);
    expect(await deliver({ now: later(3_600_000) })).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect((await listAlertHistory(ctx, { job: "silent_job" }))[0]).toMatchObject({ channel: "silent", status: "failed", lastError: "the channel was deleted" });
  });

  it("sends a delivery once when two deliverers run at the same time", async () => {
    received.length = 0;
    await emitAlertEvent(ctx, { kind: "quality_warning", job: "fail_job", bizdate: "20241120", rule: "row_count", reason: "row count 40 % below last Wednesday" });
    const rounds = await Promise.all([deliver(), deliver(), deliver()]);
    expect(rounds.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    expect(received).toHaveLength(1);
  });

  it("the worker's loop delivers what is queued by itself", async () => {
    received.length = 0;
    await emitAlertEvent(ctx, { kind: "quality_warning", job: "fail_job", bizdate: "20241121", rule: "row_count", reason: "delivered by the loop" });
    const loop = startAlertLoop(handle.db, { projectId: ctx.project.id, deliverEveryMs: 50, lateCheckEveryMs: 3_600_000 });
    try {
      for (let i = 0; i < 600 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await loop.stop();
    }
    expect(received.map((r) => r.body.reason)).toEqual(["delivered by the loop"]);
  });

  it("alerts a day that gave up waiting, and a late day once", async () => {
    received.length = 0;
    await deploy("late_job");
    const ref = { job: "late_job", bizdate: D };
    const scheduledAt = new Date(Date.now() - 3 * 3_600_000);
    await createInstance(scheduler(), { ...ref, deploymentVersion: 1, scheduledAt, trigger: "schedule", upstream: [{ table: "ods_far_away", partition: D.toString() }] });
    expect(await checkLatePartitions(ctx)).toBe(1);
    expect(await checkLatePartitions(ctx)).toBe(0);
    expect(await checkLatePartitions(ctx, { lateAfterMinutes: 240 })).toBe(0);
    await failWaiting(scheduler(), ref);
    await deliver();
    expect(received.map((r) => `${r.body.kind} ${r.body.job}`).sort()).toEqual(["instance_failed late_job", "late_partition late_job"]);
    expect(received.find((r) => r.body.kind === "late_partition")?.body.reason).toMatch(/not ready 3 h after its schedule .*still waiting for ods_far_away\/20241111/);
  });

  it("alerts a stream's lag above the channel's threshold, once an hour", async () => {
    const m = { rowsIn: 10, rowsOut: 10, lag: 800, lagUnit: "rows", lastCheckpoint: null };
    expect(await checkStreamLag(ctx, "fail_job", { ...m, lag: 400 })).toBe(false);
    expect(await checkStreamLag(ctx, "fail_job", m, new Date("2026-01-01T10:05:00Z"))).toBe(true);
    expect(await checkStreamLag(ctx, "fail_job", m, new Date("2026-01-01T10:55:00Z"))).toBe(false);
    expect(await checkStreamLag(ctx, "fail_job", m, new Date("2026-01-01T11:05:00Z"))).toBe(true);
  });
});

describe("the health score of a job", () => {
  it("drops by 5 for a failed instance, names it and the command to look at it", async () => {
    await deploy("health_job");
    expect(await jobHealth(ctx, "health_job")).toMatchObject({ score: 100, findings: [] });
    await failRun("health_job", D, "the sink refused the connection");
    const h = await api().health.job({ project: ctx.project.name, job: "health_job" });
    expect(h.score).toBe(95);
    const all = await api().health.project({ project: ctx.project.name });
    expect(all.find((j) => j.job === "health_job")?.score).toBe(95);
    expect(all.map((j) => j.score)).toEqual([...all.map((j) => j.score)].sort((a, b) => a - b));
    expect(h.findings).toEqual([expect.objectContaining({
      source: "instances", code: "instance_failed", risk: "high",
      message: "2024-11-11 failed (attempt 1): the sink refused the connection",
      action: expect.stringContaining("tandem logs --job health_job --bizdate 2024-11-11") as unknown,
    })]);
  });

  it("counts quality results, drift and restarts recorded as events, and takes a new source from the list", async () => {
    await emitAlertEvent(ctx, { kind: "quality_warning", job: "health_job", bizdate: D.toString(), rule: "null_ratio_user_id", reason: "user_id is NULL in 3 % of rows" });
    expect((await jobHealth(ctx, "health_job")).score).toBe(94);
    await emitAlertEvent(ctx, { kind: "reconciliation_drift", job: "health_job", bizdate: D.toString(), reason: "12 keys differ between stream and batch" });
    await emitAlertEvent(ctx, { kind: "stream_restart", job: "health_job", discriminator: "run1/1", reason: "the engine job died" });
    const h = await jobHealth(ctx, "health_job");
    expect(h.score).toBe(100 - 5 - 1 - 5 - 3);
    // Worst first, the newest first among equals (the drift came after the failure).
    expect(h.findings.map((f) => `${f.risk} ${f.code}`)).toEqual(["high reconciliation_drift", "high instance_failed", "medium stream_restarts", "low quality_warning"]);
    const extra: HealthSource = { name: "custom", findings: () => Promise.resolve([{ source: "custom", code: "custom", risk: "medium", message: "m", action: "a" }]) };
    const broken: HealthSource = { name: "broken", findings: () => Promise.reject(new Error("unreachable")) };
    const custom = await jobHealth(ctx, "health_job", { sources: [extra, broken] });
    expect(custom).toMatchObject({ score: 97, unavailable: ["broken: unreachable"] });
  });

  it("scores the stream's state from the orchestrator: failed, lagging, no checkpoint", async () => {
    const now = new Date();
    const stream = (over: object) => ({ streamStatus: () => Promise.resolve({ version: 1, state: "running" as const, restarts: 0, lastError: null, savepoint: null, metrics: { rowsIn: 1, rowsOut: 1, lag: 10, lagUnit: "rows", lastCheckpoint: { id: "7", at: now.toISOString() } }, ...over }) });
    const codes = async (over: object) => (await jobHealth(ctx, "late_job", { orchestrator: stream(over), now, sources: undefined })).findings.filter((f) => f.source === "stream").map((f) => `${f.risk} ${f.code}`);
    expect(await codes({})).toEqual([]);
    expect(await codes({ state: "failed", lastError: "the stream SQL changed", metrics: null })).toEqual(["high stream_failed"]);
    expect(await codes({ metrics: { rowsIn: 1, rowsOut: 1, lag: 9000, lagUnit: "rows", lastCheckpoint: null } })).toEqual(["medium stream_lag", "medium no_checkpoint"]);
  });

  it("names a day that is late and what it waits for, with the command that releases it", async () => {
    const h = await jobHealth(ctx, "late_job", { now: new Date() });
    expect(h.findings.map((f) => `${f.risk} ${f.code}`)).toEqual(["high instance_failed"]);
    await createInstance(scheduler(), { job: "late_job", bizdate: D.addDays(1), deploymentVersion: 1, scheduledAt: new Date(Date.now() - 5 * 3_600_000), trigger: "schedule", upstream: [{ table: "ods_far_away", partition: D.toString() }] });
    const late = (await jobHealth(ctx, "late_job")).findings.find((f) => f.code === "instance_late");
    expect(late).toMatchObject({ risk: "medium", message: "2024-11-12 is 5 h past its schedule and still waiting for ods_far_away/20241111" });
    expect(late?.action).toMatch(/tandem logs --job late_job --bizdate 2024-11-12; .* tandem mark-ready --table ods_far_away --partition 2024-11-11$/);
    expect((await jobHealth(ctx, "late_job")).score).toBe(100 - 5 - 3);
  });

  it("refuses a job that was never deployed", async () => {
    await expect(jobHealth(ctx, "no_such_job")).rejects.toThrow(NotFoundError);
    await expect(jobHealth(ctx, "no_such_job")).rejects.toThrow(/never deployed/);
  });
});
