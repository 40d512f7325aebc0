import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bundleWorkflowCode, Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../../server/context";
import { writeTopicDay } from "../../server/demo/generator";
import type { Engine, PhysicalJobSubmission } from "../../server/engines/engine";
import { pgliteDatabase } from "../../server/engines/local/jdbc";
import { createLocalEngine, type EngineRegistry } from "../../server/engines/registry";
import { jobHealth } from "../../server/health/index";
import { deployJob } from "../../server/jobs/deployments";
import type { StreamSupervision } from "../../server/orchestration";
import { getProject } from "../../server/projects/projects";
import { applyDemoProject, type DemoProject } from "../../server/testing/demo-project";
import { TemporalOrchestrator } from "../orchestrator";
import { DEFAULT_WORKFLOWS_PATH, startWorker, type RunningWorker } from "../worker";
import { startTestEnv, uniqueId, type TestEnv } from "./helpers";

// The stream supervisor with Tandem's real workflows and activities on the embedded Temporal service and
// the local engine: the demo job's stream side runs; its engine job dies mid-stream and is restarted from
// its checkpoint (the restart reads only what came after, and the sink counts every generated event
// exactly once); a redeploy moves it to the new version through a savepoint; undeploy stops it with one.

const JOB = "coupon_daily_stats";
let env: TestEnv;
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let sinkDb: PGlite;
let local: ReturnType<typeof createLocalEngine>;
let watched: WatchedEngine;
let worker: RunningWorker;
let orchestrator: TemporalOrchestrator;
const TQ = uniqueId("streams");
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-streams-"));
const dataDir = path.join(base, ".tandem");
const topic = path.join(base, ".tandem", "demo", "topic", "coupon_events");

/** The local engine, remembering the ids of the jobs it was given: the test kills them behind Tandem's back. */
class WatchedEngine implements Engine {
  readonly kind = "local" as const;
  readonly ids: string[] = [];
  constructor(private readonly inner: Engine) {}
  async submit(job: PhysicalJobSubmission) { return this.remember(await this.inner.submit(job)); }
  async resume(job: PhysicalJobSubmission, savepoint: string) { return this.remember(await this.inner.resume(job, savepoint)); }
  status(id: string) { return this.inner.status(id); }
  wait(id: string, opts?: { timeoutMs?: number }) { return this.inner.wait(id, opts); }
  cancel(id: string) { return this.inner.cancel(id); }
  stopWithSavepoint(id: string, opts?: { targetDirectory?: string }) { return this.inner.stopWithSavepoint(id, opts); }
  close() { return this.inner.close(); }
  private remember(r: { id: string }) { this.ids.push(r.id); return r; }
}

beforeAll(async () => {
  env = await startTestEnv();
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "streams");
  ctx = { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
  sinkDb = await PGlite.create();
  local = createLocalEngine({ dataDir, embedded: () => pgliteDatabase(sinkDb) });
  watched = new WatchedEngine(local.engine);
  const engines: EngineRegistry = { kind: "local", engine: () => watched, close: () => local.close() };
  orchestrator = new TemporalOrchestrator(env.client, { taskQueue: TQ, streamSupervisor: { restartBackoffMs: 300, heartbeatTimeoutMs: 10_000 } });
  worker = await startWorker({
    target: { address: env.address, namespace: env.namespace, embedded: true },
    taskQueue: TQ,
    activityDeps: { scheduler: { db: handle.db, secretBox: demo.secretBox, engines, dataDir, orchestrator } },
  });
}, 180_000);

