import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../../db/client";
import { openTestDatabase } from "../../../db/testing/index";
import type { Actor } from "../../context";
import { getProject } from "../../projects/projects";
import { applyDemoProject, type DemoProject } from "../../testing/demo-project";
import { appRouter } from "../root";
import { createCallerFactory } from "../trpc";

// The metrics router on the demo project: generate shows the jobs, validate the component errors, save
// creates the job drafts then updates them, list and get return the task; a job owned elsewhere conflicts.

let handle: DatabaseHandle;
let demo: DemoProject;
const local: Actor = { kind: "local" };
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: local, secretBox: demo.secretBox, orchestrator: undefined });

const TASK = {
  name: "coupon_builder",
  source: "mix_coupon_events",
  elements: [{ name: "is_redeem", kind: "filter", expr: "action = 'redeem'" }],
  dimensionSets: [{ name: "by_coupon", dimensions: ["coupon_id"] }],
  metrics: [
    { name: "pv", agg: "count" },
    { name: "uv", agg: "countDistinct", expr: "user_id" },
    { name: "redeemed", agg: "count", filter: "is_redeem" },
    { name: "gmv_cents", agg: "sum", expr: "amount_cents", filter: "is_redeem" },
  ],
  results: [{ period: "day", dimensionSet: "by_coupon", table: "ads_coupon_daily" }],
};

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

    expect(await api().metrics.save({ project, spec: TASK })).toEqual({ name: "coupon_builder", created: ["coupon_builder"], updated: [], stale: [] });
    const job = await api().jobs.get({ project, name: "coupon_builder" });
    expect(job.spec.sql).toContain("COUNT(DISTINCT user_id) AS uv");
    const again = await api().metrics.save({ project, spec: { ...TASK, combine: "split" } });
    expect(again).toMatchObject({ created: [], updated: ["coupon_builder"] });
    expect((await api().metrics.list({ project })).map((t) => [t.name, t.source, t.metrics, t.periods, t.jobs])).toEqual([["coupon_builder", "mix_coupon_events", 4, ["day"], ["coupon_builder"]]]);
    expect((await api().metrics.get({ project, name: "coupon_builder" })).spec.combine).toBe("split");
    await expect(api().metrics.get({ project, name: "nope" })).rejects.toThrow(/does not exist/);
  });

  it("refuses to overwrite a hand-written job of the same name", async () => {
    await expect(api().metrics.save({ project: demo.project, spec: { ...TASK, name: "coupon_daily_stats" } })).rejects.toThrow(/already exists/);
  });
});
