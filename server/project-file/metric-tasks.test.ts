import crypto from "node:crypto";
import fs from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import type { DatabaseHandle } from "../../db/client";
import { metricTasks } from "../../db/schema/index";
import type { ProjectFileParsed } from "../catalog/schemas";
import { SecretBox } from "../catalog/secrets";
import { loadCatalogSnapshot } from "../catalog/snapshot";
import { canonicalJson } from "../catalog/canonical";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { ValidationError } from "../errors";
import { validateMetricTask } from "../metrics/generate";
import { MetricTask } from "../metrics/spec";
import { getProject } from "../projects/projects";
import { applyProjectFile } from "./apply";
import { exportProjectFile, projectFileToYaml } from "./export";
import { parseProjectFile, snapshotFromProjectFile } from "./load";
import { demoMetricTask } from "../testing/demo-metric-task";

// `metricTasks:` in the project file: applied like dashboards (create, update, prune), exported and
// round-tripped, and checked against the file's own catalog with the metric builder's errors.

let handle: DatabaseHandle;
const opts = { secretBox: new SecretBox(crypto.randomBytes(32)), readEnv: () => undefined };

const TASK = demoMetricTask("coupon_daily_from_file");

function demo(project: string): ProjectFileParsed {
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  return parseProjectFile(text).file;
}

/** The demo with `tasks` and their generated jobs, as a file a person would write (through YAML and the loader). */
function withTasks(project: string, tasks: MetricTask[]): ProjectFileParsed {
  const base = demo(project);
  const catalog = snapshotFromProjectFile(base);
  const generated = tasks.flatMap((t) => validateMetricTask(catalog, t).jobs.map((j) => j.spec));
  const file = { ...base, jobs: [...base.jobs, ...generated], metricTasks: tasks.map((t) => MetricTask.parse(t)) };
  return parseProjectFile(projectFileToYaml(file)).file;
}

async function storedTasks(project: string) {
  const ref = await getProject(handle.db, project);
  const rows = await handle.db.select().from(metricTasks).where(eq(metricTasks.projectId, ref.id)).orderBy(metricTasks.name);
  return rows.map((r) => ({ name: r.name, spec: r.spec, jobs: r.jobs }));
}

async function catalogJson(project: string) {
  const ref = await getProject(handle.db, project);
  const s = await loadCatalogSnapshot(handle.db, ref);
  return canonicalJson({ c: [...s.connections], t: [...s.physicalTables], m: [...s.metaTables], j: [...s.jobs], tasks: await storedTasks(project) });
}

function issuesOf(run: () => unknown): { path: string; message: string; line?: number }[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error("expected a ValidationError");
}

beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("metricTasks in the project file", () => {
  it("apply creates the task with its generated job names; applying again changes nothing", async () => {
    const project = uniqueName("mt_create");
    const plan = await applyProjectFile(handle.db, withTasks(project, [TASK]), opts);
    expect(plan.changes).toContainEqual({ action: "create", entity: "metricTask", name: TASK.name, fields: [] });
    expect(plan.changes).toContainEqual({ action: "create", entity: "job", name: TASK.name, fields: [] });
    const [stored] = await storedTasks(project);
    expect(stored?.jobs).toEqual([TASK.name]);
    expect(stored?.spec).toEqual(MetricTask.parse(TASK));
    expect((await applyProjectFile(handle.db, withTasks(project, [TASK]), opts)).changes).toEqual([]);
  });

  it("a changed task is updated, naming the changed fields", async () => {
    const project = uniqueName("mt_update");
    await applyProjectFile(handle.db, withTasks(project, [TASK]), opts);
    const described = { ...TASK, description: "Coupons per day, declared in the project file." };
    const plan = await applyProjectFile(handle.db, withTasks(project, [described]), opts);
    // The regenerated job (in the file's `jobs:`) carries the task's description too.
    expect(plan.changes).toEqual([
      { action: "update", entity: "job", name: TASK.name, fields: ["description"] },
      { action: "update", entity: "metricTask", name: TASK.name, fields: ["description"] },
    ]);
    expect((await storedTasks(project))[0]?.spec).toMatchObject({ description: "Coupons per day, declared in the project file." });
  });

  it("a task the file no longer declares is kept and listed, and deleted with prune", async () => {
    const project = uniqueName("mt_prune");
    await applyProjectFile(handle.db, withTasks(project, [TASK]), opts);
    // The file without the task but still with its job: only the task is unmanaged.
    const withoutTask = { ...withTasks(project, [TASK]), metricTasks: [] };
    const kept = await applyProjectFile(handle.db, withoutTask, opts);
    expect(kept.changes).toEqual([]);
    expect(kept.unmanaged).toEqual([{ entity: "metricTask", name: TASK.name }]);
    expect(await storedTasks(project)).toHaveLength(1);
    const pruned = await applyProjectFile(handle.db, withoutTask, { ...opts, prune: true });
    expect(pruned.changes).toEqual([{ action: "delete", entity: "metricTask", name: TASK.name, fields: [] }]);
    expect(await storedTasks(project)).toEqual([]);
  });

  it("export carries the tasks (sorted by name) and round-trips: applying the export changes nothing", async () => {
    const project = uniqueName("mt_export");
    const second = { ...TASK, name: "a_coupon_daily_copy", results: [{ period: "day" as const, dimensionSet: "by_coupon", table: "ads_coupon_daily" }] };
    await applyProjectFile(handle.db, withTasks(project, [TASK, second]), opts);
    const exported = await exportProjectFile(handle.db, await getProject(handle.db, project));
    expect(exported.metricTasks.map((t) => t.name)).toEqual(["a_coupon_daily_copy", TASK.name]);
    const yaml = projectFileToYaml(exported);
    expect(yaml).toContain("metricTasks:");
    const plan = await applyProjectFile(handle.db, parseProjectFile(yaml).file, opts);
    expect(plan.changes).toEqual([]);
  });

  it("a task the builder would refuse is refused with its path in the file, and nothing is written", async () => {
    const project = uniqueName("mt_invalid");
    await applyProjectFile(handle.db, withTasks(project, [TASK]), opts);
    const before = await catalogJson(project);
    const bad = {
      ...TASK,
      description: "changed together with a broken component",
      process: [{ type: "dedup" as const, keys: ["coupon_id"] }, { type: "explode" as const, column: "no_such_column", as: "item" }],
    };
    const file = { ...demo(project), description: "changed too", metricTasks: [MetricTask.parse(bad)] };
    // Straight to apply (the API path) ...
    await expect(applyProjectFile(handle.db, file, opts)).rejects.toThrow(ValidationError);
    expect(await catalogJson(project)).toBe(before);
    // ... and through the loader, which also places the error in the file.
    const issues = issuesOf(() => parseProjectFile(projectFileToYaml(file)));
    const explode = issues.find((i) => i.path === `metricTasks.${TASK.name}.process.1.column`);
    expect(explode?.message).toMatch(/'no_such_column' is not a column here/);
    expect(explode?.line).toBeGreaterThan(1);
  });

  it("a task whose jobs the file lacks: apply writes them as the task generates them", async () => {
    const project = uniqueName("mt_nojobs");
    // Only the task, through YAML and the loader, as a person would write it by hand.
    const file = parseProjectFile(projectFileToYaml({ ...demo(project), metricTasks: [MetricTask.parse(TASK)] })).file;
    const generated = validateMetricTask(snapshotFromProjectFile(demo(project)), TASK).jobs;
    expect(file.jobs.map((j) => j.name)).toContain(TASK.name);
    const plan = await applyProjectFile(handle.db, file, opts);
    expect(plan.changes).toContainEqual({ action: "create", entity: "job", name: TASK.name, fields: [] });
    const ref = await getProject(handle.db, project);
    const job = (await loadCatalogSnapshot(handle.db, ref)).jobs.get(TASK.name);
    expect(job?.sql).toBe(generated[0]?.spec.sql);
    expect((await storedTasks(project))[0]?.jobs).toEqual([TASK.name]);
    // Straight to apply (the API path) too: the same file without the job changes nothing now.
    expect((await applyProjectFile(handle.db, { ...demo(project), metricTasks: [MetricTask.parse(TASK)] }, opts)).changes).toEqual([]);
    // And the export, which carries the job, round-trips.
    const exported = await exportProjectFile(handle.db, ref);
    expect((await applyProjectFile(handle.db, parseProjectFile(projectFileToYaml(exported)).file, opts)).changes).toEqual([]);
  });

  it("a generated job edited by hand in the file is refused at its SQL's line, and nothing is written", async () => {
    const project = uniqueName("mt_edited");
    await applyProjectFile(handle.db, withTasks(project, [TASK]), opts);
    const before = await catalogJson(project);
    const good = withTasks(project, [TASK]);
    const edited = { ...good, jobs: good.jobs.map((j) => (j.name === TASK.name ? { ...j, sql: j.sql.replace(/\bSELECT\b/, "SELECT /* tuned by hand */") } : j)) };
    expect(edited.jobs.find((j) => j.name === TASK.name)?.sql).toContain("tuned by hand");
    const issues = issuesOf(() => parseProjectFile(projectFileToYaml(edited)));
    expect(issues).toEqual([expect.objectContaining({ path: `jobs.${TASK.name}.sql`, message: expect.stringMatching(/generated by metric task .* its SQL differs/) })]);
    expect(issues[0]?.line).toBeGreaterThan(1);
    await expect(applyProjectFile(handle.db, edited, opts)).rejects.toThrow(/its SQL differs from what the task generates/);
    expect(await catalogJson(project)).toBe(before);
    // Trailing spaces and CRLF line ends are not edits.
    const respaced = { ...good, jobs: good.jobs.map((j) => (j.name === TASK.name ? { ...j, sql: `${j.sql.replace(/\n/g, "  \r\n")}\n` } : j)) };
    expect((await applyProjectFile(handle.db, respaced, { ...opts, dryRun: true })).changes).toContainEqual(expect.objectContaining({ entity: "job", name: TASK.name }));
  });

  it("two tasks of the same name are refused with the duplicate's path", async () => {
    const project = uniqueName("mt_dup");
    const file = { ...demo(project), metricTasks: [MetricTask.parse(TASK), MetricTask.parse(TASK)] };
    const issues = issuesOf(() => parseProjectFile(projectFileToYaml(file)));
    expect(issues).toEqual([expect.objectContaining({ path: `metricTasks.${TASK.name}`, message: `duplicate metric task name '${TASK.name}'` })]);
    await expect(applyProjectFile(handle.db, file, opts)).rejects.toThrow(/duplicate metric task name/);
    await expect(getProject(handle.db, project)).rejects.toThrow(/does not exist/);
  });

  it("two tasks generating the same job are refused (the builder's save refuses it too)", () => {
    const project = uniqueName("mt_clash");
    // A task with a campaign-to-date result also generates `<task>_ctd`: a task named like that generates it too.
    const withCampaign = {
      ...TASK, name: "coupon", campaignStart: "2024-11-01",
      results: [...TASK.results, { period: "campaign" as const, dimensionSet: "by_coupon", table: "ads_coupon_cumulative" }],
    };
    const campaignJobs = validateMetricTask(snapshotFromProjectFile(demo(project)), withCampaign).jobs.map((j) => j.name);
    expect(campaignJobs).toEqual(["coupon", "coupon_ctd"]);
    const clash = { ...TASK, name: "coupon_ctd" };
    const file = { ...demo(project), metricTasks: [MetricTask.parse(withCampaign), MetricTask.parse(clash)] };
    const issues = issuesOf(() => parseProjectFile(projectFileToYaml(file)));
    expect(issues).toEqual([expect.objectContaining({ path: `metricTasks.${clash.name}`, message: expect.stringContaining(`which metric task 'coupon' generates too`) })]);
  });
});
