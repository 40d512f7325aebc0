import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { WorkflowFailedError } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../../server/context";
import { writeHistoryPartition } from "../../server/demo/generator";
import { createEngineRegistry, type EngineRegistry } from "../../server/engines/registry";
import { deployJob } from "../../server/jobs/deployments";
import { batchInstanceWorkflowId } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
import { getInstance, instanceEventLog, listPartitions, markPartitionReady } from "../../server/runs/index";
import { Bizdate } from "../../server/scheduling/index";
import { applyDemoProject, type DemoProject } from "../../server/testing/demo-project";
import type { InstanceProgress } from "../activities/scheduler";
import { TemporalOrchestrator } from "../orchestrator";
import { startWorker, type RunningWorker } from "../worker";
import { startTestEnv, uniqueId, type TestEnv } from "./helpers";

// The batch instance workflow with Tandem's real workflow code and activities on the embedded Temporal
// service: the demo's daily job waits for its day's partition, runs when the files land, publishes its
// output once; a day whose input never comes fails naming it; cancelling a waiting day cancels it.

const JOB = "coupon_daily_stats";
let env: TestEnv;
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let engines: EngineRegistry;
let worker: RunningWorker;
let orchestrator: TemporalOrchestrator;
const TQ = uniqueId("scheduler");
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-scheduler-"));
const dataDir = path.join(base, ".tandem");
const warehouse = (table: string) => path.join(dataDir, "demo", "warehouse", table);

