import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "../engines/local/duck";
import { runBatchJob } from "../engines/local/batch";
import { StreamRunner } from "../engines/local/stream";
import { planLocalJob } from "../engines/local/from-script";
import { parseProjectFile, snapshotFromProjectFile } from "../project-file/load";
import { canon, sinkEnv, tempDir } from "../engines/testing/helpers";
import { generateEvents } from "../engines/testing/parity-data";
import type { LocalStreamJob } from "../engines/local/plan";
import { validateMetricTask } from "./generate";
import type { MetricTask } from "./spec";

// Metric tasks through both sides of the local engine (issue #18): each configuration is generated into
// jobs, every job runs as a batch (day D's Parquet partitions) and as a stream (micro-batches over the JSON
// topic), and every result table must equal the rows of a DuckDB query written by hand over the raw events.
// Data: the parity suite's ~3000 seeded events around day D in Asia/Shanghai (server/engines/testing).

const DAY = "2024-11-12";
const PREV = "2024-11-11";
const ZONE = { zone: "Asia/Shanghai", offset: "+08:00" };
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

type Cols = [string, string][];
/** `campaign`: a campaign-to-date table (its `dt` is the day the total is as of). */
interface ResultTable { name: string; columns: Cols; key: string[]; campaign?: boolean }
interface Config {
  title: string;
  task: Omit<MetricTask, "source" | "name">;
  tables: ResultTable[];
  /** The generated jobs' names, in order. */
  jobs: string[];
  /** Result table -> hand-written DuckDB query over `ev` (raw events + lt, day, is_new) and `dim`; $DAY = D. */
  expected: Record<string, string>;
  /** Campaign-to-date tables: the stream side reads the whole topic, so its query differs. */
  expectedStream?: Record<string, string>;
}

