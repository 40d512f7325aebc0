import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobDeployments, jobs } from "../../../db/schema/index";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase } from "../../../db/testing/index";
import type { Actor } from "../../context";
import { getProject } from "../../projects/projects";
import { applyDemoProject, type DemoProject } from "../../testing/demo-project";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";
import { demoMetricTask } from "../../testing/demo-metric-task";

// The metrics router on the demo project: generate shows the jobs, validate the component errors, save
// creates the job drafts then updates them, list and get return the task; a job owned elsewhere conflicts.

let handle: DatabaseHandle;
let demo: DemoProject;
const local: Actor = { kind: "local" };
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: local, secretBox: demo.secretBox, orchestrator: undefined });

const TASK = demoMetricTask("coupon_builder");

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "metrics");
  await getProject(handle.db, demo.project);
}, 120_000);
afterAll(() => handle.close());

describe("metrics router", () => {
  it("generates, validates, saves, lists and gets a task", async () => {
    const project = demo.project;
    const gen = await api().metrics.generate({ project, spec: TASK });
    expect(gen.ok).toBe(true);
    expect(gen.jobs.map((j) => [j.name, j.exists])).toEqual([["coupon_builder", false]]);
    const bad = await api().metrics.validate({ project, spec: { ...TASK, metrics: TASK.metrics.map((m) => (m.name === "uv" ? { ...m, expr: "nope" } : m)) } });
    expect(bad.issues.map((i) => i.path)).toEqual(["metrics.uv.expr"]);
    await expect(api().metrics.save({ project, spec: { ...TASK, source: "nope" } })).rejects.toThrow(/metricTask.source/);

    expect(await api().metrics.save({ project, spec: TASK })).toEqual({ name: "coupon_builder", created: ["coupon_builder"], updated: [], removed: [], stale: [] });
    const job = await api().jobs.get({ project, name: "coupon_builder" });
    expect(job.spec.sql).toContain("COUNT(DISTINCT user_id) AS uv");
    const again = await api().metrics.save({ project, spec: { ...TASK, combine: "split" } });
    expect(again).toMatchObject({ created: [], updated: ["coupon_builder"] });
    // A campaign-to-date result adds a job; taking it away again removes that never-deployed draft.
    const withCtd = { ...TASK, campaignStart: "2024-11-01", results: [...TASK.results, { period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }] };
    expect(await api().metrics.save({ project, spec: withCtd })).toMatchObject({ created: ["coupon_builder_ctd"], updated: ["coupon_builder"] });
    expect(await api().metrics.save({ project, spec: { ...TASK, combine: "split" } })).toMatchObject({ updated: ["coupon_builder"], removed: ["coupon_builder_ctd"], stale: [] });
    await expect(api().jobs.get({ project, name: "coupon_builder_ctd" })).rejects.toThrow(/does not exist/);
    expect((await api().metrics.list({ project })).map((t) => [t.name, t.source, t.metrics, t.periods, t.jobs])).toEqual([["coupon_builder", "mix_coupon_events", 4, ["day"], ["coupon_builder"]]]);
    expect((await api().metrics.get({ project, name: "coupon_builder" })).spec.combine).toBe("split");
    await expect(api().metrics.get({ project, name: "nope" })).rejects.toThrow(/does not exist/);
  });

  it("refuses to overwrite a hand-written job of the same name", async () => {
    await expect(api().metrics.save({ project: demo.project, spec: { ...TASK, name: "coupon_daily_stats" } })).rejects.toThrow(/already exists/);
  });

  it("deploys and undeploys a task's jobs together, and deploys none of them when one is refused", async () => {
    const project = demo.project;
    const spec = {
      ...TASK, name: "coupon_together", campaignStart: "2024-11-01",
      results: [...TASK.results, { period: "campaign", dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }],
    };
    expect((await api().metrics.save({ project, spec })).created).toEqual(["coupon_together", "coupon_together_ctd"]);
    // Scoped to this test's project: on a shared Postgres other runs' projects have jobs of the same names.
    const { id: projectId } = await getProject(handle.db, project);
    const versions = async () => (await handle.db.select({ job: jobDeployments.jobName, v: jobDeployments.version, off: jobDeployments.undeployedAt }).from(jobDeployments).where(eq(jobDeployments.projectId, projectId)))
      .filter((d) => d.job.startsWith("coupon_together")).map((d) => `${d.job} v${d.v}${d.off ? " off" : ""}`).sort();

    // One job's draft broken by hand: the task's deploy is refused as a whole, the healthy job gets no version.
    const [ctd] = await handle.db.select().from(jobs).where(and(eq(jobs.projectId, projectId), eq(jobs.name, "coupon_together_ctd")));
    const good = ctd!.spec as { sql: string };
    await handle.db.update(jobs).set({ spec: { ...good, sql: good.sql.replace("COUNT(*) AS pv", "COUNT(nope) AS pv") } }).where(and(eq(jobs.projectId, ctd!.projectId), eq(jobs.name, "coupon_together_ctd")));
    await expect(api().metrics.deploy({ project, name: "coupon_together" })).rejects.toThrow(/nope/);
    expect(await versions()).toEqual([]);

    await handle.db.update(jobs).set({ spec: good }).where(and(eq(jobs.projectId, ctd!.projectId), eq(jobs.name, "coupon_together_ctd")));
    const deployed = await api().metrics.deploy({ project, name: "coupon_together" });
    expect(deployed.deployments).toEqual([{ job: "coupon_together", version: 1 }, { job: "coupon_together_ctd", version: 1 }]);
    expect(deployed.scheduled).toBe(false); // no orchestrator in this test
    expect(await versions()).toEqual(["coupon_together v1", "coupon_together_ctd v1"]);

    const out = await api().metrics.undeploy({ project, name: "coupon_together" });
    expect(out).toEqual({ undeployed: [{ job: "coupon_together", version: 1 }, { job: "coupon_together_ctd", version: 1 }], notDeployed: [] });
    expect(await versions()).toEqual(["coupon_together v1 off", "coupon_together_ctd v1 off"]);
    await expect(api().metrics.undeploy({ project, name: "coupon_together" })).rejects.toThrow(/no job of metric task 'coupon_together' is deployed/);

    // Saved without its campaign-to-date result: the job it no longer generates was deployed once, so it stays.
    expect(await api().metrics.save({ project, spec: { ...spec, results: TASK.results } })).toMatchObject({ updated: ["coupon_together"], removed: [], stale: ["coupon_together_ctd"] });
    expect((await api().metrics.get({ project, name: "coupon_together" })).jobs).toEqual(["coupon_together"]);
    await expect(api().metrics.deploy({ project, name: "nope" })).rejects.toThrow(/does not exist/);
  });
});
