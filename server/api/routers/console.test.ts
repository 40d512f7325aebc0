import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase } from "../../../db/testing/index";
import { testUser } from "../../auth/testing";
import type { Actor } from "../../context";
import { deployJob } from "../../jobs/deployments";
import type { Orchestrator, StartBatchInstance } from "../../orchestration";
import { getProject } from "../../projects/projects";
import { stopInstance } from "../../runs/index";
import { Bizdate } from "../../scheduling/index";
import { applyDemoProject, type DemoProject } from "../../testing/demo-project";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

// What the operations console adds: the jobs overview in one call, an instance's upstream partitions with
// their readiness, marking a day successful by hand, rerunning with downstream, and a backfill's preview.

const JOB = "coupon_daily_stats";
const OUTPUT = "ads_coupon_daily_di";
let handle: DatabaseHandle;
let demo: DemoProject;
let editor: Actor;
let viewer: Actor;
const calls: string[] = [];
const orchestrator: Orchestrator = {
  startBatchInstance: (i: StartBatchInstance) => { calls.push(`start ${i.job} ${i.bizdate} ${i.trigger} v${String(i.version)}`); return Promise.resolve({ workflowId: crypto.randomUUID(), started: true }); },
  notifyReleased: (_p, released) => { calls.push(`notify ${released.map((r) => `${r.job} ${r.bizdate}`).join(",")}`); return Promise.resolve(); },
  cancelBatchInstance: (_p, job, bizdate) => { calls.push(`cancel ${job} ${bizdate}`); return Promise.resolve(); },
  scheduleJob: (_p, job, s) => { calls.push(`schedule ${job} ${s.cron} ${s.timezone}`); return Promise.resolve(); },
  unscheduleJob: (_p, job) => { calls.push(`unschedule ${job}`); return Promise.resolve(); },
  startBackfill: (i) => { calls.push(`backfill ${i.job} ${i.from}-${i.to} x${i.concurrency}${i.downstream ? " downstream" : ""}`); return Promise.resolve({ workflowId: "bf", started: true }); },
  backfillStatus: () => Promise.resolve({ finished: false, total: 3, done: 1, succeeded: 1, failed: 0, busy: 0, running: [], failures: [] }),
  cancelBackfill: (id) => { calls.push(`cancel backfill ${id}`); return Promise.resolve(); },
  startStream: (i) => { calls.push(`start stream ${i.job} v${i.version}`); return Promise.resolve({ workflowId: "st", started: true }); },
  stopStream: (_p, job) => { calls.push(`stop stream ${job}`); return Promise.resolve(true); },
  streamStatus: () => Promise.resolve(undefined),
};
const api = (actor: Actor) => createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: demo.secretBox, orchestrator });

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "consoleapi");
  const project = await getProject(handle.db, demo.project);
  await deployJob({ db: handle.db, actor: { kind: "local" }, project }, { job: JOB });
  editor = await testUser(handle.db, { roles: [[project, "editor"]] });
  viewer = await testUser(handle.db, { roles: [[project, "viewer"]] });
});
afterAll(async () => {
  await handle.close();
});

describe("console API", () => {
  it("lists every job with its production version, newest instance and health in one call", async () => {
    const p = demo.project;
    await api(editor).instances.rerun({ project: p, job: JOB, bizdate: "2024-11-09" });
    await api(editor).instances.rerun({ project: p, job: JOB, bizdate: "2024-11-10" });
    const rows = await api(viewer).jobs.overview({ project: p });
    const daily = rows.find((r) => r.name === JOB);
    expect(daily).toMatchObject({ version: 1, owner: "local", lastInstance: { bizdate: "20241110", state: "waiting", attempt: 1 }, stream: null });
    expect(daily?.health).toBeGreaterThan(0);
    const other = rows.find((r) => r.name !== JOB);
    expect(other).toMatchObject({ version: null, lastInstance: null, health: null });
  });

  it("shows what a day waits for, and marks a cancelled day successful, releasing its output", async () => {
    const p = demo.project;
    const day = { project: p, job: JOB, bizdate: "2024-11-10" };
    const upstream = await api(viewer).instances.upstream(day);
    expect(upstream).toEqual([{ table: "ods_coupon_events_di", partition: "20241110", ready: false }]);
    await expect(api(editor).instances.markSuccess(day)).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/is waiting; .* cancel it first/) });
    // The mock orchestrator cancels no workflow: the instance is cancelled as its workflow would.
    await stopInstance({ db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, p) }, { job: JOB, bizdate: Bizdate.parse("2024-11-10") }, "cancel", "input late");
    await expect(api(viewer).instances.markSuccess(day)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const marked = await api(editor).instances.markSuccess({ ...day, reason: "checked by hand" });
    expect(marked.instance.state).toBe("succeeded");
    const detail = await api(viewer).instances.get(day);
    expect(detail.events.at(-1)).toMatchObject({ kind: "succeeded", message: expect.stringMatching(/marked successful by hand \(was cancelled\): checked by hand/) });
    const written = (await api(viewer).instances.partitions({ project: p, table: OUTPUT })).find((w) => w.partition === "20241110");
    expect(written).toMatchObject({ producedBy: detail.instance.id, rows: null });
    await expect(api(editor).instances.markSuccess(day)).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringMatching(/already succeeded/) });
  });

  it("previews a backfill without creating instances, and reruns a day with its downstream as a one-day backfill", async () => {
    const p = demo.project;
    const preview = await api(viewer).instances.backfillPreview({ project: p, job: JOB, from: "2024-11-09", to: "2024-11-12" });
    expect(preview).toEqual([
      { job: JOB, bizdate: "20241109", state: "waiting" },
      { job: JOB, bizdate: "20241110", state: "succeeded" },
      { job: JOB, bizdate: "20241111", state: null },
      { job: JOB, bizdate: "20241112", state: null },
    ]);
    expect((await api(viewer).instances.list({ project: p, job: JOB, from: "2024-11-11", to: "2024-11-12" }))).toEqual([]);
    await expect(api(viewer).instances.backfillPreview({ project: p, job: JOB, from: "2024-11-12", to: "2024-11-09" })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    expect(await api(editor).instances.rerunDownstream({ project: p, job: JOB, bizdate: "2024-11-10" })).toMatchObject({ started: true, days: 1 });
    expect(calls.pop()).toBe("backfill coupon_daily_stats 20241110-20241110 x2 downstream");
  });
});
