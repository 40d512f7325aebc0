import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { deliverDueAlerts, listAlertHistory, upsertAlertChannel } from "../alerts/index";
import type { ProjectContext } from "../context";
import { jobHealth } from "../health/index";
import { writeHistoryPartition } from "../demo/generator";
import { DuckSession, lit } from "../engines/local/duck";
import { pgliteDatabase, type SqlDatabase } from "../engines/local/jdbc";
import { createEngineRegistry, type EngineRegistry } from "../engines/registry";
import { deployJob } from "../jobs/deployments";
import { exportProjectFile } from "../project-file/export";
import { getProject } from "../projects/projects";
import { createInstance, executeInstance, getInstance, instanceEventLog, listPartitions, markPartitionReady, scheduleInstance, type RunnerDeps } from "../runs/index";
import { Bizdate } from "../scheduling/index";
import { applyDemoProject, DEMO_FILE_TEXT, projectFileIssues, type DemoProject } from "../testing/demo-project";
import { checkPartition, listQualityResults, onQualityResults, reconcile, streamFinalForDay, type QualityResultRecord } from "./index";

// The demo's daily job with quality rules on its output: day D passes and is published; a day whose
// input holds NULL coupons fails its blocking rule, stays unpublished and holds the job downstream; a
// hand-made partition with duplicated keys and NULLs fails the uniqueness and null rules; the stream
// side (a serving table) reconciles with the batch side, and drift names the keys that differ.

const JOB = "coupon_daily_stats";
const OUT = "ads_coupon_daily_di";
const D = Bizdate.parse("2024-11-11");
let handle: DatabaseHandle;
let demo: DemoProject;
let ctx: ProjectContext;
let engines: EngineRegistry;
let pglite: PGlite;
let serving: SqlDatabase;
const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-quality-"));
const dataDir = path.join(base, ".tandem");
const warehouse = (table: string) => path.join(dataDir, "demo", "warehouse", table);
const heard: QualityResultRecord[] = [];
const stopListening = onQualityResults((_p, results) => { heard.push(...results); });

const RULES = [
  { name: "key_unique", kind: "unique", columns: ["dt", "coupon_id"] },
  { name: "coupon_present", kind: "nullRatio", column: "coupon_id", max: 0 },
  { name: "not_empty", kind: "rowCount", min: 1, max: 100000 },
  { name: "pv_positive", kind: "range", column: "pv", min: 1 },
  { name: "redeemed_le_pv", kind: "sql", sql: "SELECT coupon_id, pv, redeemed FROM ads_coupon_daily_di WHERE redeemed > pv" },
  { name: "on_time", kind: "freshness", readyBy: "06:00", severity: "warning" },
  { name: "week_over_week", kind: "rowCount", maxChangePct: 50, severity: "warning" },
  { name: "live_matches_exact", kind: "reconcile", against: "ads_coupon_daily_rt", key: ["coupon_id"], columns: ["pv", "uv", "redeemed", "gmv_cents"], tolerance: { abs: 0 }, maxKeys: 10 },
];

beforeAll(async () => {
  handle = await openTestDatabase();
  demo = await applyDemoProject(handle.db, "quality", (file) => {
    const t = file.physicalTables.find((x) => x.name === OUT);
    if (t) t.quality = RULES as typeof t.quality;
  });
  ctx = { db: handle.db, actor: { kind: "system", reason: "scheduler" }, project: await getProject(handle.db, demo.project) };
  await deployJob({ ...ctx, actor: { kind: "local" } }, { job: JOB });
  pglite = await PGlite.create();
  serving = pgliteDatabase(pglite);
  engines = createEngineRegistry({ dataDir, embedded: () => serving });
}, 60_000);
afterAll(async () => {
  stopListening();
  await engines.close();
  await pglite.close();
  await handle.close();
  fs.rmSync(base, { recursive: true, force: true });
});

const deps = (streamFinal?: RunnerDeps["streamFinal"]): RunnerDeps => ({ engines, secretBox: demo.secretBox, dataDir, streamFinal });

