import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../db/client";
import { jobDeployments } from "../../db/schema/index";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../context";
import { writeHistoryPartition } from "../demo/generator";
import { createEngineRegistry, type EngineRegistry } from "../engines/registry";
import { deployJob } from "../jobs/deployments";
import { getProject } from "../projects/projects";
import { Bizdate } from "../scheduling/index";
import { applyDemoProject, type DemoProject } from "../testing/demo-project";
import { executeInstance, getInstance, instanceEventLog, listPartitions, markPartitionReady, rerunInstance, scheduleInstance, senseUpstream } from "./index";

// The demo's daily job as the scheduler runs it, without Temporal: its instance waits for the day's
// warehouse partition, is released when the partition's files appear, runs the deployed version on the
// local engine, and publishes its own partition exactly once, also when rerun.

const JOB = "coupon_daily_stats";
const D = Bizdate.parse("2024-11-11");
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let engines: EngineRegistry;
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-runner-"));
const dataDir = path.join(base, ".tandem");
const warehouse = (table: string) => path.join(dataDir, "demo", "warehouse", table);

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "runner");
  ctx = { db: handle.db, actor: { kind: "system", reason: "scheduler" }, project: await getProject(handle.db, demo.project) };
  await deployJob({ ...ctx, actor: { kind: "local" } }, { job: JOB });
  engines = createEngineRegistry({ dataDir });
}, 60_000);
afterAll(async () => {
  await engines.close();
  await handle.close();
  fs.rmSync(base, { recursive: true, force: true });
});

describe("running a deployed job's daily instance", () => {
  it("waits for the missing input partition, runs once its files are there, and publishes its output", async () => {
    const ref = { job: JOB, bizdate: D };
    const created = await scheduleInstance(ctx, { ...ref, trigger: "schedule", scheduledAt: new Date("2024-11-12T00:30:00Z") });
    expect(created).toMatchObject({ state: "waiting", deploymentVersion: 1, waitingFor: [{ table: "ods_coupon_events_di", partition: "20241111" }] });

    expect(await senseUpstream(ctx, { dataDir }, ref)).toEqual([]);
    expect((await getInstance(ctx, ref)).state).toBe("waiting");

    await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day: "2024-11-11", count: 3000, seed: 7 });
    expect(await senseUpstream(ctx, { dataDir }, ref)).toMatchObject([{ job: JOB, released: true }]);

    const heartbeats: number[] = [];
    const done = await executeInstance(ctx, { engines, secretBox: demo.secretBox, dataDir }, ref, { onStatus: (s) => heartbeats.push(s.metrics.rowsIn), statusEveryMs: 10 });
    expect(done.instance).toMatchObject({ state: "succeeded", metrics: { rowsIn: 3000, partitionsRead: ["ods_coupon_events_di/2024-11-11"] } });
    const out = await listPartitions(ctx, "ads_coupon_daily_di");
    expect(out).toEqual([expect.objectContaining({ partition: "20241111", producedBy: created.id, markedBy: "system:scheduler", rows: done.instance.metrics?.rowsOut })]);
    expect(fs.readdirSync(path.join(warehouse("ads_coupon_daily_di"), "dt=2024-11-11")).filter((f) => f.endsWith(".parquet"))).toHaveLength(1);

    const log = await instanceEventLog(ctx, ref);
    expect(log.map((e) => `${e.kind} by ${e.actor}`)).toEqual([
      "created by system:scheduler", "waiting by system:scheduler", "queued by system:file-sensor", "running by system:scheduler", "succeeded by system:scheduler",
    ]);
  });

  it("a rerun replaces the day's output instead of adding to it", async () => {
    const ref = { job: JOB, bizdate: D };
    const first = (await getInstance(ctx, ref)).metrics?.rowsOut;
    await rerunInstance({ ...ctx, actor: { kind: "local" } }, ref, { deploymentVersion: 1, upstream: [{ table: "ods_coupon_events_di", partition: D.toString() }], reason: "check" });
    const again = await executeInstance(ctx, { engines, secretBox: demo.secretBox, dataDir }, ref);
    expect(again.instance).toMatchObject({ state: "succeeded", attempt: 2 });
    expect(again.instance.metrics?.rowsOut).toBe(first);
    expect(fs.readdirSync(path.join(warehouse("ads_coupon_daily_di"), "dt=2024-11-11")).filter((f) => f.endsWith(".parquet"))).toHaveLength(1);
  });

  it("fails an instance whose input vanished, naming the partition", async () => {
    const day = D.addDays(1);
    const ref = { job: JOB, bizdate: day };
    await scheduleInstance(ctx, { ...ref, trigger: "manual", scheduledAt: new Date() });
    // Marked ready by hand although nothing is on disk: the engine finds no partition and says which.
    await markPartitionReady({ ...ctx, actor: { kind: "local" } }, { table: "ods_coupon_events_di", partition: day.toString() });
    const done = await executeInstance(ctx, { engines, secretBox: demo.secretBox, dataDir }, ref);
    expect(done.instance.state).toBe("failed");
    expect(done.instance.error).toMatch(/ods_coupon_events_di\/2024-11-12/);
  });

  it("refuses a deploy that would make jobs wait for each other in a cycle, naming the path", async () => {
    // Another deployed job that reads this job's output and writes its input.
    await handle.db.insert(jobDeployments).values({
      projectId: ctx.project.id, jobName: "feedback_loop", version: 1, spec: {}, sources: ["ads_coupon_daily"], sinks: ["mix_coupon_events"], deployedBy: "test",
    });
    try {
      await expect(deployJob({ ...ctx, actor: { kind: "local" } }, { job: JOB })).rejects.toThrow(
        /cannot be deployed: deploying 'coupon_daily_stats' would make the deployed jobs wait for each other in a cycle: (coupon_daily_stats -> feedback_loop -> coupon_daily_stats|feedback_loop -> coupon_daily_stats -> feedback_loop)/,
      );
    } finally {
      await handle.db.delete(jobDeployments).where(and(eq(jobDeployments.projectId, ctx.project.id), eq(jobDeployments.jobName, "feedback_loop")));
    }
    expect((await deployJob({ ...ctx, actor: { kind: "local" } }, { job: JOB })).version).toBe(2);
  });
});
