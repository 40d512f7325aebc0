import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase } from "../../../db/testing/index";
import { testUser } from "../../auth/testing";
import type { Actor } from "../../context";
import { deployJob } from "../../jobs/deployments";
import type { Orchestrator, StartBatchInstance } from "../../orchestration";
import { getProject } from "../../projects/projects";
import { applyDemoProject, type DemoProject } from "../../testing/demo-project";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

// The instances API: editors rerun and cancel days and mark partitions ready, each audited and handed to
// the orchestrator; viewers read; a day that is not a date is refused with the reason.

const JOB = "coupon_daily_stats";
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
  demo = await applyDemoProject(handle.db, "instapi");
  const project = await getProject(handle.db, demo.project);
  await deployJob({ db: handle.db, actor: { kind: "local" }, project }, { job: JOB });
  editor = await testUser(handle.db, { roles: [[project, "editor"]] });
  viewer = await testUser(handle.db, { roles: [[project, "viewer"]] });
});
afterAll(async () => {
  await handle.close();
});

describe("instances API", () => {
  it("runs a day, marks its input ready by hand, cancels it, and shows the log", async () => {
    const p = demo.project;
    const run = await api(editor).instances.rerun({ project: p, job: JOB, bizdate: "2024-11-11", reason: "first run" });
    expect(run).toMatchObject({ orchestrated: true, instance: { state: "waiting", attempt: 1, trigger: "manual" } });
    expect(calls.pop()).toBe("start coupon_daily_stats 20241111 manual v1");

    const marked = await api(editor).instances.markReady({ project: p, table: "ods_coupon_events_di", partition: "20241111", rows: 10 });
    expect(marked.released).toEqual(["coupon_daily_stats 20241111"]);
    expect(calls.pop()).toBe("notify coupon_daily_stats 20241111");
    expect((await api(viewer).instances.partitions({ project: p, table: "ods_coupon_events_di" }))[0]).toMatchObject({ partition: "20241111", rows: 10 });

    await api(editor).instances.cancel({ project: p, job: JOB, bizdate: "2024-11-11", reason: "wrong input" });
    expect(calls.pop()).toBe("cancel coupon_daily_stats 20241111");

    const listed = await api(viewer).instances.list({ project: p, job: JOB });
    expect(listed.map((i) => [i.bizdate, i.state])).toEqual([["20241111", "queued"]]);
    const detail = await api(viewer).instances.get({ project: p, job: JOB, bizdate: "2024-11-11" });
    expect(detail.events.map((e) => e.kind)).toEqual(["created", "waiting", "queued"]);
    const audit = await api({ kind: "local" }).audit.list({ project: p, action: "instance." });
    expect(audit.rows.map((r) => r.action).sort()).toEqual(["instance.cancel", "instance.rerun"]);
  });

  it("starts a backfill over a range, refuses an inverted one, and reports its progress", async () => {
    const p = demo.project;
    expect(await api(editor).instances.backfill({ project: p, job: JOB, from: "2024-11-01", to: "2024-11-03" })).toMatchObject({ started: true, days: 3 });
    expect(calls.pop()).toBe("backfill coupon_daily_stats 20241101-20241103 x2");
    await expect(api(editor).instances.backfill({ project: p, job: JOB, from: "2024-11-03", to: "2024-11-01" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/ends \(20241101\) before it starts \(20241103\)/) });
    await expect(api(viewer).instances.backfill({ project: p, job: JOB, from: "2024-11-01", to: "2024-11-03" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await api(viewer).instances.backfillStatus({ project: p, job: JOB, from: "2024-11-01", to: "2024-11-03" })).toMatchObject({ total: 3, done: 1 });
  });

  it("refuses viewers, unknown days and bad dates with a reason", async () => {
    const p = demo.project;
    await expect(api(viewer).instances.rerun({ project: p, job: JOB, bizdate: "2024-11-11" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api(editor).instances.rerun({ project: p, job: JOB, bizdate: "2024-02-30" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/not a calendar day/) });
    await expect(api(editor).instances.cancel({ project: p, job: JOB, bizdate: "2023-01-01" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api(editor).instances.rerun({ project: p, job: "never_deployed_job", bizdate: "2024-11-11" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/never deployed/) });
  });
});