async function runDay(day: Bizdate, streamFinal?: RunnerDeps["streamFinal"]) {
  const ref = { job: JOB, bizdate: day };
  await scheduleInstance(ctx, { ...ref, trigger: "manual", scheduledAt: new Date() });
  await markPartitionReady({ ...ctx, actor: { kind: "local" } }, { table: "ods_coupon_events_di", partition: day.toString() });
  return executeInstance(ctx, deps(streamFinal), ref);
}

/** The stream side's serving table holding exactly the batch partition's rows of the day. */
async function servingMatchesBatch(day: Bizdate): Promise<void> {
  await pglite.query("CREATE TABLE IF NOT EXISTS ads_coupon_daily_rt (dt text, coupon_id bigint, pv bigint, uv bigint, redeemed bigint, gmv_cents bigint, PRIMARY KEY (dt, coupon_id))");
  const s = await DuckSession.open();
  try {
    const rows = await s.rows(`SELECT * FROM read_parquet(${lit(path.join(warehouse(OUT), `dt=${day.format("yyyy-MM-dd")}`, "part-0.parquet"))})`);
    for (const r of rows) {
      await pglite.query("INSERT INTO ads_coupon_daily_rt VALUES ($1, $2, $3, $4, $5, $6)", [day.format("yyyy-MM-dd"), String(r.coupon_id), String(r.pv), String(r.uv), String(r.redeemed), String(r.gmv_cents)]);
    }
  } finally {
    s.close();
  }
}

