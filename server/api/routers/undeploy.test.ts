import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase } from "../../../db/testing/index";
import { listAuditEvents } from "../../audit/audit";
import { testUser } from "../../auth/testing";
import type { Actor, ProjectContext } from "../../context";
import { deployDemo } from "../../demo/seed";
import { listDeployments } from "../../jobs/deployments";
import type { Orchestrator } from "../../orchestration";
import { getProject } from "../../projects/projects";
import { applyDemoProject, type DemoProject } from "../../testing/demo-project";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

// Deploying puts both sides of the demo job on the orchestrator (schedule + stream supervisor); undeploying,
// as an owner, removes the schedule and stops the stream, keeps the history, is audited, and a second
// undeploy says the job is not deployed. Editors may not; a redeploy makes the job live again.

const JOB = "coupon_daily_stats";
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let owner: Actor;
let editor: Actor;
const calls: string[] = [];
const unused = () => Promise.reject(new Error("not used by these tests"));
const orchestrator: Orchestrator = {
  startBatchInstance: unused, notifyReleased: unused, cancelBatchInstance: unused, startBackfill: unused, backfillStatus: unused, cancelBackfill: unused,
  scheduleJob: (_p, job, s) => { calls.push(`schedule ${job} ${s.cron}`); return Promise.resolve(); },
  unscheduleJob: (_p, job) => { calls.push(`unschedule ${job}`); return Promise.resolve(); },
  startStream: (i) => { calls.push(`start stream ${i.job} v${i.version}`); return Promise.resolve({ workflowId: `stream/${i.project}/${i.job}`, started: true }); },
  stopStream: (_p, job) => { calls.push(`stop stream ${job}`); return Promise.resolve(true); },
  streamStatus: (_p, job) => Promise.resolve(job === JOB ? { version: 1, state: "running", restarts: 2, lastError: "boom", savepoint: null, metrics: null } : undefined),
};
const api = (actor: Actor) => createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: demo.secretBox, orchestrator });

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "undeploy");
  const project = await getProject(handle.db, demo.project);
  ctx = { db: handle.db, actor: { kind: "local" }, project };
  owner = await testUser(handle.db, { roles: [[project, "owner"]] });
  editor = await testUser(handle.db, { roles: [[project, "editor"]] });
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

describe("jobs.undeploy", () => {
  it("takes a deployed job out of production once, keeping its history, audited", async () => {
    const project = demo.project;
    await expect(api(owner).jobs.undeploy({ project, job: JOB })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/never deployed/) });
    await api(owner).jobs.deploy({ project, job: JOB });
    expect(calls.splice(0)).toEqual([`schedule ${JOB} 0 30 0 * * *`, `start stream ${JOB} v1`]);

    await expect(api(editor).jobs.undeploy({ project, job: JOB })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(calls).toEqual([]);

    const u = await api(owner).jobs.undeploy({ project, job: JOB, note: "season over" });
    expect(u).toMatchObject({ job: JOB, version: 1, withdrawn: true, streamStopped: true });
    expect(calls.splice(0)).toEqual([`unschedule ${JOB}`, `stop stream ${JOB}`]);
    await expect(api(owner).jobs.undeploy({ project, job: JOB })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(new RegExp(`job '${JOB}' is not deployed: it was undeployed at .* \\(v1 was the last version\\)`)) });
    expect(calls).toEqual([]);

    const history = await listDeployments(ctx, JOB);
    expect(history.map((d) => [d.version, d.undeployedAt !== null])).toEqual([[1, true]]);
    const audit = (await listAuditEvents(ctx, { action: "job.undeploy" })).rows;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ name: JOB, details: { version: 1, note: "season over" } });

    // Deploying again appends a live version; it can then be undeployed again.
    await api(owner).jobs.deploy({ project, job: JOB });
    expect(calls.splice(0).at(-1)).toBe(`start stream ${JOB} v2`);
    expect(await api(owner).jobs.undeploy({ project, job: JOB })).toMatchObject({ version: 2 });
  }, 60_000);

  it("an undeployed job holds no table: another job writing it may then be deployed", async () => {
    const project = demo.project;
    const sql = "INSERT INTO ads_coupon_daily SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(*) AS uv, 0 AS redeemed, 0 AS gmv_cents FROM mix_coupon_events WHERE dt = '${bizdate}' OR __mode = 'stream' GROUP BY dt, coupon_id";
    await api(owner).jobs.create({ project, spec: { name: "second_producer", sql } });
    // While the demo job is live, the same table may not have two producers.
    await api(owner).jobs.deploy({ project, job: JOB });
    await expect(api(owner).jobs.deploy({ project, job: "second_producer" })).rejects.toThrow(/written by both/);
    await api(owner).jobs.undeploy({ project, job: JOB });
    await api(owner).jobs.deploy({ project, job: "second_producer" });
    await api(owner).jobs.undeploy({ project, job: "second_producer" });
    await api(owner).jobs.deploy({ project, job: JOB });
    calls.splice(0);
  }, 60_000);

  it("shows a job's supervised stream to readers", async () => {
    const project = demo.project;
    expect(await api(editor).jobs.streamStatus({ project, name: JOB })).toMatchObject({ state: "running", restarts: 2, lastError: "boom" });
    expect(await api(editor).jobs.streamStatus({ project, name: "coupon_minutely" })).toBeNull();
  });

  it("tandem dev's demo deploy schedules the batch side and starts the stream side", async () => {
    calls.splice(0);
    expect(await deployDemo(ctx, orchestrator)).toMatchObject({ version: 5, scheduled: true });
    expect(calls).toEqual([`schedule ${JOB} 0 30 0 * * *`, `start stream ${JOB} v5`]);
    expect(await deployDemo(ctx, undefined)).toMatchObject({ version: 6, scheduled: false });
  });
});
