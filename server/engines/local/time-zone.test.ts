import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { StreamRunner } from "./stream";
import { planLocalJob } from "./from-script";
import { parseProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import { sinkEnv, tempDir } from "../testing/helpers";
import type { LocalStreamJob } from "./plan";

// The session time zone on the local engine, as Flink applies it (docs/engines.md, "Session time
// zone"): TIMESTAMP_LTZ values are instants shown in the session zone, TIMESTAMP values are wall clock
// and ignore it. Each case runs one job on both sides and asserts the exact rows of day D.

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** An event: its id and instant (epoch millis). Its wall-clock column is the instant's UTC digits. */
interface Ev { id: string; ms: number }
const at = (iso: string): number => Date.parse(iso);
const utcWall = (ms: number): string => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

/** The calendar day of an instant in a zone: how an upstream job in that zone partitions the warehouse. */
function dayIn(zone: string, ms: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
}

/**
 * A project whose meta-table `ev` has an LTZ event time (from epoch millis) and a TIMESTAMP wall clock;
 * `dt` is the event's day in the session zone (stream: DATE_FORMAT of the LTZ time; batch: the partition).
 * `ev_wall` is the same events with their TIMESTAMP as event time, partitioned by its wall-clock day.
 */
function project(dir: string, zone: string): string {
  const rt = (name: string) => `
  - name: ${name}
    connection: ddb
    kind: stream
    columns:
      - { name: event_id, type: STRING }
      - { name: d, type: STRING }
      - { name: hr, type: INT }
      - { name: shown, type: STRING }
      - { name: as_ts, type: STRING }
      - { name: epoch_s, type: BIGINT }
    options: { path: ${path.join(dir, `${name}.duckdb`)}, table-name: out }`;
  const win = (name: string, kind: string) => `
  - name: ${name}
    connection: ddb
    kind: ${kind}
    columns: [{ name: d, type: STRING }, { name: ws, type: STRING }, { name: we, type: STRING }, { name: pv, type: BIGINT }]
    options: { path: ${path.join(dir, `${name}.duckdb`)}, table-name: out }`;
  const meta = (name: string, time: string, streamTime: string, batchTable: string, batchTime: string, day: string) => `
  - name: ${name}
    columns:
      - { name: event_id, type: STRING }
      - { name: event_time, type: "${time}" }
      - { name: dt, type: STRING }
    stream:
      table: events_rt
      mappings: { event_id: event_id, event_time: { expr: "${streamTime}" } }
      virtual: { dt: "${day}" }
    batch:
      table: ${batchTable}
      mappings: { event_id: event_id, event_time: { expr: "${batchTime}" }, dt: dt }`;
  const di = (name: string) => `
  - name: ${name}
    connection: files
    kind: batch
    columns:
      - { name: event_id, type: STRING }
      - { name: ts_ms, type: BIGINT }
      - { name: wall, type: TIMESTAMP(3) }
      - { name: dt, type: STRING }
    partition: { column: dt, format: yyyy-MM-dd }
    options: { path: ${path.join(dir, name)}, format: parquet }`;
  const out = (name: string) => `
  - name: ${name}
    columns:
      - { name: event_id, type: STRING }
      - { name: d, type: STRING }
      - { name: hr, type: INT }
      - { name: shown, type: STRING }
      - { name: as_ts, type: STRING }
      - { name: epoch_s, type: BIGINT }
    stream: { table: ${name}_rt, mappings: { event_id: event_id, d: d, hr: hr, shown: shown, as_ts: as_ts, epoch_s: epoch_s } }
    batch: { table: ${name}_di, mappings: { event_id: event_id, d: d, hr: hr, shown: shown, as_ts: as_ts, epoch_s: epoch_s } }`;
  // Every output column goes through one of the zone-sensitive conversions.
  const job = (name: string, from: string, sink: string) => `
  - name: ${name}
    stream: { startFrom: earliest }
    sql: |
      INSERT INTO ${sink}
      SELECT event_id, dt AS d, HOUR(event_time) AS hr, DATE_FORMAT(event_time, 'yyyy-MM-dd HH:mm:ss.SSS') AS shown,
        DATE_FORMAT(CAST(event_time AS TIMESTAMP(3)), 'yyyy-MM-dd HH:mm:ss') AS as_ts,
        CAST(CAST(event_time AS TIMESTAMP_LTZ(3)) AS BIGINT) AS epoch_s
      FROM ${from}
      WHERE dt = '\${bizdate}';`;
  const text = `version: 1
project: tz
timeZone: ${zone}
connections:
  - { name: files, type: filesystem, properties: { path: ${dir} } }
  - { name: ddb, type: duckdb, properties: {} }
physicalTables:
  - name: events_rt
    connection: files
    kind: stream
    columns:
      - { name: event_id, type: STRING }
      - { name: ts_ms, type: BIGINT }
      - { name: wall, type: TIMESTAMP(3) }
    computedColumns:
      - { name: event_time, expr: "TO_TIMESTAMP_LTZ(ts_ms, 3)" }
    watermark: { column: event_time, delay: 0 SECOND }
    options: { path: ${path.join(dir, "topic")}, format: json }
${di("events_di")}
${di("events_wall_di")}
${rt("out_ltz_rt")}
${rt("out_ltz_di").replace("kind: stream", "kind: batch\n    partition: { column: d, format: yyyy-MM-dd }")}
${rt("out_wall_rt")}
${rt("out_wall_di").replace("kind: stream", "kind: batch\n    partition: { column: d, format: yyyy-MM-dd }")}
${win("out_win_rt", "stream")}
${win("out_win_di", "batch\n    partition: { column: d, format: yyyy-MM-dd }")}
metaTables:
${meta("ev", "TIMESTAMP_LTZ(3)", "event_time", "events_di", "TO_TIMESTAMP_LTZ(ts_ms, 3)", "DATE_FORMAT(event_time, 'yyyy-MM-dd')")}
${meta("ev_wall", "TIMESTAMP(3)", "wall", "events_wall_di", "wall", "DATE_FORMAT(wall, 'yyyy-MM-dd')")}
${out("out_ltz")}
${out("out_wall")}
  - name: out_win
    columns: [{ name: d, type: STRING }, { name: ws, type: STRING }, { name: we, type: STRING }, { name: pv, type: BIGINT }]
    stream: { table: out_win_rt, mappings: { d: d, ws: ws, we: we, pv: pv } }
    batch: { table: out_win_di, mappings: { d: d, ws: ws, we: we, pv: pv } }
jobs:
${job("by_ltz", "ev", "out_ltz")}
${job("by_wall", "ev_wall", "out_wall")}
  - name: by_window
    stream: { startFrom: earliest }
    sql: |
      INSERT INTO out_win
      SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss') AS ws, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm:ss') AS we, COUNT(*) AS pv
      FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(event_time), INTERVAL '1' DAY))
      WHERE dt = '\${bizdate}'
      GROUP BY window_start, window_end, dt;
`;
  return text;
}

interface Row { event_id: string; d: string; hr: number; shown: string; as_ts: string; epoch_s: number }

/** Writes the topic and both warehouses, runs each job's batch side for D and its stream side over the topic. */
interface WinRow { d: string; ws: string; we: string; pv: number }

interface Runs extends Record<"ltz" | "wall", { batch: Row[]; stream: Row[] }> {
  /** The day window job (TUMBLE of 1 DAY on the LTZ event time), both sides. */
  window: { batch: WinRow[]; stream: WinRow[] };
  /** Reopens the by_ltz stream job's state as if its session zone had changed. */
  reopenIn(zone: string): Promise<void>;
}

async function runBoth(zone: string, day: string, events: Ev[]): Promise<Runs> {
  const dir = tempDir("tandem-tz-");
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "topic"), { recursive: true });
  fs.writeFileSync(path.join(dir, "topic", "part-0.jsonl"), events.map((e) => JSON.stringify({ event_id: e.id, ts_ms: e.ms, wall: utcWall(e.ms) })).join("\n") + "\n");
  const s = await DuckSession.open();
  try {
    const warehouse = async (table: string, dayOf: (ms: number) => string) => {
      for (const d of new Set(events.map((e) => dayOf(e.ms)))) {
        const rows = events.filter((e) => dayOf(e.ms) === d).map((e) => `(${lit(e.id)}, ${e.ms}, TIMESTAMP ${lit(utcWall(e.ms))})`);
        fs.mkdirSync(path.join(dir, table, `dt=${d}`), { recursive: true });
        await s.run(`COPY (SELECT * FROM (VALUES ${rows.join(", ")}) AS t(event_id, ts_ms, wall)) TO ${lit(path.join(dir, table, `dt=${d}`, "part-0.parquet"))} (FORMAT parquet)`);
      }
    };
    await warehouse("events_di", (ms) => dayIn(zone, ms));
    await warehouse("events_wall_di", (ms) => dayIn("UTC", ms));
  } finally {
    s.close();
  }
  const file = path.join(dir, "tandem.yaml");
  fs.writeFileSync(file, project(dir, zone));
  const loaded = parseProjectFile(fs.readFileSync(file, "utf8"), file);
  const catalog = snapshotFromProjectFile(loaded.file);
  const env = sinkEnv(dir);
  let ltzPlan: LocalStreamJob | undefined;
  const reopenIn = async (other: string) => {
    if (!ltzPlan) throw new Error("by_ltz did not run");
    const r = await StreamRunner.open({ ...ltzPlan, timeZone: other }, { jobId: "by_ltz", stateDir: path.join(dir, "state-by_ltz"), env });
    await r.close();
  };
  const out: Runs = { ltz: { batch: [], stream: [] }, wall: { batch: [], stream: [] }, window: { batch: [], stream: [] }, reopenIn };
  for (const [key, name] of [["ltz", "by_ltz"], ["wall", "by_wall"]] as const) {
    const job = loaded.file.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job ${name}`);
    const batch = planLocalJob({ catalog, job }, "batch", day);
    if (batch.kind !== "batch") throw new Error("expected a batch plan");
    await runBatchJob(batch, env);
    const stream = planLocalJob({ catalog, job }, "stream", day) as LocalStreamJob;
    if (key === "ltz") ltzPlan = stream;
    const runner = await StreamRunner.open(stream, { jobId: name, stateDir: path.join(dir, `state-${name}`), env });
    try {
      while (await runner.step()) { /* drain the topic */ }
    } finally {
      await runner.close();
    }
    out[key] = { batch: await readSink(path.join(dir, `out_${key}_di.duckdb`)), stream: await readSink(path.join(dir, `out_${key}_rt.duckdb`)) };
  }
  const winJob = loaded.file.jobs.find((j) => j.name === "by_window");
  if (!winJob) throw new Error("no job by_window");
  const winBatch = planLocalJob({ catalog, job: winJob }, "batch", day);
  if (winBatch.kind !== "batch") throw new Error("expected a batch plan");
  await runBatchJob(winBatch, env);
  const winRunner = await StreamRunner.open(planLocalJob({ catalog, job: winJob }, "stream", day) as LocalStreamJob, { jobId: "by_window", stateDir: path.join(dir, "state-by_window"), env, maxBatchRows: 1 });
  try {
    while (await winRunner.step()) { /* drain the topic */ }
  } finally {
    await winRunner.close();
  }
  out.window = { batch: await readWindows(path.join(dir, "out_win_di.duckdb")), stream: await readWindows(path.join(dir, "out_win_rt.duckdb")) };
  return out;
}

async function readWindows(file: string): Promise<WinRow[]> {
  const s = await DuckSession.open(file);
  try {
    const rows = await s.rows("SELECT d, ws, we, pv FROM out ORDER BY ws");
    return rows.map((r) => ({ d: String(r.d), ws: String(r.ws), we: String(r.we), pv: Number(r.pv) }));
  } finally {
    s.close();
  }
}

async function readSink(file: string): Promise<Row[]> {
  const s = await DuckSession.open(file);
  try {
    const rows = await s.rows("SELECT event_id, d, hr, shown, as_ts, epoch_s FROM out ORDER BY event_id");
    return rows.map((r) => ({ event_id: String(r.event_id), d: String(r.d), hr: Number(r.hr), shown: String(r.shown), as_ts: String(r.as_ts), epoch_s: Number(r.epoch_s) }));
  } finally {
    s.close();
  }
}

const row = (event_id: string, d: string, hr: number, shown: string, as_ts: string, iso: string): Row =>
  ({ event_id, d, hr, shown, as_ts, epoch_s: Math.floor(at(iso) / 1000) });

describe("session time zone on the local engine (Flink's rules, both sides)", () => {
  it("Asia/Shanghai (+8): day D runs from 16:00 UTC the day before; TIMESTAMP event times keep their wall-clock day", async () => {
    const events: Ev[] = [
      { id: "a", ms: at("2024-11-11T15:59:59.999Z") }, // 23:59:59.999 on D-1 in Shanghai
      { id: "b", ms: at("2024-11-11T16:00:00.000Z") }, // local midnight: first instant of D
      { id: "c", ms: at("2024-11-11T16:00:01.000Z") },
      { id: "d", ms: at("2024-11-11T20:00:00.000Z") }, // UTC day D-1, local day D
      { id: "e", ms: at("2024-11-12T15:59:59.999Z") }, // last millisecond of D
      { id: "f", ms: at("2024-11-12T16:00:00.000Z") }, // local midnight of D+1 (UTC day D)
    ];
    const r = await runBoth("Asia/Shanghai", "2024-11-12", events);
    const ltz = [
      row("b", "2024-11-12", 0, "2024-11-12 00:00:00.000", "2024-11-12 00:00:00", "2024-11-11T16:00:00Z"),
      row("c", "2024-11-12", 0, "2024-11-12 00:00:01.000", "2024-11-12 00:00:01", "2024-11-11T16:00:01Z"),
      row("d", "2024-11-12", 4, "2024-11-12 04:00:00.000", "2024-11-12 04:00:00", "2024-11-11T20:00:00Z"),
      row("e", "2024-11-12", 23, "2024-11-12 23:59:59.999", "2024-11-12 23:59:59", "2024-11-12T15:59:59Z"),
    ];
    expect(r.ltz.stream).toEqual(ltz);
    expect(r.ltz.batch).toEqual(ltz);
    // Wall clock: the digits are the day; CAST to TIMESTAMP_LTZ reads them in the session zone (-8 h).
    const wall = [
      row("e", "2024-11-12", 15, "2024-11-12 15:59:59.999", "2024-11-12 15:59:59", "2024-11-12T07:59:59Z"),
      row("f", "2024-11-12", 16, "2024-11-12 16:00:00.000", "2024-11-12 16:00:00", "2024-11-12T08:00:00Z"),
    ];
    expect(r.wall.stream).toEqual(wall);
    expect(r.wall.batch).toEqual(wall);
    // The day window starts at local midnight; the event at 00:00 of D+1 (the watermark) closes it.
    const win = [{ d: "2024-11-12", ws: "2024-11-12 00:00:00", we: "2024-11-13 00:00:00", pv: 4 }];
    expect(r.window.stream).toEqual(win);
    expect(r.window.batch).toEqual(win);
    // Its state was written in Shanghai (days, hours of aggregates): it is not reused in another zone.
    await expect(r.reopenIn("America/Los_Angeles")).rejects.toThrow(/another version of job 'by_ltz'/);
    await r.reopenIn("Asia/Shanghai");
  }, 60_000);

  it("America/Los_Angeles across the end of DST (2024-11-03 has 25 hours; 01:xx happens twice)", async () => {
    const events: Ev[] = [
      { id: "a", ms: at("2024-11-03T06:59:59.999Z") }, // 23:59:59.999 PDT on 11-02
      { id: "b", ms: at("2024-11-03T07:00:00.000Z") }, // 00:00 PDT: first instant of D
      { id: "c", ms: at("2024-11-03T08:30:00.000Z") }, // 01:30 PDT
      { id: "d", ms: at("2024-11-03T09:30:00.000Z") }, // 01:30 PST, an hour later
      { id: "x", ms: at("2024-11-04T01:00:00.000Z") }, // 17:00 PST: past 11-04 00:00 in UTC, not in LA
      { id: "e", ms: at("2024-11-04T07:59:59.999Z") }, // 23:59:59.999 PST: UTC day D+1, local day D
      { id: "f", ms: at("2024-11-04T08:00:00.000Z") }, // local midnight of D+1
    ];
    const r = await runBoth("America/Los_Angeles", "2024-11-03", events);
    const ltz = [
      row("b", "2024-11-03", 0, "2024-11-03 00:00:00.000", "2024-11-03 00:00:00", "2024-11-03T07:00:00Z"),
      row("c", "2024-11-03", 1, "2024-11-03 01:30:00.000", "2024-11-03 01:30:00", "2024-11-03T08:30:00Z"),
      row("d", "2024-11-03", 1, "2024-11-03 01:30:00.000", "2024-11-03 01:30:00", "2024-11-03T09:30:00Z"),
      row("e", "2024-11-03", 23, "2024-11-03 23:59:59.999", "2024-11-03 23:59:59", "2024-11-04T07:59:59Z"),
      row("x", "2024-11-03", 17, "2024-11-03 17:00:00.000", "2024-11-03 17:00:00", "2024-11-04T01:00:00Z"),
    ];
    expect(r.ltz.stream).toEqual(ltz);
    expect(r.ltz.batch).toEqual(ltz);
    // Wall clock 2024-11-03 xx in LA: before 01:00 it is PDT (+7 h to UTC), from 02:00 PST (+8 h).
    const wall = [
      row("a", "2024-11-03", 6, "2024-11-03 06:59:59.999", "2024-11-03 06:59:59", "2024-11-03T14:59:59Z"),
      row("b", "2024-11-03", 7, "2024-11-03 07:00:00.000", "2024-11-03 07:00:00", "2024-11-03T15:00:00Z"),
      row("c", "2024-11-03", 8, "2024-11-03 08:30:00.000", "2024-11-03 08:30:00", "2024-11-03T16:30:00Z"),
      row("d", "2024-11-03", 9, "2024-11-03 09:30:00.000", "2024-11-03 09:30:00", "2024-11-03T17:30:00Z"),
    ];
    expect(r.wall.stream).toEqual(wall);
    expect(r.wall.batch).toEqual(wall);
    // A day window of 25 hours, fired by instant: one event per micro-batch, and neither x (past 11-04 00:00
    // as a UTC wall clock) nor e (07:59:59.999 UTC, past the 24th hour) closes it early.
    const win = [{ d: "2024-11-03", ws: "2024-11-03 00:00:00", we: "2024-11-04 00:00:00", pv: 5 }];
    expect(r.window.stream).toEqual(win);
    expect(r.window.batch).toEqual(win);
  }, 60_000);
});