describe("quality rules on a deployed job's output", () => {
  it("day D: the rules pass, warnings are recorded, the partition is published and reconciled", async () => {
    await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day: "2024-11-11", count: 3000, seed: 7 });
    // The stream side is made final and consistent before the run: the scheduler reconciles right after it.
    let asked = 0;
    const first = await runDay(D, async () => {
      asked += 1;
      if (asked === 1) await servingMatchesBatch(D);
      return true;
    });
    expect(first.instance.state).toBe("succeeded");
    const results = await listQualityResults(ctx, { table: OUT, partition: D.toString() });
    const byRule = new Map(results.map((r) => [r.rule, r]));
    for (const name of ["key_unique", "coupon_present", "not_empty", "pv_positive", "redeemed_le_pv", "week_over_week", "live_matches_exact"]) {
      expect(byRule.get(name), name).toMatchObject({ passed: true, instanceId: first.instance.id, job: JOB });
    }
    // 2024-11-11 is long past 06:00 the next morning: a late partition, a warning only.
    expect(byRule.get("on_time")).toMatchObject({ passed: false, severity: "warning", observed: { deadline: "2024-11-12T06:00:00.000Z" } });
    expect(byRule.get("key_unique")?.query).toMatch(/count\(DISTINCT hash\("coupon_id"\)\)/);
    expect(byRule.get("live_matches_exact")?.observed).toMatchObject({ differing: 0, keys: [] });
    expect(await listPartitions(ctx, OUT)).toEqual([expect.objectContaining({ partition: D.toString(), producedBy: first.instance.id })]);
    const log = await instanceEventLog(ctx, { job: JOB, bizdate: D });
    expect(log.map((e) => e.kind)).toEqual(["created", "waiting", "queued", "running", "quality", "succeeded", "reconciled"]);
    expect(log.find((e) => e.kind === "quality")?.message).toMatch(/on_time \(warning\)/);
    expect(heard.filter((r) => r.partition === D.toString())).toHaveLength(results.length);
  });

  it("a day whose output holds NULL keys fails its blocking rule, stays unpublished and holds the job downstream", async () => {
    const day = D.addDays(1);
    const file = await writeHistoryPartition(warehouse("ods_coupon_events_di"), { day: "2024-11-12", count: 3000, seed: 8 });
    const s = await DuckSession.open();
    try {
      // Every tenth event loses its coupon: the daily job groups them under a NULL coupon_id.
      await s.run(`COPY (SELECT * REPLACE (CASE WHEN hash(event_id) % 10 = 0 THEN NULL ELSE coupon_id END AS coupon_id) FROM read_parquet(${lit(file)})) TO ${lit(`${file}.bad`)} (FORMAT parquet)`);
    } finally {
      s.close();
    }
    fs.renameSync(`${file}.bad`, file);
    const downstream = { job: "coupon_report", bizdate: day };
    await createInstance(ctx, { ...downstream, deploymentVersion: 1, scheduledAt: new Date(), trigger: "manual", upstream: [{ table: OUT, partition: day.toString() }] });

    // Operators listen on a webhook that is down for its first call.
    const received: { kind: string; rule: string | null; job: string }[] = [];
    const answers = [500];
    const receiver = http.createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => { text += c.toString(); });
      req.on("end", () => {
        received.push(JSON.parse(text) as { kind: string; rule: string | null; job: string });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    await upsertAlertChannel({ ...ctx, actor: { kind: "local" } }, {
      name: "oncall", url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, kinds: ["quality_blocking"],
    });
    const before = await jobHealth(ctx, JOB);
    expect(before.findings.filter((f) => f.message.includes("coupon_present"))).toEqual([]);

    const done = await runDay(day);
    expect(done.instance.state).toBe("failed");
    expect(done.instance.error).toMatch(/blocking quality rule failed: coupon_present \(blocking\) on ads_coupon_daily_di\/20241112: coupon_id: 1 of \d+ rows NULL/);
    expect(done.released).toEqual([]);
    expect((await listPartitions(ctx, OUT)).map((p) => p.partition)).not.toContain(day.toString());
    expect(await getInstance(ctx, downstream)).toMatchObject({ state: "waiting", waitingFor: [{ table: OUT, partition: day.toString() }] });
    const log = await instanceEventLog(ctx, { job: JOB, bizdate: day });
    expect(log.at(-1)).toMatchObject({ kind: "failed" });
    expect(log.find((e) => e.kind === "quality")?.data).toMatchObject({ results: expect.arrayContaining([expect.objectContaining({ rule: "coupon_present", passed: false, observed: expect.objectContaining({ nulls: 1 }) })]) });

    // The blocking result is alerted once: the 500 is retried after its backoff, then never sent again.
    try {
      const deliver = (at: number) => deliverDueAlerts(handle.db, { projectId: ctx.project.id, backoffMs: 60_000, now: () => new Date(Date.now() + at) });
      expect(await deliver(0)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await deliver(120_000)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
      expect(await deliver(36_000_000)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
    expect(received).toEqual([
      expect.objectContaining({ kind: "quality_blocking", rule: "coupon_present", job: JOB }),
      expect.objectContaining({ kind: "quality_blocking", rule: "coupon_present", job: JOB }),
    ]);
    expect(await listAlertHistory(ctx, { job: JOB })).toEqual([expect.objectContaining({ channel: "oncall", status: "delivered", attempts: 2, lastStatusCode: 200 })]);
    // The job's health drops, naming the rule.
    const health = await jobHealth(ctx, JOB);
    // −5 for the blocking rule and −5 for the failed instance it caused (warnings of the day may add −1s).
    expect(health.score).toBeLessThanOrEqual(before.score - 10);
    expect(health.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: "quality", risk: "high", message: expect.stringContaining("coupon_present") as unknown }),
      expect.objectContaining({ source: "instances", code: "instance_failed", risk: "high" }),
    ]));
  });

  it("a partition with duplicated keys and NULLs fails uniqueness and null ratio, with what was observed", async () => {
    const day = D.addDays(2);
    const dir = path.join(warehouse(OUT), "dt=2024-11-13");
    fs.mkdirSync(dir, { recursive: true });
    const s = await DuckSession.open();
    try {
      await s.run(`COPY (SELECT * FROM (VALUES (1::BIGINT, 5::BIGINT, 2::BIGINT, 1::BIGINT, 100::BIGINT), (1, 6, 2, 1, 100), (2, 4, 3, 0, 0), (NULL, 3, 1, 0, 0), (NULL, 2, 2, 0, 0)) AS t(coupon_id, pv, uv, redeemed, gmv_cents)) TO ${lit(path.join(dir, "part-0.parquet"))} (FORMAT parquet)`);
    } finally {
      s.close();
    }
    const checked = await checkPartition(ctx, { dataDir }, { table: OUT, bizdate: day });
    const byRule = new Map(checked.results.map((r) => [r.rule, r]));
    expect(byRule.get("key_unique")).toMatchObject({ passed: false, observed: { rows: 5, duplicates: 2, sample: [{ coupon_id: 1, copies: 2 }, { coupon_id: null, copies: 2 }] } });
    expect(byRule.get("coupon_present")).toMatchObject({ passed: false, observed: { nulls: 2, rows: 5, ratio: 0.4 } });
    expect(byRule.get("pv_positive")).toMatchObject({ passed: true });
    expect(checked.blocking.map((r) => r.rule).sort()).toEqual(["coupon_present", "key_unique"]);
  });

  it("reconciliation names the keys where the stream side drifted from the batch side", async () => {
    await pglite.query("UPDATE ads_coupon_daily_rt SET pv = pv + 5 WHERE coupon_id = (SELECT min(coupon_id) FROM ads_coupon_daily_rt)");
    await pglite.query("DELETE FROM ads_coupon_daily_rt WHERE coupon_id = (SELECT max(coupon_id) FROM ads_coupon_daily_rt)");
    const { rows } = await pglite.query<{ lo: number; hi: number }>("SELECT min(coupon_id)::int AS lo, (SELECT max(coupon_id) FROM ads_coupon_daily_rt)::int AS hi FROM ads_coupon_daily_rt");
    const lo = rows[0]?.lo;
    const r = await reconcile(ctx, { dataDir, jdbc: (t) => engines.jdbc?.(t) ?? serving }, { table: OUT, bizdate: D });
    const [result] = r.results;
    expect(result).toMatchObject({ rule: "live_matches_exact", passed: false, severity: "blocking" });
    const keys = (result?.observed.keys ?? []) as { coupon_id: number; in_batch: boolean; in_stream: boolean; batch_pv: number; stream_pv: number | null }[];
    expect(result?.observed.differing).toBe(2);
    expect(keys.find((k) => k.coupon_id === lo)).toMatchObject({ in_batch: true, in_stream: true });
    const drifted = keys.find((k) => k.coupon_id === lo);
    expect((drifted?.stream_pv ?? 0) - (drifted?.batch_pv ?? 0)).toBe(5);
    expect(keys.find((k) => !k.in_stream)).toMatchObject({ in_batch: true, stream_pv: null });
    expect(result?.message).toMatch(/2 keys differ between ads_coupon_daily_rt \(stream\) and ads_coupon_daily_di \(batch\) on 2024-11-11/);
    expect(rows[0]?.hi).toBeLessThan(Number(keys.find((k) => !k.in_stream)?.coupon_id));
  });
});

