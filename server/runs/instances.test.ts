import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { testProject } from "../auth/testing";
import type { ProjectRef } from "../context";
import { PreconditionFailedError } from "../errors";
import { Bizdate } from "../scheduling/index";
import {
  createInstance, failWaiting, finishInstance, getInstance, instanceEventLog, listInstances, listPartitions, markPartitionReady,
  rerunInstance, startInstance, stopInstance, type RegistryContext, type RunMetrics,
} from "./index";

// The run domain over the real database (PGlite, or Postgres with DATABASE_URL): instances wait for their
// upstream partitions, are released when those become ready, run, publish their own partition, and keep a
// log of every step.

let handle: DatabaseHandle;
let project: ProjectRef;
const scheduler = (): RegistryContext => ({ db: handle.db, actor: { kind: "system", reason: "scheduler" }, project });
const person = (): RegistryContext => ({ db: handle.db, actor: { kind: "user", userId: "u1", email: "ops@example.test" }, project });
const D = Bizdate.parse("2024-11-11");
const metrics = (rowsOut: number): RunMetrics => ({ rowsIn: rowsOut * 10, rowsOut, partitionsRead: ["ods/20241111"], durationMs: 120 });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = await testProject(handle.db, "runs");
});
afterAll(async () => {
  await handle.close();
});

