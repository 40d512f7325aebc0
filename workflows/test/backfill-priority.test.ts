import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../../server/context";
import { deployJob } from "../../server/jobs/deployments";
import { batchInstanceWorkflowId } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
import { getInstance, markPartitionReady } from "../../server/runs/index";
import { Bizdate, bizdateRange } from "../../server/scheduling/index";
import { applyDemoProject, type DemoProject } from "../../server/testing/demo-project";
import type { InstanceProgress } from "../activities/scheduler";
import { TemporalOrchestrator } from "../orchestrator";
import { startWorker, type RunningWorker } from "../worker";
import { GatedEngine } from "./fixtures/gated-engine";
import { startTestEnv, uniqueId, type TestEnv } from "./helpers";

// A scheduled day keeps its priority over a backfill: the backfill's engine runs take slots of their own
// (the backfill task queue), so with the backfill's runs stuck in flight and more of its days queued, a
// scheduled day still gets a slot and runs at once. The main queue has only 2 slots here: were the
// backfill's runs on it, they would hold both and the scheduled day could not even be created.

const JOB = "coupon_daily_stats";
let env: TestEnv;
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let worker: RunningWorker;
let orchestrator: TemporalOrchestrator;
const engine = new GatedEngine();
const TQ = uniqueId("priority");
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-priority-"));

beforeAll(async () => {
  env = await startTestEnv();
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "priority");
  ctx = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
  await deployJob(ctx, { job: JOB });
  orchestrator = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 200 });
  worker = await startWorker({
    target: { address: env.address, namespace: env.namespace, embedded: true },
    taskQueue: TQ,
    activityDeps: { scheduler: { db: handle.db, secretBox: demo.secretBox, engines: engine.registry(), dataDir: path.join(base, ".tandem"), orchestrator } },
    workerOptions: { maxConcurrentActivityTaskExecutions: 2, shutdownGraceTime: "1s" },
    backfillSlots: 2,
  });
}, 180_000);

afterAll(async () => {
  engine.open();
  await worker?.stop();
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

describe("a scheduled day during a backfill", () => {
  it("runs at once while the backfill's runs hold their own slots", async () => {
    const backfillDays = bizdateRange(Bizdate.parse("20240101"), Bizdate.parse("20240106"));
    const today = Bizdate.parse("20240201");
    for (const d of [...backfillDays, today]) await markPartitionReady(ctx, { table: "ods_coupon_events_di", partition: d.toString() });
    for (const d of backfillDays) engine.gate(d.format("yyyy-MM-dd"));

    const { workflowId } = await orchestrator.startBackfill({ project: demo.project, job: JOB, from: "20240101", to: "20240106", downstream: false, concurrency: 4 });
    // Four days in flight, two of them running on the engine (the backfill's two slots), two queued.
    const busy = await until(() => orchestrator.backfillStatus(workflowId), (s) => s.running.length === 4 && engine.inFlight === 2);
    expect(busy.running).toHaveLength(4);
    expect(engine.inFlight).toBe(2);

    const started = Date.now();
    await orchestrator.startBatchInstance({ project: demo.project, job: JOB, bizdate: today.toString(), trigger: "schedule" });
    const finished = env.client.workflow.getHandle(batchInstanceWorkflowId(demo.project, JOB, today.toString())).result() as Promise<InstanceProgress>;
    const stuck = new Promise<{ state: string }>((r) => setTimeout(() => r({ state: "still not finished after 10 s" }), 10_000));
    expect((await Promise.race([finished, stuck])).state).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(5_000);
    // The backfill is still stuck where it was: the scheduled day did not wait for it.
    expect((await orchestrator.backfillStatus(workflowId)).done).toBe(0);
    expect(engine.inFlight).toBe(2);

    engine.open();
    const final = await until(() => orchestrator.backfillStatus(workflowId), (s) => s.finished, 60_000);
    expect(final).toMatchObject({ total: 6, succeeded: 6, failed: 0 });
    expect(engine.maxInFlight).toBe(3); // two backfill runs and the scheduled one, never more
    expect((await getInstance(ctx, { job: JOB, bizdate: today })).trigger).toBe("schedule");
  }, 120_000);
});
