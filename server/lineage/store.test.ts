import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { testUser } from "../auth/testing";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { deployJob } from "../jobs/deployments";
import { undeployJob } from "../jobs/undeploy";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { buildLineageGraph } from "./graph";
import { deployedLineage, loadLineageGraph } from "./store";

// The lineage graph of the demo project as deployed: only deployed jobs' current versions count, meta-tables
// and physical sides are both nodes, an undeploy shows at once, and the API answers viewers.

const box = new SecretBox(crypto.randomBytes(32));
let handle: DatabaseHandle;
let project: ProjectRef;
let owner: Extract<Actor, { kind: "user" }>;
let viewer: Extract<Actor, { kind: "user" }>;
const api = (actor: Actor) => createCallerFactory(appRouter)({ db: handle.db, actor, secretBox: box });
const ctx = () => ({ db: handle.db, actor: owner, project });

beforeAll(async () => {
  handle = await openTestDatabase();
  const name = uniqueName("lineage");
  const file = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`)).file;
  await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: { kind: "local" } });
  project = await getProject(handle.db, name);
  owner = await testUser(handle.db, { roles: [[project, "owner"]] });
  viewer = await testUser(handle.db, { roles: [[project, "viewer"]] });
  await deployJob(ctx(), { job: "coupon_daily_stats" });
  await deployJob(ctx(), { job: "coupon_minutely" });
  await deployJob(ctx(), { job: "coupon_daily_stats", note: "second version" });
}, 120_000);
afterAll(async () => {
  await handle.close();
});

describe("lineage of the deployed jobs", () => {
  it("lists what a meta-table feeds: the deployed jobs' sinks, with the current version and sides, not the undeployed job's", async () => {
    const r = await api(viewer).lineage.table({ project: project.name, table: "mix_coupon_events" });
    expect(r.level).toBe("table");
    if (r.level !== "table") return;
    expect(r.tables.map((t) => t.table).sort()).toEqual(["ads_coupon_daily", "ads_coupon_minutely"]);
    expect(r.jobs).toEqual([
      { job: "coupon_daily_stats", version: 2, sides: ["batch", "stream"], depth: 1 },
      { job: "coupon_minutely", version: 1, sides: ["batch", "stream"], depth: 1 },
    ]);
    // coupon_campaign_to_date was never deployed.
    await expect(api(viewer).lineage.table({ project: project.name, table: "ads_coupon_cumulative" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/in no deployed job's lineage/) });
  });

  it("walks physical tables of each side upstream", async () => {
    const r = await api(viewer).lineage.table({ project: project.name, table: "ads_coupon_daily_di", direction: "upstream" });
    if (r.level !== "table") throw new Error("expected table level");
    expect(r.tables).toEqual([{ table: "ods_coupon_events_di", depth: 1 }]);
    expect(new Set(r.edges.map((e) => e.side))).toEqual(new Set(["batch"]));
  });

  it("gives a column's impact across jobs", async () => {
    const i = await api(viewer).lineage.impact({ project: project.name, table: "mix_coupon_events", column: "user_id" });
    expect(i.columns?.map((c) => `${c.column.table}.${c.column.column}`)).toEqual(["ads_coupon_daily.uv"]);
    const coupon = await api(viewer).lineage.impact({ project: project.name, table: "mix_coupon_events", column: "coupon_id" });
    expect(coupon.tables.map((t) => t.table).sort()).toEqual(["ads_coupon_daily", "ads_coupon_minutely"]);
    const cols = await api(viewer).lineage.table({ project: project.name, table: "ads_coupon_daily", direction: "upstream", columns: true });
    expect(cols.level).toBe("column");
  });

  it("drops an undeployed job at once", async () => {
    await undeployJob(ctx(), { job: "coupon_minutely" });
    const r = await api(viewer).lineage.table({ project: project.name, table: "mix_coupon_events" });
    if (r.level !== "table") throw new Error("expected table level");
    expect(r.tables.map((t) => t.table)).toEqual(["ads_coupon_daily"]);
    expect(r.jobs.map((j) => j.job)).toEqual(["coupon_daily_stats"]);
  });

  it("after deploys, the kept graph (only moved jobs read again) equals one built from scratch", async () => {
    const kept = await loadLineageGraph(handle.db, project.id); // kept from the tests above
    expect(kept.jobs.has("coupon_minutely")).toBe(false);
    await deployJob(ctx(), { job: "coupon_minutely", note: "back" });
    await deployJob(ctx(), { job: "coupon_campaign_to_date" });
    const refreshed = await loadLineageGraph(handle.db, project.id);
    expect(refreshed).not.toBe(kept);
    expect([...refreshed.jobs.keys()]).toEqual(["coupon_campaign_to_date", "coupon_daily_stats", "coupon_minutely"]);
    expect(refreshed.jobs.get("coupon_minutely")?.version).toBe(2);
    // The unchanged job's lineage is the kept object (not read again); the graph matches a cold build.
    expect(refreshed.jobs.get("coupon_daily_stats")).toBe(kept.jobs.get("coupon_daily_stats"));
    const cold = buildLineageGraph(await deployedLineage(handle.db, project.id));
    const plain = (g: typeof cold) => JSON.stringify([[...g.jobs.keys()], [...g.tablesOut], [...g.tablesIn], [...g.columnsOut], [...g.columnsIn]]);
    expect(plain(refreshed)).toBe(plain(cold));
    const r = await api(viewer).lineage.table({ project: project.name, table: "mix_coupon_events" });
    if (r.level !== "table") throw new Error("expected table level");
    expect(r.tables.map((t) => t.table).sort()).toEqual(["ads_coupon_cumulative", "ads_coupon_daily", "ads_coupon_minutely"]);
  });

  it("refuses bad input with a clear error", async () => {
    await expect(api(viewer).lineage.table({ project: project.name, table: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api(viewer).lineage.table({ project: project.name, table: "mix_coupon_events", depth: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