beforeAll(async () => {
  env = await startTestEnv();
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "sched");
  ctx = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
  await deployJob(ctx, { job: JOB });
  engines = createEngineRegistry({ dataDir });
  orchestrator = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 300 });
  worker = await startWorker({
    target: { address: env.address, namespace: env.namespace, embedded: true },
    taskQueue: TQ,
    activityDeps: { scheduler: { db: handle.db, secretBox: demo.secretBox, engines, dataDir, orchestrator } },
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await engines?.close();
  await env?.close();
  await handle?.close();
  fs.rmSync(base, { recursive: true, force: true });
}, 60_000);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the batch instance workflow", () => {
  it("waits for the day's partition, runs when its files land, and publishes the output once", async () => {
    const D = Bizdate.parse("2024-11-11");
    const ref = { job: JOB, bizdate: D };
    expect(await orchestrator.startBatchInstance({ project: demo.project, job: JOB, bizdate: D.toString(), trigger: "schedule" })).toMatchObject({ started: true });
    // One workflow per job and day: starting it again finds the running one.
    expect(await orchestrator.startBatchInstance({ project: demo.project, job: JOB, bizdate: D.toString(), trigger: "schedule" })).toMatchObject({ started: false });

    const waiting = await until(() => getInstance(ctx, ref).catch(() => undefined), (i) => i?.state === "waiting");
    expect(waiting).toMatchObject({ state: "waiting", waitingFor: [{ table: "ods_coupon_events_di", partition: "20241111" }] });
    await new Promise((r) => setTimeout(r, 700)); // a few sensor passes find nothing
    expect((await getInstance(ctx, ref)).state).toBe("waiting");

    await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day: "2024-11-11", count: 2000, seed: 3 });
    const result = await env.client.workflow.getHandle(batchInstanceWorkflowId(demo.project, JOB, D.toString())).result() as InstanceProgress;
    expect(result).toMatchObject({ state: "succeeded", waitingFor: [] });
    expect(await getInstance(ctx, ref)).toMatchObject({ state: "succeeded", metrics: { rowsIn: 2000 } });
    expect((await listPartitions(ctx, "ads_coupon_daily_di")).map((p) => p.partition)).toEqual(["20241111"]);
    expect(fs.readdirSync(path.join(warehouse("ads_coupon_daily_di"), "dt=2024-11-11")).filter((f) => f.endsWith(".parquet"))).toHaveLength(1);
    const kinds = (await instanceEventLog(ctx, ref)).map((e) => `${e.kind}:${e.actor}`);
    expect(kinds).toEqual(["created:system:scheduler", "waiting:system:scheduler", "queued:system:file-sensor", "running:system:scheduler", "succeeded:system:scheduler"]);
  }, 120_000);

  it("gives up on a partition that never comes, naming it", async () => {
    const D = Bizdate.parse("2024-11-12");
    const impatient = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 200, waitTimeoutMs: 1500 });
    const { workflowId } = await impatient.startBatchInstance({ project: demo.project, job: JOB, bizdate: D.toString(), trigger: "manual" });
    const result = await env.client.workflow.getHandle(workflowId).result() as InstanceProgress;
    expect(result).toMatchObject({ state: "failed", error: "gave up waiting for ods_coupon_events_di/20241112" });
  }, 60_000);

  it("cancelling the workflow of a waiting day cancels the instance", async () => {
    const D = Bizdate.parse("2024-11-13");
    const ref = { job: JOB, bizdate: D };
    // A long sensor interval: the cancel reaches the workflow while it sleeps. (On the embedded service a
    // cancel that lands in the same workflow task as a newly scheduled activity fails that task: docs/temporal-dev-service.md.)
    const patient = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 60_000 });
    const { workflowId } = await patient.startBatchInstance({ project: demo.project, job: JOB, bizdate: D.toString(), trigger: "manual" });
    await until(() => getInstance(ctx, ref).catch(() => undefined), (i) => i?.state === "waiting");
    await new Promise((r) => setTimeout(r, 500)); // past the first sensor pass
    await patient.cancelBatchInstance(demo.project, JOB, D.toString());
    await expect(env.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(await until(() => getInstance(ctx, ref), (i) => i.state === "cancelled")).toMatchObject({ state: "cancelled" });
  }, 60_000);

  it("a deployed job's schedule starts the instance of the day each firing stands for", async () => {
    const project = demo.project;
    await orchestrator.scheduleJob(project, JOB, { cron: "* * * * * *", timezone: "UTC" });
    // Updating the schedule of the same job replaces it (one schedule per job).
    await orchestrator.scheduleJob(project, JOB, { cron: "* * * * * *", timezone: "UTC" });
    const fired = new Date();
    const yesterday = Bizdate.parse(new Date(fired.getTime() - 86_400_000).toISOString().slice(0, 10));
    const ref = { job: JOB, bizdate: yesterday };
    const instance = await until(() => getInstance(ctx, ref).catch(() => undefined), (i) => i !== undefined);
    await orchestrator.unscheduleJob(project, JOB);
    await orchestrator.unscheduleJob(project, JOB); // nothing left to remove: no error
    expect(instance).toMatchObject({ trigger: "schedule", deploymentVersion: 1, state: "waiting" });
    expect(Math.abs((instance?.scheduledAt.getTime() ?? 0) - fired.getTime())).toBeLessThan(10_000);
    await orchestrator.cancelBatchInstance(project, JOB, yesterday.toString());
    expect(await until(() => getInstance(ctx, ref), (i) => i.state === "cancelled")).toMatchObject({ state: "cancelled" });
  }, 60_000);

  it("a manual dependency on the previous day: day D runs only once D-1 of its upstream has succeeded", async () => {
    // The same job, in a project of its own, declares it needs its own previous day (a cumulative job).
    const cumulative = await applyDemoProject(handle.db, "sched_deps", (file) => {
      const job = file.jobs.find((j) => j.name === JOB);
      if (job) job.batch.dependsOn = [{ job: JOB, offsetDays: -1 }];
    });
    const ctx2: ProjectContext = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, cumulative.project) };
    await deployJob(ctx2, { job: JOB });
    for (const day of ["2024-12-01", "2024-12-02"]) await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day, count: 300, seed: 11 });
    const [prev, day] = [Bizdate.parse("20241201"), Bizdate.parse("20241202")];

    await orchestrator.startBatchInstance({ project: cumulative.project, job: JOB, bizdate: day.toString(), trigger: "manual" });
    // Its own input is on disk: what it still waits for is the previous day's output.
    const waiting = await until(() => getInstance(ctx2, { job: JOB, bizdate: day }).catch(() => undefined), (i) => i?.state === "waiting" && i.waitingFor.length === 1);
    expect(waiting?.waitingFor).toEqual([{ table: "ads_coupon_daily_di", partition: "20241201" }]);
    await new Promise((r) => setTimeout(r, 700)); // sensor passes do not release it: a produced table is not sensed
    expect((await getInstance(ctx2, { job: JOB, bizdate: day })).state).toBe("waiting");

    // The first day of the chain has no previous output: someone marks it by hand.
    await markPartitionReady(ctx2, { table: "ads_coupon_daily_di", partition: "20241130" });
    const { workflowId } = await orchestrator.startBatchInstance({ project: cumulative.project, job: JOB, bizdate: prev.toString(), trigger: "manual" });
    expect(await env.client.workflow.getHandle(workflowId).result()).toMatchObject({ state: "succeeded" });
    const result = await env.client.workflow.getHandle(batchInstanceWorkflowId(cumulative.project, JOB, day.toString())).result() as InstanceProgress;
    expect(result).toMatchObject({ state: "succeeded" });
    const prevDone = (await instanceEventLog(ctx2, { job: JOB, bizdate: prev })).find((e) => e.kind === "succeeded");
    const dayRunning = (await instanceEventLog(ctx2, { job: JOB, bizdate: day })).find((e) => e.kind === "running");
    expect(dayRunning?.at.getTime()).toBeGreaterThanOrEqual(prevDone?.at.getTime() ?? Infinity);
  }, 90_000);

  it("backfills a range a few days at a time, with progress, and one missing day failing alone", async () => {
    for (const day of ["2024-11-20", "2024-11-22"]) await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day, count: 500, seed: 5 });
    const quick = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 200, waitTimeoutMs: 1500 });
    const input = { project: demo.project, job: JOB, from: "20241120", to: "20241122", downstream: false, concurrency: 2 };
    const { workflowId, started } = await quick.startBackfill(input);
    expect(started).toBe(true);
    expect((await quick.startBackfill(input)).started).toBe(false); // one backfill per job and range at a time
    const seen = await until(() => quick.backfillStatus(workflowId).catch(() => undefined), (s) => s !== undefined && s.total === 3);
    expect(seen?.total).toBe(3);
    const final = await until(() => quick.backfillStatus(workflowId), (s) => s.finished, 60_000);
    expect(final).toMatchObject({ finished: true, total: 3, done: 3, succeeded: 2, failed: 1, running: [] });
    expect(final.failures).toEqual([{ job: JOB, bizdate: "20241121", error: "gave up waiting for ods_coupon_events_di/20241121" }]);
    expect((await listPartitions(ctx, "ads_coupon_daily_di")).map((p) => p.partition)).toEqual(expect.arrayContaining(["20241120", "20241122"]));
    expect((await getInstance(ctx, { job: JOB, bizdate: Bizdate.parse("20241120") })).trigger).toBe("backfill");
  }, 90_000);
});
