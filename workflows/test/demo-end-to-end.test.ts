import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bundleWorkflowCode, Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { appRouter } from "../../server/api/root";
import { createCallerFactory } from "../../server/api/trpc";
import { writeHistoryPartition, writeTopicDay } from "../../server/demo/generator";
import { DuckSession, lit } from "../../server/engines/local/duck";
import { pgliteDatabase } from "../../server/engines/local/jdbc";
import { createLocalEngine, type EngineRegistry } from "../../server/engines/registry";
import { batchInstanceWorkflowId, jobScheduleId, streamSupervisorWorkflowId } from "../../server/orchestration";
import type { BatchInstance, InstanceEvent, PartitionRecord } from "../../server/runs/index";
import { nextRuns } from "../../server/scheduling/next-runs";
import { applyDemoProject, type DemoProject } from "../../server/testing/demo-project";
import type { InstanceProgress } from "../activities/scheduler";
import { TemporalOrchestrator } from "../orchestrator";
import { DEFAULT_WORKFLOWS_PATH, startWorker, type RunningWorker } from "../worker";
import { startTestEnv, uniqueId, type TestEnv } from "./helpers";

// Issue #13's story in one scenario, through the entry points people use (the tRPC procedures the web app,
// and the CLI's same operations, call) on the embedded Temporal service with Tandem's real worker and the
// local engine: the demo project is applied and a second daily job that reads the demo job's output is
// created; deploying both starts the demo's stream side and schedules both; a day whose input partition is
// missing waits, saying for what, and its downstream day waits for it; the demo generator writes the
// partition: the day runs, writes its output once, marks it ready and wakes its downstream; a rerun of the
// day replaces its partition rather than adding a second copy.

const DEMO_JOB = "coupon_daily_stats";
const DOWN_JOB = "coupon_redeemed_daily";
const DAY = "2024-11-11";
const BIZDATE = "20241111";
const INPUT = "ods_coupon_events_di";
const OUTPUT = "ads_coupon_daily_di";
const DOWN_OUTPUT = "ads_coupon_redeemed_di";
// The downstream job's schedule differs from the demo's in every field the deploy must carry over.
const DOWN_SCHEDULE = { cron: "0 15 2 * * *", timezone: "Asia/Shanghai", bizdateOffsetDays: -1 };

let env: TestEnv;
let handle: DatabaseHandle;
let demo: DemoProject;
let sinkDb: PGlite;
let local: ReturnType<typeof createLocalEngine>;
let worker: RunningWorker;
let orchestrator: TemporalOrchestrator;
let duck: DuckSession;
const TQ = uniqueId("demo-e2e");
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-demo-e2e-"));
const dataDir = path.join(base, ".tandem");
const warehouse = (table: string) => path.join(dataDir, "demo", "warehouse", table);
const topic = path.join(dataDir, "demo", "topic", "coupon_events");

/** The tRPC API as the local operator of the embedded single-user mode, with Temporal behind its port. */
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: demo.secretBox, orchestrator });

beforeAll(async () => {
  env = await startTestEnv();
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "demo_e2e");
  // The local engine with the embedded serving database (the demo's jdbc sink) on a PGlite of its own.
  sinkDb = await PGlite.create();
  local = createLocalEngine({ dataDir, embedded: () => pgliteDatabase(sinkDb) });
  const engines: EngineRegistry = { kind: "local", engine: () => local.engine, close: () => local.close() };
  // The file sensor looks every 500 ms instead of every minute; nothing else is shortened.
  orchestrator = new TemporalOrchestrator(env.client, { taskQueue: TQ, pollMs: 500, stopWaitMs: 30_000 });
  worker = await startWorker({
    target: { address: env.address, namespace: env.namespace, embedded: true },
    taskQueue: TQ,
    activityDeps: { scheduler: { db: handle.db, secretBox: demo.secretBox, engines, dataDir, orchestrator } },
  });
  duck = await DuckSession.open();
}, 180_000);

