import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { JobSpecParsed, ProjectFileParsed } from "../catalog/schemas";
import type { ProjectContext } from "../context";
import { ValidationError } from "../errors";
import { deployJob, getDeployment } from "../jobs/deployments";
import { getProject } from "../projects/projects";
import { Bizdate } from "../scheduling/index";
import { applyDemoProject, DEMO_FILE_TEXT, projectFileIssues } from "../testing/demo-project";
import { getInstance, markPartitionReady, scheduleInstance } from "./index";

// Manual dependencies (batch.dependsOn) from the project file to the instance: resolved and frozen at
// deploy, refused with the entry's path when they cannot be waited for, and waited for at their offset.

const JOB = "coupon_daily_stats";
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase();
}, 60_000);
afterAll(async () => {
  await handle.close();
});

/** A fresh demo project whose daily job declares `dependsOn`. */
async function projectWith(dependsOn: JobSpecParsed["batch"]["dependsOn"]): Promise<ProjectContext> {
  const edit = (file: ProjectFileParsed): void => {
    const job = file.jobs.find((j) => j.name === JOB);
    if (job) job.batch.dependsOn = dependsOn;
  };
  const demo = await applyDemoProject(handle.db, "deps", edit);
  return { db: handle.db, actor: { kind: "local" }, project: await getProject(handle.db, demo.project) };
}

async function deployIssues(ctx: ProjectContext): Promise<{ path: string; message: string }[]> {
  try {
    await deployJob(ctx, { job: JOB });
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => ({ path: i.path, message: i.message }));
    throw e;
  }
  return [];
}

describe("manual dependencies with a day offset", () => {
  it("day D waits for the previous day of the table it names, frozen into the version", async () => {
    const ctx = await projectWith([{ table: "ads_coupon_daily", offsetDays: -1 }]);
    const d = await deployJob(ctx, { job: JOB });
    expect(d.dependencies).toEqual([{ table: "ads_coupon_daily", offsetDays: -1, metaTables: ["ads_coupon_daily"], partitionTables: ["ads_coupon_daily_di"] }]);
    expect((await getDeployment(ctx, JOB, d.version)).dependencies).toEqual(d.dependencies);

    const ref = { job: JOB, bizdate: Bizdate.parse("20241111") };
    const created = await scheduleInstance({ ...ctx, actor: { kind: "system", reason: "scheduler" } }, { ...ref, trigger: "schedule", scheduledAt: new Date("2024-11-12T00:30:00Z") });
    expect(created.waitingFor).toEqual([
      { table: "ods_coupon_events_di", partition: "20241111" },
      { table: "ads_coupon_daily_di", partition: "20241110" },
    ]);
    // The same day's input alone does not release it: the previous day's output is still missing.
    await markPartitionReady(ctx, { table: "ods_coupon_events_di", partition: "20241111" });
    expect(await getInstance(ctx, ref)).toMatchObject({ state: "waiting", waitingFor: [{ table: "ads_coupon_daily_di", partition: "20241110" }] });
    const released = await markPartitionReady(ctx, { table: "ads_coupon_daily_di", partition: "20241110" });
    expect(released.instances).toEqual([expect.objectContaining({ job: JOB, bizdate: "20241111", released: true })]);
    expect((await getInstance(ctx, ref)).state).toBe("queued");
  }, 60_000);

  it("a physical table and a job are resolved to the daily tables behind them", async () => {
    const ctx = await projectWith([{ table: "ods_coupon_events_di", offsetDays: -2 }, { job: JOB, offsetDays: -7 }]);
    const d = await deployJob(ctx, { job: JOB });
    expect(d.dependencies).toEqual([
      { table: "ods_coupon_events_di", offsetDays: -2, metaTables: ["mix_coupon_events"], partitionTables: ["ods_coupon_events_di"] },
      { job: JOB, offsetDays: -7, metaTables: ["ads_coupon_daily"], partitionTables: ["ads_coupon_daily_di"] },
    ]);
    const i = await scheduleInstance(ctx, { job: JOB, bizdate: Bizdate.parse("20241111"), trigger: "manual", scheduledAt: new Date() });
    expect(i.waitingFor.map((k) => `${k.table}/${k.partition}`)).toEqual([
      "ods_coupon_events_di/20241111", "ods_coupon_events_di/20241109", "ads_coupon_daily_di/20241104",
    ]);
  }, 60_000);

  it("refuses at deploy what cannot be waited for, naming the entry", async () => {
    expect(await deployIssues(await projectWith([{ job: "coupon_minutely", offsetDays: 0 }, { table: "dim_coupon", offsetDays: -1 }]))).toEqual([
      { path: `jobs.${JOB}.batch.dependsOn.0`, message: `job '${JOB}' depends on job 'coupon_minutely', which was never deployed: deploy it first` },
      { path: `jobs.${JOB}.batch.dependsOn.1`, message: `job '${JOB}' depends on table 'dim_coupon', which is not a batch table partitioned by day` },
    ]);
  }, 60_000);

  it("the project file refuses a future day, an unknown table and the job's own same day, with their paths", () => {
    const withDeps = (yaml: string) => DEMO_FILE_TEXT.replace("      sinkRateLimit: 5000\n", `      sinkRateLimit: 5000\n      dependsOn: ${yaml}\n`);
    expect(projectFileIssues(withDeps("[{ table: ads_coupon_daily, offsetDays: 1 }]"))).toEqual([
      expect.objectContaining({ path: `jobs.${JOB}.batch.dependsOn.0.offsetDays`, message: "must be 0 or negative: a day cannot wait for a later day", line: 253 }),
    ]);
    expect(projectFileIssues(withDeps("[{ table: nope }, coupon_daily_stats, { job: x, table: y }]")).map((i) => [i.path, i.message])).toEqual([
      [`jobs.${JOB}.batch.dependsOn.2`, "must be a job name, { job, offsetDays } or { table, offsetDays }"],
    ]);
    expect(projectFileIssues(withDeps("[{ table: nope }, coupon_daily_stats]")).map((i) => [i.path, i.message])).toEqual([
      [`jobs.${JOB}.batch.dependsOn.0`, `job '${JOB}' depends on unknown table 'nope' (neither a meta-table nor a physical table)`],
      [`jobs.${JOB}.batch.dependsOn.1`, `job '${JOB}' cannot depend on itself on the same day (offsetDays: -1 waits for its previous day)`],
    ]);
  });
});