describe("when the stream side of a day is final", () => {
  it("once its watermark passed the end of the day in the job's zone", () => {
    const end = Date.parse("2024-11-11T16:00:00Z"); // midnight after 2024-11-11 in Shanghai
    expect(streamFinalForDay(end - 1, D, "Asia/Shanghai")).toBe(false);
    expect(streamFinalForDay(end, D, "Asia/Shanghai")).toBe(true);
    expect(streamFinalForDay(end, D, "UTC")).toBe(false);
    expect(streamFinalForDay(null, D, "UTC")).toBe(false);
  });
});

describe("quality rule definitions", () => {
  const withRules = (rules: string) => DEMO_FILE_TEXT.replace("    partition: { column: dt, format: yyyy-MM-dd }\n    options:\n      path: .tandem/demo/warehouse/ads_coupon_daily_di", `    partition: { column: dt, format: yyyy-MM-dd }\n    quality:\n${rules}\n    options:\n      path: .tandem/demo/warehouse/ads_coupon_daily_di`);

  it("are refused with the rule's path, line and what is wrong", () => {
    const issues = projectFileIssues(withRules([
      "      - { name: a, kind: nullRatio, column: coupon, max: 0.1 }",
      "      - { name: b, kind: rowCount }",
      "      - { name: c, kind: reconcile, against: nowhere, key: [coupon_id], columns: [pv] }",
      "      - { name: d, kind: range, column: pv, min: 10, max: 1 }",
    ].join("\n")));
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "physicalTables.ads_coupon_daily_di.quality.a.column: column 'coupon' is not a column of 'ads_coupon_daily_di'",
      "physicalTables.ads_coupon_daily_di.quality.b: rowCount rule 'b' needs min, max or maxChangePct",
      "physicalTables.ads_coupon_daily_di.quality.c.against: table 'nowhere' is not in the catalog",
      "physicalTables.ads_coupon_daily_di.quality.d.min: min (10) is greater than max (1)",
    ]);
    expect(issues[0]?.line).toBeGreaterThan(90);
    expect(projectFileIssues(withRules("      - { name: e, kind: median, column: pv }"))[0]?.message).toMatch(/Invalid discriminator value\. Expected 'rowCount' \| 'nullRatio'/);
    expect(projectFileIssues(withRules("      - { name: f, kind: nullRatio, column: pv, max: 2 }"))[0]).toMatchObject({ path: "physicalTables.ads_coupon_daily_di.quality.f.max" });
  });

  it("round-trip through apply and export, and the API refuses a rule that writes", async () => {
    const exported = await exportProjectFile(handle.db, ctx.project);
    expect(exported.physicalTables.find((t) => t.name === OUT)?.quality?.map((r) => r.name)).toEqual(RULES.map((r) => r.name));
    const api = demo.api();
    await expect(api.quality.upsertRule({ project: demo.project, table: OUT, rule: { name: "bad", kind: "sql", sql: "DELETE FROM ads_coupon_daily_di" } })).rejects.toThrow(/only a read-only SELECT query is allowed/);
    await expect(api.quality.upsertRule({ project: demo.project, table: OUT, rule: { name: "bad", kind: "unique", columns: ["nope"] } })).rejects.toThrow(/column 'nope' is not a column of 'ads_coupon_daily_di'/);
    await api.quality.upsertRule({ project: demo.project, table: OUT, rule: { name: "gmv_sane", kind: "range", column: "gmv_cents", min: 0, severity: "warning" } });
    expect((await api.quality.rules({ project: demo.project, table: OUT })).at(-1)).toMatchObject({ name: "gmv_sane", severity: "warning" });
    await api.quality.deleteRule({ project: demo.project, table: OUT, name: "gmv_sane" });
    await expect(api.quality.deleteRule({ project: demo.project, table: OUT, name: "gmv_sane" })).rejects.toThrow(/has no quality rule 'gmv_sane'/);
    // A rule whose query cannot run fails with the reason; the other rules are still measured.
    await api.quality.upsertRule({ project: demo.project, table: OUT, rule: { name: "broken", kind: "sql", sql: "SELECT no_such_column FROM ads_coupon_daily_di" } });
    const checked = await checkPartition(ctx, { dataDir }, { table: OUT, bizdate: D });
    expect(checked.blocking.map((r) => r.rule)).toEqual(["broken"]);
    expect(checked.blocking[0]?.message).toMatch(/could not be evaluated: .*no_such_column/);
    expect(checked.results.filter((r) => r.passed).map((r) => r.rule)).toEqual(["key_unique", "coupon_present", "not_empty", "pv_positive", "redeemed_le_pv", "week_over_week"]);
    await api.quality.deleteRule({ project: demo.project, table: OUT, name: "broken" });
    await expect(api.quality.upsertRule({ project: demo.project, table: OUT, rule: { name: "late", kind: "freshness", readyBy: "09:00", timeZone: "Mars/Olympus" } })).rejects.toThrow(/must be a time zone/);
    const failed = await api.quality.results({ project: demo.project, table: OUT, failed: true });
    expect(failed.map((r) => r.rule)).toContain("coupon_present");
  });
});