afterAll(async () => {
  for (const job of [DEMO_JOB, DOWN_JOB]) {
    await orchestrator?.unscheduleJob(demo.project, job).catch(() => undefined);
    await orchestrator?.stopStream(demo.project, job).catch(() => undefined);
  }
  duck?.close();
  await worker?.stop();
  await local?.close();
  await sinkDb?.close();
  await env?.close();
  await handle?.close();
  fs.rmSync(base, { recursive: true, force: true });
}, 90_000);

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Polls `read` until `ok`; past the deadline fails with what it last saw. */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await read();
      error = undefined;
      if (ok(last)) return last;
    } catch (e) {
      error = e;
    }
    if (Date.now() > end) throw new Error(`${what}: still not so after ${ms} ms; last seen ${error instanceof Error ? error.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const day = (job: string) => api().instances.get({ project: demo.project, job, bizdate: BIZDATE });
const partitions = (table: string): Promise<PartitionRecord[]> => api().instances.partitions({ project: demo.project, table });

/** The day's workflow result; a workflow that does not finish fails the test saying why (its last failed task), not by the test's timeout. */
async function instanceResult(job: string, ms = 180_000): Promise<InstanceProgress> {
  const handle = env.client.workflow.getHandle(batchInstanceWorkflowId(demo.project, job, BIZDATE));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void handle.fetchHistory().then((h) => {
      const failed = (h.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).at(-1)?.workflowTaskFailedEventAttributes?.failure?.message;
      reject(new Error(`the ${job} day's workflow did not finish in ${ms} ms${failed ? `; its last workflow task failed: ${failed}` : ""}`));
    }, reject), ms);
  });
  try {
    return await Promise.race([handle.result() as Promise<InstanceProgress>, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
const steps = (events: InstanceEvent[], attempt: number) => events.filter((e) => e.attempt === attempt).map((e) => `${e.kind} by ${e.actor}`);

/** How many times the day's workflow has looked for its input files on disk. */
async function sensorPasses(job: string): Promise<number> {
  const history = await env.client.workflow.getHandle(batchInstanceWorkflowId(demo.project, job, BIZDATE)).fetchHistory();
  // The sensor runs as a local activity: a marker whose details name the activity type.
  const localActivity = (e: NonNullable<typeof history.events>[number]): string => {
    const details = e.markerRecordedEventAttributes?.details?.data?.payloads ?? [];
    return details.map((p) => (p.data ? Buffer.from(p.data).toString("utf8") : "")).join("");
  };
  return (history.events ?? []).filter((e) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name === "senseBatchInstance" || localActivity(e).includes("\"senseBatchInstance\"")).length;
}

/** Every file under a table's folder (hidden temporary files included), relative to it, and the rows of its partition of the day. */
async function onDisk(table: string): Promise<{ files: string[]; rows: number }> {
  const root = warehouse(table);
  const files = fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort() : [];
  const dayFiles = files.filter((f) => f.startsWith(`dt=${DAY}${path.sep}`) && f.endsWith(".parquet"));
  const rows = dayFiles.length === 0 ? 0 : Number(await duck.scalar(`SELECT count(*) FROM read_parquet(${lit(path.join(root, `dt=${DAY}`, "*.parquet"))})`));
  return { files, rows };
}

describe("the demo project end to end", () => {
  it("deploys and schedules, waits for a missing day, runs it once the partition lands, wakes its downstream, and a rerun replaces the output", async () => {
    const P = { project: demo.project };

    // 1. A second, downstream daily job reading the demo job's output table, created as the workbench does
    //    (its table, meta-table and job saved through the API), then both deployed through the API.
    const columns = [{ name: "dt", type: "STRING" }, { name: "coupon_id", type: "BIGINT" }, { name: "redeemed", type: "BIGINT" }, { name: "gmv_cents", type: "BIGINT" }];
    await api().catalog.tables.create({
      ...P, spec: {
        name: DOWN_OUTPUT, connection: "demo_warehouse", kind: "batch", columns, partition: { column: "dt", format: "yyyy-MM-dd" },
        options: { path: `.tandem/demo/warehouse/${DOWN_OUTPUT}`, format: "parquet" },
      },
    });
    await api().catalog.metaTables.create({
      ...P, spec: { name: "ads_coupon_redeemed", columns, source: { table: DOWN_OUTPUT, mappings: { dt: "dt", coupon_id: "coupon_id", redeemed: "redeemed", gmv_cents: "gmv_cents" } } },
    });
    await api().jobs.create({
      ...P, spec: {
        name: DOWN_JOB,
        description: "Coupons with redemptions, per day.",
        sql: "INSERT INTO ads_coupon_redeemed\nSELECT dt, coupon_id, redeemed, gmv_cents FROM ads_coupon_daily\nWHERE dt = '${bizdate}' AND redeemed > 0;\n",
        batch: DOWN_SCHEDULE,
      },
    });
    // Events on the topic for the stream side to count.
    await writeTopicDay(topic, { day: DAY, count: 1000, users: 300 });
    const deployedDemo = await api().jobs.deploy({ ...P, job: DEMO_JOB });
    const deployedDown = await api().jobs.deploy({ ...P, job: DOWN_JOB });
    expect(deployedDemo).toMatchObject({ version: 1, scheduled: true, sources: ["mix_coupon_events"], sinks: ["ads_coupon_daily"] });
    expect(deployedDown).toMatchObject({ version: 1, scheduled: true, sources: ["ads_coupon_daily"], sinks: ["ads_coupon_redeemed"] });

    // 2. The demo job's stream side runs under its supervisor and counts the topic's events.
    const stream = await until("the demo's stream side counts the topic", () => api().jobs.streamStatus({ ...P, name: DEMO_JOB }),
      (s) => s?.state === "running" && s.metrics?.rowsIn === 1000);
    expect(stream).toMatchObject({ version: 1, state: "running", restarts: 0, lastError: null, metrics: { rowsIn: 1000 } });
    //    The downstream job's SQL reads the demo's output, whose stream side is the serving database's
    //    table: the local engine cannot tail that, so its supervisor stops at once saying why (it does not
    //    restart forever), and the job's batch side is unaffected.
    const refused = await until("the downstream's stream side is refused", () => api().jobs.streamStatus({ ...P, name: DOWN_JOB }),
      (s) => s?.state === "failed");
    expect(refused).toMatchObject({ version: 1, state: "failed", restarts: 0 });
    expect(refused?.lastError).toMatch(/cannot read 'ads_coupon_daily_rt' as a stream \(connector 'jdbc'\)/);
    //    Each job has its Temporal schedule: its cron in its time zone, starting the job's scheduled day.
    const specs = [
      { job: DEMO_JOB, cron: "0 30 0 * * *", timezone: "UTC", bizdateOffsetDays: -1 },
      { job: DOWN_JOB, ...DOWN_SCHEDULE },
    ];
    for (const s of specs) {
      const job = (await api().jobs.get({ ...P, name: s.job })).spec;
      expect(job.batch).toMatchObject({ cron: s.cron, timezone: s.timezone, bizdateOffsetDays: s.bizdateOffsetDays });
      const schedule = await env.client.schedule.getHandle(jobScheduleId(demo.project, s.job)).describe();
      // The embedded service keeps the cron as sent (a Temporal cluster compiles it into calendars).
      if (env.service) expect(schedule.raw.schedule?.spec?.cronString).toEqual([s.cron]);
      expect(schedule.spec.timezone).toBe(s.timezone);
      expect(schedule.action).toMatchObject({ type: "startWorkflow", workflowType: "scheduledBatch", taskQueue: TQ, args: [{ project: demo.project, job: s.job }] });
      expect(schedule.state.paused).toBe(false);
      // The service computes the next firing from the cron and zone as the job's settings panel does.
      const next = schedule.info.nextActionTimes[0];
      const expected = nextRuns({ cron: s.cron, timezone: s.timezone, bizdateOffsetDays: s.bizdateOffsetDays }, new Date(Date.now() - 1000), 3);
      expect(expected.ok).toBe(true);
      if (expected.ok) expect(expected.runs.map((r) => r.at.getTime())).toContain(next?.getTime());
    }

    // 3. Trigger the day as `tandem rerun` does: its input partition is not there, so it waits, saying for what.
    const triggered = await api().instances.rerun({ ...P, job: DEMO_JOB, bizdate: BIZDATE, reason: "end-to-end check" });
    expect(triggered).toMatchObject({ orchestrated: true, instance: { state: "waiting", attempt: 1, trigger: "manual", deploymentVersion: 1 } });
    const waiting = await until("the demo day waits", () => day(DEMO_JOB), (d) => d.instance.state === "waiting" && d.events.some((e) => e.kind === "waiting"));
    expect(waiting.instance.waitingFor).toEqual([{ table: INPUT, partition: BIZDATE }]);
    expect(steps(waiting.events, 1)).toEqual(["created by local", "waiting by local"]);
    expect(waiting.events.find((e) => e.kind === "waiting")?.message).toBe(`waiting for ${INPUT}/${BIZDATE}`);
    //    The downstream day, triggered too, waits for the demo job's output of that day.
    await api().instances.rerun({ ...P, job: DOWN_JOB, bizdate: BIZDATE });
    const downWaiting = await until("the downstream day waits", () => day(DOWN_JOB), (d) => d.instance.state === "waiting");
    expect(downWaiting.instance.waitingFor).toEqual([{ table: OUTPUT, partition: BIZDATE }]);
    expect(downWaiting.events.find((e) => e.kind === "waiting")?.message).toBe(`waiting for ${OUTPUT}/${BIZDATE}`);
    //    `tandem instances` lists both days as waiting; several file-sensor passes found nothing.
    const listed = await api().instances.list({ ...P, from: BIZDATE, to: BIZDATE });
    expect(listed.map((i: BatchInstance) => [i.job, i.state])).toEqual([[DEMO_JOB, "waiting"], [DOWN_JOB, "waiting"]]);
    await until("the file sensor looked a few times", () => sensorPasses(DEMO_JOB), (n) => n >= 3);
    expect((await day(DEMO_JOB)).instance.state).toBe("waiting");
    expect((await day(DOWN_JOB)).instance.state).toBe("waiting");
    expect(await partitions(INPUT)).toEqual([]);
    expect(await partitions(OUTPUT)).toEqual([]);
    expect(await onDisk(OUTPUT)).toEqual({ files: [], rows: 0 });

    // 4. The demo generator writes the day's input partition: the file sensor marks it ready, the day runs,
    //    writes its output once, marks it ready as its own, and wakes the downstream day, which runs too.
    await writeHistoryPartition(warehouse(INPUT), { day: DAY, count: 2000, seed: 3 });
    expect(await instanceResult(DEMO_JOB)).toMatchObject({ state: "succeeded", waitingFor: [], error: null });
    const ran = await day(DEMO_JOB);
    expect(ran.instance).toMatchObject({ state: "succeeded", attempt: 1, error: null, metrics: { rowsIn: 2000 } });
    expect(steps(ran.events, 1)).toEqual(["created by local", "waiting by local", "queued by system:file-sensor", "running by system:scheduler", "succeeded by system:scheduler"]);
    expect(await partitions(INPUT)).toMatchObject([{ table: INPUT, partition: BIZDATE, markedBy: "system:file-sensor", producedBy: null }]);
    const out = await partitions(OUTPUT);
    expect(out).toMatchObject([{ table: OUTPUT, partition: BIZDATE, producedBy: ran.instance.id, markedBy: "system:scheduler" }]);
    const written = await onDisk(OUTPUT);
    expect(written.files).toHaveLength(1);
    expect(written.files[0]).toMatch(new RegExp(`^dt=${DAY}/[^/]+\\.parquet$`));
    expect(written.rows).toBeGreaterThan(0);
    expect(out[0]?.rows).toBe(written.rows);
    expect(ran.instance.metrics?.rowsOut).toBe(written.rows);

    expect(await instanceResult(DOWN_JOB)).toMatchObject({ state: "succeeded", waitingFor: [], error: null });
    const woken = await day(DOWN_JOB);
    // Woken by its producer's success (the scheduler released it), not by a file on disk.
    expect(steps(woken.events, 1)).toEqual(["created by local", "waiting by local", "queued by system:scheduler", "running by system:scheduler", "succeeded by system:scheduler"]);
    const producerDone = ran.events.find((e) => e.kind === "succeeded")?.at.getTime() ?? Infinity;
    expect(woken.events.find((e) => e.kind === "running")?.at.getTime()).toBeGreaterThanOrEqual(producerDone);
    const downOut = await partitions(DOWN_OUTPUT);
    const downWritten = await onDisk(DOWN_OUTPUT);
    expect(downOut).toMatchObject([{ table: DOWN_OUTPUT, partition: BIZDATE, producedBy: woken.instance.id }]);
    expect(downWritten.files).toHaveLength(1);
    expect(downWritten.files[0]).toMatch(new RegExp(`^dt=${DAY}/[^/]+\\.parquet$`));
    // It read the demo's output of the day: one row per coupon with redemptions.
    const redeemedCoupons = Number(await duck.scalar(`SELECT count(*) FROM read_parquet(${lit(path.join(warehouse(OUTPUT), `dt=${DAY}`, "*.parquet"))}) WHERE redeemed > 0`));
    expect(downWritten.rows).toBe(redeemedCoupons);
    expect(downOut[0]?.rows).toBe(redeemedCoupons);
    expect(woken.instance.metrics).toMatchObject({ rowsIn: written.rows, rowsOut: redeemedCoupons });

    // 5. The same day again (`tandem rerun`): attempt 2 replaces the partition; still one copy, same rows.
    const before = await onDisk(OUTPUT);
    const rerun = await api().instances.rerun({ ...P, job: DEMO_JOB, bizdate: BIZDATE, reason: "again" });
    expect(rerun).toMatchObject({ orchestrated: true, instance: { attempt: 2, trigger: "rerun" } });
    expect(await instanceResult(DEMO_JOB)).toMatchObject({ state: "succeeded" });
    const again = await day(DEMO_JOB);
    expect(again.instance).toMatchObject({ id: ran.instance.id, state: "succeeded", attempt: 2, trigger: "rerun" });
    expect(steps(again.events, 2)).toEqual(["rerun by local", "queued by local", "running by system:scheduler", "succeeded by system:scheduler"]);
    const replaced = await onDisk(OUTPUT);
    expect(replaced.files).toHaveLength(1);
    expect(replaced.rows).toBe(before.rows);
    const outAgain = await partitions(OUTPUT);
    expect(outAgain).toHaveLength(1);
    expect(outAgain[0]).toMatchObject({ partition: BIZDATE, rows: before.rows, producedBy: ran.instance.id });
    expect(outAgain[0]?.readyAt.getTime()).toBeGreaterThanOrEqual(out[0]?.readyAt.getTime() ?? Infinity);

    // The stream side kept running through all of it.
    expect(await api().jobs.streamStatus({ ...P, name: DEMO_JOB })).toMatchObject({ state: "running", restarts: 0 });

    // Every workflow run of the story (both attempts of the day, the downstream day, both supervisors)
    // replays on Tandem's workflow code without a nondeterminism error.
    const ids = [DEMO_JOB, DOWN_JOB].flatMap((job) => [batchInstanceWorkflowId(demo.project, job, BIZDATE), streamSupervisorWorkflowId(demo.project, job)]);
    const runs: { workflowId: string; runId: string }[] = [];
    for (const id of ids) for await (const w of env.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push({ workflowId: w.workflowId, runId: w.runId });
    expect(runs.filter((r) => r.workflowId === batchInstanceWorkflowId(demo.project, DEMO_JOB, BIZDATE))).toHaveLength(2);
    expect(runs).toHaveLength(5);
    const histories = await Promise.all(runs.map(async (r) => ({ workflowId: r.workflowId, history: await env.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory() })));
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: DEFAULT_WORKFLOWS_PATH, logger: quiet });
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    expect(failures).toEqual([]);
  }, 420_000);
});
