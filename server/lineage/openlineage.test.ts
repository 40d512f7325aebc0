import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../context";
import { writeHistoryPartition } from "../demo/generator";
import { createEngineRegistry, type EngineRegistry } from "../engines/registry";
import { deployJob } from "../jobs/deployments";
import { parseProjectFile, snapshotFromProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { executeInstance, scheduleInstance, senseUpstream } from "../runs/index";
import { Bizdate } from "../scheduling/index";
import type { Lineage } from "../sql/lineage";
import { translateJob } from "../sql/translate/index";
import { applyDemoProject, DEMO_FILE_TEXT, type DemoProject } from "../testing/demo-project";
import { bothSinks, buildRunEvent, fileTransport, httpTransport, runIdOf, type RunEvent } from "./openlineage";

// OpenLineage events checked against the official JSON schemas (./openlineage-spec, unmodified): the event
// itself and every facet Tandem sets, each by its own schema. A real batch run of the demo job sends START
// and COMPLETE while the HTTP endpoint is down, and the instance still succeeds; its columnLineage facet says
// what the translator's lineage (`tandem translate --json`) says.

const SPEC = path.join(path.dirname(new URL(import.meta.url).pathname), "openlineage-spec");
const readSchema = (file: string) => JSON.parse(fs.readFileSync(path.join(SPEC, file), "utf8")) as { $id: string };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const core = readSchema("OpenLineage.json");
ajv.addSchema(core);
const FACETS: Record<string, string> = {};
for (const f of fs.readdirSync(path.join(SPEC, "facets"))) {
  const s = readSchema(path.join("facets", f)) as { $id: string; properties: Record<string, unknown> };
  ajv.addSchema(s);
  for (const name of Object.keys(s.properties)) FACETS[name] = s.$id;
}

/** Schema errors of the event and of each facet (a facet without a schema here is an error too). */
function schemaErrors(event: unknown): string[] {
  const errors: string[] = [];
  const check = (id: string, value: unknown, where: string) => {
    if (!ajv.validate(id, value)) errors.push(...(ajv.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ""}`));
  };
  check(core.$id, event, "event");
  const e = event as RunEvent;
  const facets = (where: string, group: Record<string, unknown> | undefined) => {
    for (const [name, value] of Object.entries(group ?? {})) {
      const id = FACETS[name];
      if (!id) errors.push(`${where}.${name}: no schema for this facet`);
      else check(id, { [name]: value }, `${where}.${name}`);
    }
  };
  facets("run", e.run.facets);
  facets("job", e.job.facets);
  for (const d of [...e.inputs, ...e.outputs]) facets(`dataset ${d.name}`, { ...d.facets, ...d.inputFacets });
  return errors;
}

/** sink column → "table.column" of its sources, from the translator's lineage. */
function expectedFields(lineage: Lineage, table: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of lineage.columns.filter((x) => x.sink.table === table)) out[c.sink.column] = [...new Set(c.sources.map((s) => `${s.table}.${s.column}`))];
  return out;
}
function facetFields(event: RunEvent, table: string): Record<string, string[]> {
  const fields = event.outputs.find((o) => o.name === table)?.facets?.columnLineage?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.inputFields.map((f) => `${f.name}.${f.field}`)]));
}

const demoLineage = (job: string) => {
  const file = parseProjectFile(DEMO_FILE_TEXT).file;
  const spec = file.jobs.find((j) => j.name === job);
  if (!spec) throw new Error(`no demo job ${job}`);
  return { spec, lineage: translateJob(snapshotFromProjectFile(file), spec, { bizdate: "2024-11-11" }).lineage };
};

describe("OpenLineage run events", () => {
  it("validate against the official schema for START, COMPLETE, FAIL, a stream start and quality assertions", () => {
    const { spec, lineage } = demoLineage("coupon_daily_stats");
    const base = { project: "double11", job: spec.name, version: 2, sql: spec.sql, lineage, runId: runIdOf("double11", spec.name, "2024-11-11", 1) };
    const events = [
      buildRunEvent({ ...base, eventType: "START", side: "batch", bizdate: "2024-11-11" }),
      buildRunEvent({ ...base, eventType: "COMPLETE", side: "batch", bizdate: "2024-11-11", assertions: [{ table: "ads_coupon_daily", assertions: [{ assertion: "not_null", success: true, column: "coupon_id" }, { assertion: "row_count", success: false }] }] }),
      buildRunEvent({ ...base, eventType: "FAIL", side: "batch", bizdate: "2024-11-11", error: "input partitions do not exist" }),
      buildRunEvent({ ...base, eventType: "START", side: "stream", runId: runIdOf("double11", spec.name, "stream", 2, "job-1") }),
    ];
    for (const e of events) expect(schemaErrors(e)).toEqual([]);
    expect(events[1]?.inputs.find((i) => i.name === "ads_coupon_daily")?.inputFacets?.dataQualityAssertions.assertions).toHaveLength(2);
    expect(events[2]?.run.facets.errorMessage).toMatchObject({ message: "input partitions do not exist" });
    expect(events[3]?.job).toMatchObject({ name: "coupon_daily_stats.stream", facets: { jobType: { processingType: "STREAMING" } } });
    expect(events[0]?.run.facets.nominalTime).toMatchObject({ nominalStartTime: "2024-11-11T00:00:00.000Z", nominalEndTime: "2024-11-12T00:00:00.000Z" });
  });

  it("the schema check does catch a broken event", () => {
    const { spec, lineage } = demoLineage("coupon_minutely");
    const good = buildRunEvent({ eventType: "START", project: "p", job: spec.name, version: 1, side: "batch", sql: spec.sql, lineage, runId: runIdOf("x") });
    expect(schemaErrors({ ...good, run: { ...good.run, runId: "not-a-uuid" } })).not.toEqual([]);
    expect(schemaErrors({ ...good, eventType: "DONE" })).not.toEqual([]);
    const { _producer: _p, ...noProducer } = good.job.facets.sql as Record<string, unknown>;
    expect(schemaErrors({ ...good, job: { ...good.job, facets: { sql: noProducer } } })).not.toEqual([]);
    expect(() => buildRunEvent({ eventType: "START", project: "p", job: "j", version: 1, side: "batch", sql: "x", lineage, runId: runIdOf("x"), bizdate: "2024-13-45" })).toThrow(/not a yyyy-MM-dd date/);
  });

  it("HTTP: retries a 500 with backoff, does not retry a 400, and gives up quietly on a dead endpoint", async () => {
    const bodies: string[] = [];
    const statuses = [500, 200, 400];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => { bodies.push(body); res.statusCode = statuses.shift() ?? 200; res.end(); });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
    const waits: number[] = [];
    const reports: string[] = [];
    const sink = httpTransport({ url, retries: 3, backoffMs: 100, timeoutMs: 10_000, sleep: async (ms) => void waits.push(ms), report: (m) => reports.push(m) });
    const { spec, lineage } = demoLineage("coupon_daily_stats");
    const event = buildRunEvent({ eventType: "START", project: "p", job: spec.name, version: 1, side: "batch", sql: spec.sql, lineage, runId: runIdOf("y") });
    await sink.emit(event);
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[1] ?? "")).toEqual(event);
    expect(waits).toEqual([100]);
    expect(reports).toEqual([]);
    await sink.emit(event); // 400: refused, not retried
    expect(bodies).toHaveLength(3);
    expect(reports).toEqual([expect.stringMatching(/not delivered .*HTTP 400/)]);
    await new Promise<void>((r) => server.close(() => r()));
    const dead = httpTransport({ url, retries: 2, backoffMs: 1, timeoutMs: 2_000, report: (m) => reports.push(m) });
    await expect(dead.emit(event)).resolves.toBeUndefined();
    expect(reports).toHaveLength(2);
  }, 60_000);
});

describe("a batch instance run sends its events", () => {
  const JOB = "coupon_daily_stats";
  const D = Bizdate.parse("2024-11-11");
  let handle: DatabaseHandle;
  let demo: DemoProject;
  let ctx: ProjectContext;
  let engines: EngineRegistry;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-openlineage-"));
  const dataDir = path.join(base, ".tandem");
  const eventsFile = path.join(base, "events", "openlineage.jsonl");

  beforeAll(async () => {
    handle = await openTestDatabase();
    demo = await applyDemoProject(handle.db, "openlineage");
    ctx = { db: handle.db, actor: { kind: "system", reason: "scheduler" }, project: await getProject(handle.db, demo.project) };
    await deployJob({ ...ctx, actor: { kind: "local" } }, { job: JOB });
    engines = createEngineRegistry({ dataDir });
  }, 120_000);
  afterAll(async () => {
    await engines.close();
    await handle.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it("START and COMPLETE, valid, with the translator's column lineage, while the HTTP endpoint is down", async () => {
    const ref = { job: JOB, bizdate: D };
    await scheduleInstance(ctx, { ...ref, trigger: "schedule", scheduledAt: new Date("2024-11-12T00:30:00Z") });
    await writeHistoryPartition(path.join(dataDir, "demo", "warehouse", "ods_coupon_events_di"), { day: "2024-11-11", count: 500, seed: 3 });
    await senseUpstream(ctx, { dataDir }, ref);
    const reports: string[] = [];
    // A port that was just freed: every attempt is refused.
    const gone = http.createServer();
    await new Promise<void>((r) => gone.listen(0, "127.0.0.1", r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const down = httpTransport({ url: `http://127.0.0.1:${port}/api/v1/lineage`, retries: 1, backoffMs: 1, timeoutMs: 2_000, report: (m) => reports.push(m) });
    const sink = bothSinks(down, fileTransport(eventsFile));
    const done = await executeInstance(ctx, { engines, secretBox: demo.secretBox, dataDir, openLineage: sink }, ref);
    expect(done.instance.state).toBe("succeeded");
    await sink.flush();
    expect(reports).toEqual([expect.stringMatching(/START .*not delivered/), expect.stringMatching(/COMPLETE .*not delivered/)]);

    const events = fs.readFileSync(eventsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as RunEvent);
    expect(events.map((e) => e.eventType)).toEqual(["START", "COMPLETE"]);
    expect(events[0]?.run.runId).toBe(events[1]?.run.runId);
    for (const e of events) expect(schemaErrors(e)).toEqual([]);
    const complete = events[1] as RunEvent;
    expect(complete.job).toMatchObject({ namespace: `tandem://${demo.project}`, name: JOB });
    expect(complete.inputs.map((i) => i.name)).toEqual(["mix_coupon_events"]);
    expect(complete.outputs.map((o) => o.name)).toEqual(["ads_coupon_daily"]);

    const { lineage } = demoLineage(JOB);
    const expected = expectedFields(lineage, "ads_coupon_daily");
    expect(Object.keys(expected).sort()).toEqual(["coupon_id", "dt", "gmv_cents", "pv", "redeemed", "uv"]);
    expect(expected.uv).toEqual(["mix_coupon_events.user_id"]);
    expect(facetFields(complete, "ads_coupon_daily")).toEqual(expected);
  }, 120_000);
});