describe("batch instances and the partition registry", () => {
  it("waits for what is missing, is released when it is ready, runs, and releases its downstream", async () => {
    const base = { deploymentVersion: 1, scheduledAt: new Date("2024-11-12T00:30:00Z"), trigger: "schedule" as const };
    const up = await createInstance(scheduler(), { ...base, job: "dws_daily", bizdate: D, upstream: [{ table: "ods_events", partition: D.toString() }] });
    expect(up.created).toBe(true);
    expect(up.instance).toMatchObject({ state: "waiting", waitingFor: [{ table: "ods_events", partition: "20241111" }], attempt: 1 });
    const down = await createInstance(scheduler(), {
      ...base, job: "ads_report", bizdate: D,
      upstream: [{ table: "dws_daily_t", partition: D.toString() }, { table: "dim_coupon", partition: D.toString() }],
    });
    expect(down.instance.state).toBe("waiting");

    // Idempotent: the schedule firing twice creates nothing new.
    const again = await createInstance(scheduler(), { ...base, job: "dws_daily", bizdate: D, upstream: [] });
    expect(again).toMatchObject({ created: false, instance: { id: up.instance.id, state: "waiting" } });

    // Only the scheduler starts queued instances: a waiting one cannot start.
    await expect(startInstance(scheduler(), { job: "dws_daily", bizdate: D })).rejects.toThrow(PreconditionFailedError);

    // The ods partition lands (marked by hand): dws is released, nothing else.
    const marked = await markPartitionReady(person(), { table: "ods_events", partition: D.toString() }, { rows: 1000 });
    expect(marked.partition).toMatchObject({ rows: 1000, markedBy: "ops@example.test", producedBy: null });
    expect(marked.instances).toEqual([{ id: up.instance.id, job: "dws_daily", bizdate: "20241111", released: true }]);

    await startInstance(scheduler(), { job: "dws_daily", bizdate: D }, { engineJobId: "local-1" });
    const done = await finishInstance(scheduler(), { job: "dws_daily", bizdate: D }, {
      outcome: "succeeded", metrics: metrics(42), output: [{ key: { table: "dws_daily_t", partition: D.toString() }, rows: 42 }],
    });
    expect(done.instance).toMatchObject({ state: "succeeded", metrics: { rowsOut: 42 } });
    // ads still waits for the dimension; the event says for what.
    expect(done.released).toEqual([{ id: down.instance.id, job: "ads_report", bizdate: "20241111", released: false }]);
    expect((await getInstance(scheduler(), { job: "ads_report", bizdate: D })).waitingFor).toEqual([{ table: "dim_coupon", partition: "20241111" }]);
    expect((await listPartitions(scheduler(), "dws_daily_t"))[0]).toMatchObject({ partition: "20241111", rows: 42, producedBy: up.instance.id, markedBy: "system:scheduler" });

    const dim = await markPartitionReady(person(), { table: "dim_coupon", partition: D.toString() });
    expect(dim.instances).toMatchObject([{ job: "ads_report", released: true }]);
    expect((await getInstance(scheduler(), { job: "ads_report", bizdate: D })).state).toBe("queued");

    const log = await instanceEventLog(scheduler(), { job: "dws_daily", bizdate: D });
    expect(log.map((e) => [e.kind, e.actor])).toEqual([
      ["created", "system:scheduler"], ["waiting", "system:scheduler"], ["queued", "ops@example.test"],
      ["running", "system:scheduler"], ["succeeded", "system:scheduler"],
    ]);
    expect(log[1]?.message).toBe("waiting for ods_events/20241111");
    expect(log[4]?.message).toMatch(/420 rows in, 42 rows out/);
  });

  it("reruns a finished day as its next attempt, and refuses to rerun a running one", async () => {
    const ref = { job: "rerun_job", bizdate: D };
    await createInstance(scheduler(), { ...ref, deploymentVersion: 3, scheduledAt: new Date(), trigger: "manual", upstream: [] });
    await startInstance(scheduler(), ref);
    await expect(rerunInstance(person(), ref, { deploymentVersion: 3, upstream: [], reason: "" })).rejects.toThrow(/only a finished instance .* cancel it first/);
    await finishInstance(scheduler(), ref, { outcome: "failed", error: "engine said no" });
    expect(await getInstance(scheduler(), ref)).toMatchObject({ state: "failed", error: "engine said no" });
    const rerun = await rerunInstance(person(), ref, { deploymentVersion: 3, upstream: [], reason: "fixed the input" });
    expect(rerun).toMatchObject({ state: "queued", attempt: 2, trigger: "rerun", error: null, metrics: null });
    const log = await instanceEventLog(scheduler(), ref);
    expect(log.filter((e) => e.attempt === 2).map((e) => e.kind)).toEqual(["rerun", "queued"]);
    expect(log.find((e) => e.kind === "failed")?.message).toBe("attempt 1 failed: engine said no");
  });

  it("fails a waiting instance that gave up with the partitions it lacked; cancels and skips with a reason", async () => {
    const day = D.addDays(1);
    const base = { deploymentVersion: 1, scheduledAt: new Date(), trigger: "schedule" as const };
    await createInstance(scheduler(), { ...base, job: "late_job", bizdate: day, upstream: [{ table: "never", partition: day.toString() }] });
    expect(await failWaiting(scheduler(), { job: "late_job", bizdate: day })).toMatchObject({ state: "failed", error: "gave up waiting for never/20241112" });
    await createInstance(scheduler(), { ...base, job: "cancel_job", bizdate: day, upstream: [] });
    expect(await stopInstance(person(), { job: "cancel_job", bizdate: day }, "cancel", "wrong day")).toMatchObject({ state: "cancelled" });
    await expect(stopInstance(person(), { job: "cancel_job", bizdate: day }, "skip", "")).rejects.toThrow(/already was cancelled; rerun it/);
    // The partition arriving later releases nothing: the instance no longer waits.
    expect((await markPartitionReady(person(), { table: "never", partition: day.toString() })).instances).toEqual([]);

    const listed = await listInstances(scheduler(), { from: day, to: day });
    expect(listed.map((i) => [i.job, i.state])).toEqual([["cancel_job", "cancelled"], ["late_job", "failed"]]);
    expect((await listInstances(scheduler(), { states: ["failed"], job: "late_job" })).length).toBe(1);
  });

  it("lets exactly one of two concurrent finishers win", async () => {
    const ref = { job: "race_job", bizdate: D };
    await createInstance(scheduler(), { ...ref, deploymentVersion: 1, scheduledAt: new Date(), trigger: "schedule", upstream: [] });
    await startInstance(scheduler(), ref);
    const results = await Promise.allSettled([
      finishInstance(scheduler(), ref, { outcome: "succeeded", metrics: metrics(1), output: [] }),
      stopInstance(person(), ref, "cancel", "user pressed cancel"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const final = await getInstance(scheduler(), ref);
    expect(["succeeded", "cancelled"]).toContain(final.state);
    const log = await instanceEventLog(scheduler(), ref);
    expect(log.filter((e) => e.kind === "succeeded" || e.kind === "cancelled")).toHaveLength(1);
  });
});