const DAILY: Cols = [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"], ["score_sum", "BIGINT"]];
const BASE_METRICS: MetricTask["metrics"] = [
  { name: "pv", agg: "count" },
  { name: "uv", agg: "countDistinct", expr: "user_id" },
  { name: "score_sum", agg: "sum", expr: "score" },
];
const HOUR = "strftime(date_trunc('hour', lt), '%Y-%m-%d %H:%M')";

const CONFIGS: Config[] = [
  {
    title: "day x channel: COUNT(1), COUNT(DISTINCT), SUM",
    task: { dimensionSets: [{ name: "ch", dimensions: ["channel"] }], metrics: BASE_METRICS, results: [{ period: "day", dimensionSet: "ch", table: "r1" }] },
    tables: [{ name: "r1", columns: DAILY, key: ["dt", "channel"] }],
    jobs: ["t1"],
    expected: { r1: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv, sum(score) AS score_sum FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    title: "day x (channel, item_id): metrics with element filters, a metric mapped to another column",
    task: {
      elements: [{ name: "is_new_user", kind: "filter", expr: "is_new = 1" }, { name: "high", kind: "filter", expr: "score >= 50" }],
      dimensionSets: [{ name: "ch_item", dimensions: ["channel", "item_id"] }],
      metrics: [
        { name: "new_pv", agg: "count", filter: "is_new_user" },
        { name: "new_uv", agg: "countDistinct", expr: "user_id", filter: "is_new_user" },
        { name: "high_score", agg: "sum", expr: "score", filter: "high", column: "hs" },
      ],
      results: [{ period: "day", dimensionSet: "ch_item", table: "r2" }],
    },
    tables: [{ name: "r2", columns: [["dt", "STRING"], ["channel", "STRING"], ["item_id", "BIGINT"], ["new_pv", "BIGINT"], ["new_uv", "BIGINT"], ["hs", "BIGINT"]], key: ["dt", "channel", "item_id"] }],
    jobs: ["t2"],
    expected: { r2: "SELECT day AS dt, channel, item_id, count(*) FILTER (is_new = 1) AS new_pv, count(DISTINCT user_id) FILTER (is_new = 1) AS new_uv, coalesce(sum(score) FILTER (score >= 50), 0) AS hs FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    title: "hour x channel: a TUMBLE window, window_start as STRING",
    task: { dimensionSets: [{ name: "ch", dimensions: ["channel"] }], metrics: BASE_METRICS.slice(0, 2), results: [{ period: "hour", dimensionSet: "ch", table: "r3" }] },
    tables: [{ name: "r3", columns: [["dt", "STRING"], ["window_start", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "window_start", "channel"] }],
    jobs: ["t3"],
    expected: { r3: `SELECT day AS dt, ${HOUR} AS window_start, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL` },
  },
  {
    title: "15 minutes x no dimension: window_start and window_end as STRING",
    task: { dimensionSets: [{ name: "all", dimensions: [] }], metrics: BASE_METRICS.slice(0, 1), results: [{ period: "15min", dimensionSet: "all", table: "r4" }] },
    tables: [{ name: "r4", columns: [["dt", "STRING"], ["window_start", "STRING"], ["window_end", "STRING"], ["pv", "BIGINT"]], key: ["dt", "window_start"] }],
    jobs: ["t4"],
    expected: { r4: "SELECT day AS dt, strftime(time_bucket(INTERVAL 15 MINUTE, lt), '%Y-%m-%d %H:%M') AS window_start, strftime(time_bucket(INTERVAL 15 MINUTE, lt) + INTERVAL 15 MINUTE, '%Y-%m-%d %H:%M') AS window_end, count(*) AS pv FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    title: "5 minutes x channel with an element-filtered SUM",
    task: {
      elements: [{ name: "app_only", kind: "filter", expr: "channel = 'app'" }],
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: [{ name: "pv", agg: "count" }, { name: "app_score", agg: "sum", expr: "score", filter: "app_only" }],
      results: [{ period: "5min", dimensionSet: "ch", table: "r5" }],
    },
    tables: [{ name: "r5", columns: [["dt", "STRING"], ["window_start", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["app_score", "BIGINT"]], key: ["dt", "window_start", "channel"] }],
    jobs: ["t5"],
    expected: { r5: "SELECT day AS dt, strftime(time_bucket(INTERVAL 5 MINUTE, lt), '%Y-%m-%d %H:%M') AS window_start, channel, count(*) AS pv, sum(CASE WHEN channel = 'app' THEN score ELSE 0 END) AS app_score FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    title: "dimension join (lookup) then day x category",
    task: {
      process: [{ type: "dimensionJoin", table: "dim_item", on: [{ source: "item_id", dimension: "item_id" }], columns: ["category", "price"] }],
      dimensionSets: [{ name: "cat", dimensions: ["category"] }],
      metrics: [{ name: "pv", agg: "count" }, { name: "uv", agg: "countDistinct", expr: "user_id" }, { name: "price_sum", agg: "sum", expr: "price" }],
      results: [{ period: "day", dimensionSet: "cat", table: "r6" }],
    },
    tables: [{ name: "r6", columns: [["dt", "STRING"], ["category", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"], ["price_sum", "BIGINT"]], key: ["dt", "category"] }],
    jobs: ["t6"],
    expected: { r6: "SELECT e.day AS dt, i.category, count(*) AS pv, count(DISTINCT e.user_id) AS uv, sum(i.price) AS price_sum FROM ev e JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY GROUP BY ALL" },
  },
  {
    title: "table filter (an element and a condition) then day x channel",
    task: {
      elements: [{ name: "scored", kind: "filter", expr: "score IS NOT NULL" }],
      process: [{ type: "filter", condition: "scored" }, { type: "filter", condition: "channel IN ('app', 'web')" }],
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS,
      results: [{ period: "day", dimensionSet: "ch", table: "r7" }],
    },
    tables: [{ name: "r7", columns: DAILY, key: ["dt", "channel"] }],
    jobs: ["t7"],
    expected: { r7: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv, sum(score) AS score_sum FROM ev WHERE day = $DAY AND score IS NOT NULL AND channel IN ('app', 'web') GROUP BY ALL" },
  },
  {
    title: "dedup (first row per user) then day x channel",
    task: {
      process: [{ type: "dedup", keys: ["user_id"], keep: "first" }],
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS,
      results: [{ period: "day", dimensionSet: "ch", table: "r8" }],
      streamScope: "bizdate",
    },
    tables: [{ name: "r8", columns: DAILY, key: ["dt", "channel"] }],
    jobs: ["t8"],
    expected: { r8: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv, sum(score) AS score_sum FROM (SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts_ms) AS rn FROM ev WHERE day = $DAY) WHERE rn = 1 GROUP BY ALL" },
  },
  {
    title: "an expression element as a dimension; two dimension sets merged into one job",
    task: {
      elements: [{ name: "band", kind: "expression", expr: "CASE WHEN score IS NULL THEN 'none' WHEN score >= 50 THEN 'high' ELSE 'low' END" }],
      dimensionSets: [{ name: "by_band", dimensions: ["band"] }, { name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "day", dimensionSet: "by_band", table: "r9a" }, { period: "day", dimensionSet: "ch", table: "r9b" }],
      combine: "merge",
    },
    tables: [
      { name: "r9a", columns: [["dt", "STRING"], ["band", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "band"] },
      { name: "r9b", columns: [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "channel"] },
    ],
    jobs: ["t9"],
    expected: {
      r9a: "SELECT day AS dt, CASE WHEN score IS NULL THEN 'none' WHEN score >= 50 THEN 'high' ELSE 'low' END AS band, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL",
      r9b: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL",
    },
  },
  {
    title: "day and hour periods split into a job each",
    task: {
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "day", dimensionSet: "ch", table: "r10a" }, { period: "hour", dimensionSet: "ch", table: "r10b" }],
      combine: "split",
    },
    tables: [
      { name: "r10a", columns: [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "channel"] },
      { name: "r10b", columns: [["dt", "STRING"], ["window_start", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "window_start", "channel"] },
    ],
    jobs: ["t10_day_ch", "t10_hour_ch"],
    expected: {
      r10a: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL",
      r10b: `SELECT day AS dt, ${HOUR} AS window_start, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL`,
    },
  },
  {
    title: "campaign to date x channel, UV merged (one hybrid job)",
    task: {
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "campaign", dimensionSet: "ch", table: "r11" }],
      campaignStart: PREV,
      uv: "merge",
    },
    tables: [{ name: "r11", columns: [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "channel"], campaign: true }],
    jobs: ["t11"],
    expected: { r11: "SELECT $DAY AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day BETWEEN $PREV AND $DAY GROUP BY ALL" },
    expectedStream: { r11: "SELECT $DAY AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev GROUP BY ALL" },
  },
  {
    title: "day and campaign to date, UV split into a sub-task of its own",
    task: {
      dimensionSets: [{ name: "ch", dimensions: ["channel"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "day", dimensionSet: "ch", table: "r12a" }, { period: "campaign", dimensionSet: "ch", table: "r12b", uvTable: "r12c" }],
      campaignStart: PREV,
      uv: "split",
    },
    tables: [
      { name: "r12a", columns: [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "channel"] },
      { name: "r12b", columns: [["dt", "STRING"], ["channel", "STRING"], ["pv", "BIGINT"]], key: ["dt", "channel"], campaign: true },
      { name: "r12c", columns: [["dt", "STRING"], ["channel", "STRING"], ["uv", "BIGINT"]], key: ["dt", "channel"], campaign: true },
    ],
    jobs: ["t12", "t12_ctd", "t12_ctd_uv"],
    expected: {
      r12a: "SELECT day AS dt, channel, count(*) AS pv, count(DISTINCT user_id) AS uv FROM ev WHERE day = $DAY GROUP BY ALL",
      r12b: "SELECT $DAY AS dt, channel, count(*) AS pv FROM ev WHERE day BETWEEN $PREV AND $DAY GROUP BY ALL",
      r12c: "SELECT $DAY AS dt, channel, count(DISTINCT user_id) AS uv FROM ev WHERE day BETWEEN $PREV AND $DAY GROUP BY ALL",
    },
    expectedStream: {
      r12b: "SELECT $DAY AS dt, channel, count(*) AS pv FROM ev GROUP BY ALL",
      r12c: "SELECT $DAY AS dt, channel, count(DISTINCT user_id) AS uv FROM ev GROUP BY ALL",
    },
  },
  {
    title: "explode a delimited list (at most 4 items, empty items kept, empty lists dropped) then day x tag",
    task: {
      process: [{ type: "explode", column: "tags", delimiter: ",", as: "tag", maxItems: 4 }],
      dimensionSets: [{ name: "tg", dimensions: ["tag"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "day", dimensionSet: "tg", table: "r13" }],
    },
    tables: [{ name: "r13", columns: [["dt", "STRING"], ["tag", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "tag"] }],
    jobs: ["t13"],
    expected: { r13: "SELECT day AS dt, tag, count(*) AS pv, count(DISTINCT user_id) AS uv FROM (SELECT *, unnest(CASE WHEN tags = '' THEN [] ELSE string_split(tags, ',')[1:4] END) AS tag FROM ev) WHERE day = $DAY GROUP BY ALL" },
  },
  {
    title: "explode, then a dimension join on an untouched key, hour x (tag, category)",
    task: {
      process: [{ type: "explode", column: "tags", delimiter: ",", as: "tag", maxItems: 3 }, { type: "dimensionJoin", table: "dim_item", on: [{ source: "item_id", dimension: "item_id" }], columns: ["category"] }],
      dimensionSets: [{ name: "tc", dimensions: ["tag", "category"] }],
      metrics: BASE_METRICS.slice(0, 2),
      results: [{ period: "hour", dimensionSet: "tc", table: "r14" }],
    },
    tables: [{ name: "r14", columns: [["dt", "STRING"], ["window_start", "STRING"], ["tag", "STRING"], ["category", "STRING"], ["pv", "BIGINT"], ["uv", "BIGINT"]], key: ["dt", "window_start", "tag", "category"] }],
    jobs: ["t14"],
    expected: { r14: `SELECT e.day AS dt, strftime(date_trunc('hour', e.lt), '%Y-%m-%d %H:%M') AS window_start, e.tag, i.category, count(*) AS pv, count(DISTINCT e.user_id) AS uv FROM (SELECT *, unnest(CASE WHEN tags = '' THEN [] ELSE string_split(tags, ',')[1:3] END) AS tag FROM ev) e JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY GROUP BY ALL` },
  },
];

const RAW_COLUMNS = "{event_id: 'VARCHAR', user_id: 'VARCHAR', channel: 'VARCHAR', ts_ms: 'BIGINT', new_flag: 'VARCHAR', score: 'INTEGER', item_id: 'BIGINT', url: 'VARCHAR', payload: 'VARCHAR', wall: 'TIMESTAMP', tags: 'VARCHAR'}";

/** The source meta-table `ev` (topic + warehouse), `dim_item`, and each configuration's result tables. */
export function metricsProjectYaml(dir: string, tables: ResultTable[]): string {
  const physical = tables.map((t) => {
    const cols = t.columns.map(([n, ty]) => `{ name: ${n}, type: ${ty} }`).join(", ");
    return `
  - name: ${t.name}_rt
    connection: ddb
    kind: stream
    columns: [${cols}]
    primaryKey: [${t.key.join(", ")}]
    options: { path: ${path.join(dir, `${t.name}_rt.duckdb`)}, table-name: out }
  - name: ${t.name}_di
    connection: ddb
    kind: batch
    columns: [${cols}]
    partition: { column: dt, format: yyyy-MM-dd }
    options: { path: ${path.join(dir, `${t.name}_di.duckdb`)}, table-name: out }`;
  }).join("");
  const metas = tables.map((t) => {
    const cols = t.columns.map(([n, ty]) => `{ name: ${n}, type: ${ty} }`).join(", ");
    const ident = t.columns.map(([n]) => `${n}: ${n}`).join(", ");
    return `
  - name: ${t.name}
    columns: [${cols}]
    stream: { table: ${t.name}_rt, mappings: { ${ident} } }
    batch: { table: ${t.name}_di, mappings: { ${ident} } }`;
  }).join("");
  return `version: 1
project: metrics
timeZone: ${ZONE.zone}
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
      - { name: tags, type: STRING }
    computedColumns:
      - { name: event_time, expr: "TO_TIMESTAMP_LTZ(ts_ms, 3)" }
    watermark: { column: event_time, delay: 0 SECOND }
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
      - { name: tags, type: STRING }
      - { name: dt, type: STRING }
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
${physical}
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
      - { name: tags, type: STRING }
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
        tags: tags
      virtual: { dt: "DATE_FORMAT(event_time, 'yyyy-MM-dd')" }
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
        tags: tags
        dt: dt
  - name: dim_item
    columns:
      - { name: item_id, type: BIGINT }
      - { name: category, type: STRING }
      - { name: price, type: INT }
    source: { table: dim_item, mappings: { item_id: item_id, category: category, price: price } }
${metas}
`;
}

/** A delimited list per event for the explode: past the 4 items kept, an empty item, an empty list, NULL. */
function tagsOf(item: number): string | null {
  if (item > 18) return null;
  return ["sale,new,hot,top,extra", "sale", "", "gift,,vip"][item % 4] ?? "";
}

/** Writes the topic, the warehouse partitions and the dimension; returns the oracle session over the raw events. */
export async function writeMetricsData(dir: string): Promise<DuckSession> {
  const events = generateEvents(ZONE, DAY, 20241112).map((e) => ({ ...e, tags: tagsOf(e.item_id) }));
  const topic = path.join(dir, "topic");
  fs.mkdirSync(topic, { recursive: true });
  fs.writeFileSync(path.join(topic, "part-0.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const s = await DuckSession.open();
  try {
    for (const day of new Set(events.map((e) => e.wall.slice(0, 10)))) {
      const file = path.join(dir, `raw-${day}.jsonl`);
      fs.writeFileSync(file, events.filter((e) => e.wall.startsWith(day)).map((e) => JSON.stringify(e)).join("\n") + "\n");
      fs.mkdirSync(path.join(dir, "events_di", `dt=${day}`), { recursive: true });
      await s.run(`COPY (SELECT event_id, user_id, channel, ts_ms, CAST(CASE new_flag WHEN 'Y' THEN 1 ELSE 0 END AS INTEGER) AS new_flag_num, score, item_id, tags
        FROM read_json(${lit(file)}, format = 'newline_delimited', columns = ${RAW_COLUMNS})) TO ${lit(path.join(dir, "events_di", `dt=${day}`, "part-0.parquet"))} (FORMAT parquet)`);
    }
    fs.mkdirSync(path.join(dir, "dim_item"), { recursive: true });
    await s.run(`COPY (SELECT CAST(i AS BIGINT) AS item_id, ['books', 'toys', 'food', 'home'][i % 4 + 1] AS category, CAST(i * 7 + 3 AS INTEGER) AS price
      FROM range(1, 17) AS r(i)) TO ${lit(path.join(dir, "dim_item", "part-0.parquet"))} (FORMAT parquet)`);
  } finally {
    s.close();
  }
  const oracle = await DuckSession.open();
  await oracle.run(`CREATE TABLE raw AS SELECT *, timezone(${lit(ZONE.zone)}, timezone('UTC', make_timestamp(ts_ms * 1000))) AS lt
    FROM read_json(${lit(path.join(topic, "part-0.jsonl"))}, format = 'newline_delimited', columns = ${RAW_COLUMNS})`);
  await oracle.run("CREATE VIEW ev AS SELECT *, strftime(lt, '%Y-%m-%d') AS day, CASE WHEN new_flag = 'Y' THEN 1 ELSE 0 END AS is_new FROM raw");
  await oracle.run(`CREATE TABLE dim AS SELECT * FROM read_parquet(${lit(path.join(dir, "dim_item", "part-0.parquet"))})`);
  return oracle;
}

describe("metric tasks: generated jobs, stream == batch == a hand-written query", () => {
  const dir = tempDir("tandem-metrics-");
  dirs.push(dir);
  const env = sinkEnv(dir);
  let oracle: DuckSession;
  beforeAll(async () => { oracle = await writeMetricsData(dir); }, 60_000);
  afterAll(() => oracle.close());

  CONFIGS.forEach((config, n) => {
    const name = `t${n + 1}`;
    it(`${name}: ${config.title}`, async () => {
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(file, metricsProjectYaml(dir, config.tables));
      const catalog = snapshotFromProjectFile(parseProjectFile(fs.readFileSync(file, "utf8"), file).file);
      const gen = validateMetricTask(catalog, { ...config.task, name, source: "ev", timeZone: ZONE.zone });
      expect(gen.issues).toEqual([]);
      expect(gen.jobs.map((j) => j.name)).toEqual(config.jobs);
      for (const job of gen.jobs) {
        const batch = planLocalJob({ catalog, job: job.spec }, "batch", DAY);
        if (batch.kind !== "batch") throw new Error("expected a batch plan");
        await runBatchJob(batch, env);
      }
      for (const job of gen.jobs) {
        const stream = planLocalJob({ catalog, job: job.spec }, "stream", DAY) as LocalStreamJob;
        const runner = await StreamRunner.open(stream, { jobId: job.name, stateDir: path.join(dir, `state-${job.name}`), env, maxBatchRows: 700 });
        try {
          while (await runner.step()) { /* drain the topic */ }
        } finally {
          await runner.close();
        }
      }
      for (const t of config.tables) {
        const cols = t.columns.map(([c]) => c);
        const sql = (q: string) => q.replaceAll("$DAY", lit(DAY)).replaceAll("$PREV", lit(PREV));
        const expected = canon(await oracle.rows(sql(config.expected[t.name] ?? "")), cols);
        expect(expected.length, `${t.name}: the hand-written query finds rows`).toBeGreaterThan(0);
        const streamExpected = config.expectedStream?.[t.name] ? canon(await oracle.rows(sql(config.expectedStream[t.name] ?? "")), cols) : expected;
        const onDay = ` WHERE dt = ${lit(DAY)}`;
        expect(canon(await readSink(path.join(dir, `${t.name}_rt.duckdb`), cols, onDay), cols), `${t.name}: stream`).toEqual(streamExpected);
        expect(canon(await readSink(path.join(dir, `${t.name}_di.duckdb`), cols, onDay), cols), `${t.name}: batch`).toEqual(expected);
      }
    }, 60_000);
  });
});

async function readSink(file: string, cols: string[], where: string): Promise<Record<string, unknown>[]> {
  const s = await DuckSession.open(file);
  try {
    return await s.rows(`SELECT ${cols.join(", ")} FROM out${where}`);
  } finally {
    s.close();
  }
}
