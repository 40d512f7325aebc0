import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { runBatchJob } from "./batch";
import { StreamRunner } from "./stream";
import { planLocalJob } from "./from-script";
import { parseProjectFile, snapshotFromProjectFile } from "../../project-file/load";
import { canon, sinkEnv, tempDir } from "../testing/helpers";
import type { CatalogSnapshot, JobSpecParsed } from "../../catalog/schemas";
import type { LocalStreamJob } from "./plan";
import { PARITY_JOBS, SINK_COLUMNS, sinksOf } from "../testing/parity-jobs";
import { generateEvents, localWall, type ParityZone } from "../testing/parity-data";

// Parity of the local engine's two sides (issue #11): each job of ordinary Flink shapes runs as a
// stream (micro-batches over a JSON topic) and as a batch (day D's Parquet partition), and both sink
// outputs must equal the rows of a DuckDB query written by hand over the same generated events, not
// produced by Tandem's translator. The data is generated from a fixed seed and holds events within
// seconds (and milliseconds) of local midnight on both sides of D, in a zone east and one west of UTC.

const DAY = "2024-11-12";
const ZONES: ParityZone[] = [
  { zone: "Asia/Shanghai", offset: "+08:00" },
  { zone: "America/Los_Angeles", offset: "-08:00" },
];

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** Source tables and meta-tables shared by every job; one pair of duckdb sinks per output. */
function projectYaml(dir: string, zone: string): string {
  const sinks = [...new Set(PARITY_JOBS.flatMap((j) => sinksOf(j)))];
  const cols = SINK_COLUMNS.map((c) => `{ name: ${c.name}, type: ${c.type} }`).join(", ");
  const ident = SINK_COLUMNS.map((c) => `${c.name}: ${c.name}`).join(", ");
  const sinkTables = sinks.map((s) => `
  - name: ${s}_rt
    connection: ddb
    kind: stream
    columns: [${cols}]
    primaryKey: [d, k1, k2]
    options: { path: ${path.join(dir, `${s}_rt.duckdb`)}, table-name: out }
  - name: ${s}_di
    connection: ddb
    kind: batch
    columns: [${cols}]
    partition: { column: d, format: yyyy-MM-dd }
    options: { path: ${path.join(dir, `${s}_di.duckdb`)}, table-name: out }`).join("");
  const sinkMetas = sinks.map((s) => `
  - name: ${s}
    columns: [${cols}]
    stream: { table: ${s}_rt, mappings: { ${ident} } }
    batch: { table: ${s}_di, mappings: { ${ident} } }`).join("");
  const jobs = PARITY_JOBS.map((j) => `
  - name: ${j.name}
    stream: { startFrom: earliest }
    sql: |
${j.sql.split("\n").map((l) => `      ${l}`).join("\n")}`).join("");
  return `version: 1
project: parity
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
      - { name: user_id, type: STRING }
      - { name: channel, type: STRING }
      - { name: ts_ms, type: BIGINT }
      - { name: new_flag, type: STRING }
      - { name: score, type: INT }
      - { name: item_id, type: BIGINT }
      - { name: url, type: STRING }
      - { name: payload, type: STRING }
    computedColumns:
      - { name: event_time, expr: "TO_TIMESTAMP_LTZ(ts_ms, 3)" }
    watermark: { column: event_time, delay: 0 SECOND }
    options: { path: ${path.join(dir, "topic")}, format: json }
  - name: events_wall_rt
    connection: files
    kind: stream
    columns:
      - { name: event_id, type: STRING }
      - { name: user_id, type: STRING }
      - { name: channel, type: STRING }
      - { name: wall, type: TIMESTAMP(3) }
    watermark: { column: wall, delay: 0 SECOND }
    options: { path: ${path.join(dir, "topic")}, format: json }
  - name: events_di
    connection: files
    kind: batch
    columns:
      - { name: event_id, type: STRING }
      - { name: user_id, type: STRING }
      - { name: channel, type: STRING }
      - { name: ts_ms, type: BIGINT }
      - { name: new_flag_num, type: INT }
      - { name: score, type: INT }
      - { name: item_id, type: BIGINT }
      - { name: url, type: STRING }
      - { name: payload, type: STRING }
      - { name: wall, type: TIMESTAMP(3) }
      - { name: dt, type: STRING }
    computedColumns:
      - { name: hr, expr: "HOUR(TO_TIMESTAMP_LTZ(ts_ms, 3))" }
    partition: { column: dt, format: yyyy-MM-dd }
    options: { path: ${path.join(dir, "events_di")}, format: parquet }
  - name: dim_item
    connection: files
    kind: batch
    columns:
      - { name: item_id, type: BIGINT }
      - { name: category, type: STRING }
      - { name: price, type: INT }
    primaryKey: [item_id]
    options: { path: ${path.join(dir, "dim_item")}, format: parquet }
${sinkTables}
metaTables:
  - name: ev
    columns:
      - { name: event_id, type: STRING }
      - { name: user_id, type: STRING }
      - { name: channel, type: STRING }
      - { name: event_time, type: TIMESTAMP_LTZ(3) }
      - { name: is_new, type: INT }
      - { name: score, type: INT }
      - { name: item_id, type: BIGINT }
      - { name: url, type: STRING }
      - { name: payload, type: STRING }
      - { name: hr, type: INT }
      - { name: dt, type: STRING }
    stream:
      table: events_rt
      mappings:
        event_id: event_id
        user_id: user_id
        channel: channel
        event_time: event_time
        is_new: { expr: "CASE WHEN new_flag = 'Y' THEN 1 ELSE 0 END" }
        score: score
        item_id: item_id
        url: url
        payload: payload
      virtual: { hr: "HOUR(event_time)", dt: "DATE_FORMAT(event_time, 'yyyy-MM-dd')" }
    batch:
      table: events_di
      mappings:
        event_id: event_id
        user_id: user_id
        channel: channel
        event_time: { expr: "TO_TIMESTAMP_LTZ(ts_ms, 3)" }
        is_new: new_flag_num
        score: score
        item_id: item_id
        url: url
        payload: payload
        hr: hr
        dt: dt
  - name: ev_wall
    columns:
      - { name: event_id, type: STRING }
      - { name: user_id, type: STRING }
      - { name: channel, type: STRING }
      - { name: event_time, type: TIMESTAMP(3) }
      - { name: dt, type: STRING }
    stream:
      table: events_wall_rt
      mappings: { event_id: event_id, user_id: user_id, channel: channel, event_time: wall }
      virtual: { dt: "DATE_FORMAT(wall, 'yyyy-MM-dd')" }
    batch:
      table: events_di
      mappings: { event_id: event_id, user_id: user_id, channel: channel, event_time: wall, dt: dt }
  - name: dim_item
    columns:
      - { name: item_id, type: BIGINT }
      - { name: category, type: STRING }
      - { name: price, type: INT }
    source: { table: dim_item, mappings: { item_id: item_id, category: category, price: price } }
${sinkMetas}
jobs:${jobs}
`;
}