afterAll(async () => {
  await orchestrator?.stopStream(demo.project, JOB).catch(() => undefined);
  await worker?.stop();
  await local?.close();
  await sinkDb?.close();
  await env?.close();
  await handle?.close();
  fs.rmSync(base, { recursive: true, force: true });
}, 60_000);

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read().catch(() => undefined);
    if ((v !== undefined && ok(v)) || Date.now() > end) {
      if (v === undefined) throw new Error("nothing to read before the deadline");
      return v;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Events the sink counted (every event adds 1 to the pv of its day and coupon), and its rows. */
async function sinkCount(): Promise<number> {
  const r = await sinkDb.query<{ n: string | null }>("SELECT sum(pv)::text AS n FROM ads_coupon_daily_rt");
  return Number(r.rows[0]?.n ?? 0);
}

const status = () => orchestrator.streamStatus(demo.project, JOB) as Promise<StreamSupervision>;

describe("the stream supervisor", () => {
  it("runs the stream side, restarts a dead engine job from its checkpoint, moves to a new version through a savepoint, and stops on undeploy", async () => {
    expect(await orchestrator.streamStatus(demo.project, JOB)).toBeUndefined();
    await writeTopicDay(topic, { day: "2024-11-11", count: 3000, users: 500 });
    const v1 = await deployJob(ctx, { job: JOB });
    expect(await orchestrator.startStream({ project: demo.project, job: JOB, version: v1.version })).toMatchObject({ workflowId: `stream/${demo.project}/${JOB}`, started: true });
    expect(await until(sinkCount, (n) => n >= 3000)).toBe(3000);
    const running = await until(status, (s) => s.metrics !== null && s.metrics.rowsIn === 3000);
    expect(running).toMatchObject({ version: 1, state: "running", restarts: 0, metrics: { rowsIn: 3000, lag: 0 } });

    // The engine job dies mid-stream; more events arrive while it is down.
    const first = watched.ids.at(-1) ?? "";
    await watched.cancel(first);
    await writeTopicDay(topic, { day: "2024-11-12", count: 2000, users: 500 });
    const restarted = await until(status, (s) => s.restarts === 1 && s.state === "running");
    expect(restarted.lastError).toMatch(/ended cancelled/);
    expect(await until(sinkCount, (n) => n >= 5000)).toBe(5000);
    expect(watched.ids).toHaveLength(2);
    // The restart resumed from its checkpoint: it read only the events that came after.
    expect((await watched.status(watched.ids[1] ?? "")).metrics.rowsIn).toBe(2000);
    // The restart is recorded: an alert event, and a finding of the job's health.
    const health = await until(() => jobHealth(ctx, JOB), (h) => h.findings.some((f) => f.code === "stream_restarts"));
    expect(health.findings.find((f) => f.code === "stream_restarts")).toMatchObject({ risk: "medium", message: expect.stringMatching(/^the stream side restarted 1 time in the last 24 h; last: .*ended cancelled/) as unknown });

    // A redeploy stops it with a savepoint and resumes the new version from there (not a restart).
    const v2 = await deployJob(ctx, { job: JOB, note: "v2" });
    expect(await orchestrator.startStream({ project: demo.project, job: JOB, version: v2.version })).toMatchObject({ started: false });
    const moved = await until(status, (s) => s.version === 2 && s.state === "running" && s.savepoint !== null);
    expect(moved.restarts).toBe(1);
    expect(fs.existsSync(moved.savepoint ?? "")).toBe(true);
    await writeTopicDay(topic, { day: "2024-11-13", count: 1000, users: 500 });
    expect(await until(sinkCount, (n) => n >= 6000)).toBe(6000);
    expect(watched.ids).toHaveLength(3);
    expect(await watched.status(watched.ids[1] ?? "")).toMatchObject({ state: "stopped" });

    // Undeploy: stopped with a savepoint, and the supervisor ends.
    expect(await orchestrator.stopStream(demo.project, JOB)).toBe(true);
    expect(await watched.status(watched.ids[2] ?? "")).toMatchObject({ state: "stopped" });
    const stopped = await status();
    expect(stopped).toMatchObject({ version: 2, state: "stopped", restarts: 1 });
    expect(stopped.savepoint).not.toBe(moved.savepoint);
    expect(await orchestrator.stopStream(demo.project, JOB)).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(await sinkCount()).toBe(6000);

    // The supervisor's history (a restart, a redeploy, a stop) replays on its code without nondeterminism.
    const history = await env.client.workflow.getHandle(`stream/${demo.project}/${JOB}`).fetchHistory();
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: DEFAULT_WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
    await Worker.runReplayHistory({ workflowBundle }, history);
  }, 180_000);

  it("gives up on a stream side that cannot run as deployed, saying why, instead of restarting it forever", async () => {
    const job = "coupon_minutely"; // never deployed
    const { workflowId } = await orchestrator.startStream({ project: demo.project, job, version: 1 });
    const result = await env.client.workflow.getHandle(workflowId).result() as StreamSupervision;
    expect(result).toMatchObject({ state: "failed", restarts: 0, lastError: expect.stringMatching(/coupon_minutely/) });
    expect(await orchestrator.streamStatus(demo.project, job)).toMatchObject({ state: "failed" });
    expect(await orchestrator.stopStream(demo.project, job)).toBe(false);
  }, 60_000);

  it("does not hold an undeploy forever when no worker can stop the stream", async () => {
    const nobody = new TemporalOrchestrator(env.client, { taskQueue: uniqueId("no-worker"), stopWaitMs: 500 });
    await nobody.startStream({ project: demo.project, job: "coupon_campaign_to_date", version: 1 });
    const asked = Date.now();
    expect(await nobody.stopStream(demo.project, "coupon_campaign_to_date")).toBe(true);
    expect(Date.now() - asked).toBeLessThan(5000);
    await env.client.workflow.getHandle(`stream/${demo.project}/coupon_campaign_to_date`).terminate("test over");
  }, 30_000);
});