const RAW_COLUMNS = "{event_id: 'VARCHAR', user_id: 'VARCHAR', channel: 'VARCHAR', ts_ms: 'BIGINT', new_flag: 'VARCHAR', score: 'INTEGER', item_id: 'BIGINT', url: 'VARCHAR', payload: 'VARCHAR', wall: 'TIMESTAMP'}";

describe.each(ZONES)("stream == batch == a hand-written query, session zone $zone", (z) => {
  const dir = tempDir("tandem-parity-");
  dirs.push(dir);
  const env = sinkEnv(dir);
  let catalog: CatalogSnapshot;
  let jobs: JobSpecParsed[];
  let oracle: DuckSession;

  beforeAll(async () => {
    const events = generateEvents(z, DAY, 20241112);
    const topic = path.join(dir, "topic");
    fs.mkdirSync(topic, { recursive: true });
    fs.writeFileSync(path.join(topic, "part-0.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const s = await DuckSession.open();
    try {
      // The warehouse: each event in the partition of its local day (as an upstream job in the zone
      // writes it), the Y/N flag stored as 1/0, the wall clock being the local time.
      for (const day of new Set(events.map((e) => e.wall.slice(0, 10)))) {
        const file = path.join(dir, `raw-${day}.jsonl`);
        fs.writeFileSync(file, events.filter((e) => e.wall.startsWith(day)).map((e) => JSON.stringify(e)).join("\n") + "\n");
        fs.mkdirSync(path.join(dir, "events_di", `dt=${day}`), { recursive: true });
        await s.run(`COPY (SELECT event_id, user_id, channel, ts_ms, CAST(CASE new_flag WHEN 'Y' THEN 1 ELSE 0 END AS INTEGER) AS new_flag_num, score, item_id, url, payload, wall
          FROM read_json(${lit(file)}, format = 'newline_delimited', columns = ${RAW_COLUMNS})) TO ${lit(path.join(dir, "events_di", `dt=${day}`, "part-0.parquet"))} (FORMAT parquet)`);
      }
      fs.mkdirSync(path.join(dir, "dim_item"), { recursive: true });
      await s.run(`COPY (SELECT CAST(i AS BIGINT) AS item_id, ['books', 'toys', 'food', 'home'][i % 4 + 1] AS category, CAST(i * 7 + 3 AS INTEGER) AS price
        FROM range(1, 17) AS r(i)) TO ${lit(path.join(dir, "dim_item", "part-0.parquet"))} (FORMAT parquet)`);
    } finally {
      s.close();
    }
    const file = path.join(dir, "tandem.yaml");
    fs.writeFileSync(file, projectYaml(dir, z.zone));
    const loaded = parseProjectFile(fs.readFileSync(file, "utf8"), file);
    catalog = snapshotFromProjectFile(loaded.file);
    jobs = loaded.file.jobs;
    // The oracle: the raw events with their local time computed by DuckDB's ICU from the epoch, by hand.
    oracle = await DuckSession.open();
    await oracle.run(`CREATE TABLE raw AS SELECT *, timezone(${lit(z.zone)}, timezone('UTC', make_timestamp(ts_ms * 1000))) AS lt
      FROM read_json(${lit(path.join(topic, "part-0.jsonl"))}, format = 'newline_delimited', columns = ${RAW_COLUMNS})`);
    await oracle.run(`CREATE VIEW ev AS SELECT *, strftime(lt, '%Y-%m-%d') AS day, hour(lt) AS hr, CASE WHEN new_flag = 'Y' THEN 1 ELSE 0 END AS is_new FROM raw`);
    await oracle.run(`CREATE TABLE dim AS SELECT * FROM read_parquet(${lit(path.join(dir, "dim_item", "part-0.parquet"))})`);
  }, 60_000);
  afterAll(() => oracle.close());

  it("the data reaches within a millisecond of both local midnights of D, on both sides", async () => {
    const rows = await oracle.rows(`SELECT strftime(lt, '%Y-%m-%d %H:%M:%S.%g') AS t FROM ev ORDER BY ts_ms`);
    const ts = rows.map((r) => String(r.t));
    const next = nextDay(DAY);
    for (const t of [`${DAY} 00:00:00.000`, `${prevDay(DAY)} 23:59:59.999`, `${DAY} 23:59:59.999`, `${next} 00:00:00.000`]) expect(ts).toContain(t);
    expect(localWall(z.zone, Date.parse(`${DAY}T00:00:00${z.offset}`))).toBe(`${DAY} 00:00:00.000`);
  });

  for (const job of PARITY_JOBS) {
    it(`${job.name}: ${job.shape}`, async () => {
      const spec = jobs.find((j) => j.name === job.name);
      if (!spec) throw new Error(`no job ${job.name}`);
      const batch = planLocalJob({ catalog, job: spec }, "batch", DAY);
      if (batch.kind !== "batch") throw new Error("expected a batch plan");
      await runBatchJob(batch, env);
      const stream = planLocalJob({ catalog, job: spec }, "stream", DAY) as LocalStreamJob;
      // Small micro-batches: aggregates, distinct values, dedup keys and windows span many of them.
      const runner = await StreamRunner.open(stream, { jobId: job.name, stateDir: path.join(dir, `state-${job.name}`), env, maxBatchRows: 700 });
      try {
        while (await runner.step()) { /* drain the topic */ }
      } finally {
        await runner.close();
      }
      const cols = SINK_COLUMNS.map((c) => c.name);
      for (const [sink, sql] of Object.entries(job.expected)) {
        const expected = canon(await oracle.rows(sql.replaceAll("$DAY", lit(DAY))), cols);
        expect(expected.length, `${sink}: the hand-written query finds rows`).toBeGreaterThan(0);
        expect(canon(await readSink(path.join(dir, `${sink}_rt.duckdb`)), cols), `${sink}: stream`).toEqual(expected);
        expect(canon(await readSink(path.join(dir, `${sink}_di.duckdb`)), cols), `${sink}: batch`).toEqual(expected);
      }
    }, 30_000);
  }
});

async function readSink(file: string): Promise<Record<string, unknown>[]> {
  const s = await DuckSession.open(file);
  try {
    return await s.rows(`SELECT ${SINK_COLUMNS.map((c) => c.name).join(", ")} FROM out`);
  } finally {
    s.close();
  }
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
function prevDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
