// The parity suite's jobs (local/parity.test.ts): ordinary Flink shapes over the meta-tables `ev`
// (epoch-millis LTZ event time), `ev_wall` (TIMESTAMP event time) and `dim_item`, each with the DuckDB
// query, written by hand over the raw events (`ev`: raw columns plus `lt` = local time, `day`, `hr`,
// `is_new`; `dim`), that gives the rows its sinks must hold for day $DAY.

/** Every sink has these columns; the stream sink's primary key is (d, k1, k2), the batch sink is partitioned by d. */
export const SINK_COLUMNS = [
  { name: "d", type: "STRING" },
  { name: "k1", type: "STRING" },
  { name: "k2", type: "STRING" },
  { name: "n1", type: "BIGINT" },
  { name: "n2", type: "BIGINT" },
  { name: "s1", type: "STRING" },
] as const;

export interface ParityJob {
  name: string;
  /** What the job exercises. */
  shape: string;
  /** The job's Flink SQL over meta-tables. */
  sql: string;
  /** Sink meta-table -> hand-written DuckDB query giving its rows (d, k1, k2, n1, n2, s1) for $DAY. */
  expected: Record<string, string>;
}

export function sinksOf(job: ParityJob): string[] {
  return Object.keys(job.expected);
}

const BIZ = "dt = '${bizdate}'";
const LOOKUP = "FROM ev AS e JOIN dim_item FOR SYSTEM_TIME AS OF e.event_time AS i ON e.item_id = i.item_id";
const HOURLY = "strftime(date_trunc('hour', lt), '%Y-%m-%d %H:%M') AS k1, strftime(date_trunc('hour', lt) + INTERVAL 1 HOUR, '%H:%M') AS k2";
const FIRST = "SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY ts_ms) AS rn FROM ev WHERE day = $DAY";

export const PARITY_JOBS: ParityJob[] = [
  {
    name: "pv_uv",
    shape: "daily PV/UV per channel (COUNT(*), COUNT(DISTINCT user))",
    sql: `INSERT INTO out_pv_uv
SELECT dt AS d, channel AS k1, 'all' AS k2, COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, channel;`,
    expected: { out_pv_uv: "SELECT day AS d, channel AS k1, 'all' AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel" },
  },
  {
    name: "new_flags",
    shape: "a Y/N flag (stream) and a 1/0 flag (batch) mapped to one INT column; an expression over two aggregates",
    sql: `INSERT INTO out_new_flags
SELECT dt AS d, channel AS k1, 'all' AS k2, SUM(is_new) AS n1, COUNT(*) - SUM(is_new) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, channel;`,
    expected: { out_new_flags: "SELECT day AS d, channel AS k1, 'all' AS k2, count(*) FILTER (new_flag = 'Y') AS n1, count(*) FILTER (new_flag = 'N') AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel" },
  },
  {
    name: "hourly_virtual",
    shape: "GROUP BY a virtual column (stream) that is a computed column (batch); COALESCE(SUM(x), 0)",
    sql: `INSERT INTO out_hourly_virtual
SELECT dt AS d, CAST(hr AS STRING) AS k1, 'all' AS k2, COUNT(*) AS n1, COALESCE(SUM(score), 0) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, hr;`,
    expected: { out_hourly_virtual: "SELECT day AS d, CAST(hr AS VARCHAR) AS k1, 'all' AS k2, count(*) AS n1, coalesce(sum(score), 0) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, hr" },
  },
  {
    name: "lookup_category",
    shape: "lookup join (FOR SYSTEM_TIME AS OF) to a dimension, aggregated by a dimension column",
    sql: `INSERT INTO out_lookup_category
SELECT e.dt AS d, i.category AS k1, 'all' AS k2, COUNT(*) AS n1, SUM(i.price) AS n2, 'x' AS s1
${LOOKUP}
WHERE e.${BIZ}
GROUP BY e.dt, i.category;`,
    expected: { out_lookup_category: "SELECT e.day AS d, i.category AS k1, 'all' AS k2, count(*) AS n1, sum(i.price) AS n2, 'x' AS s1 FROM ev e JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY GROUP BY e.day, i.category" },
  },
  {
    name: "lookup_filter",
    shape: "lookup join as an append, filtered on a dimension column",
    sql: `INSERT INTO out_lookup_filter
SELECT e.dt AS d, e.event_id AS k1, i.category AS k2, CAST(i.price AS BIGINT) AS n1, e.item_id AS n2, e.channel AS s1
${LOOKUP}
WHERE e.${BIZ} AND i.category = 'books';`,
    expected: { out_lookup_filter: "SELECT e.day AS d, e.event_id AS k1, i.category AS k2, i.price AS n1, e.item_id AS n2, e.channel AS s1 FROM ev e JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY AND i.category = 'books'" },
  },
  {
    name: "tumble_ltz",
    shape: "hourly TUMBLE window on an epoch-millis event time (TO_TIMESTAMP_LTZ(ms, 3))",
    sql: `INSERT INTO out_tumble_ltz
SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS k1, DATE_FORMAT(window_end, 'HH:mm') AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
WHERE ${BIZ}
GROUP BY window_start, window_end, dt;`,
    expected: { out_tumble_ltz: `SELECT day AS d, ${HOURLY}, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, date_trunc('hour', lt)` },
  },
  {
    name: "tumble_wall",
    shape: "hourly TUMBLE window on a TIMESTAMP (wall-clock) event time",
    sql: `INSERT INTO out_tumble_wall
SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS k1, DATE_FORMAT(window_end, 'HH:mm') AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM TABLE(TUMBLE(TABLE ev_wall, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
WHERE ${BIZ}
GROUP BY window_start, window_end, dt;`,
    expected: { out_tumble_wall: `SELECT day AS d, ${HOURLY}, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, date_trunc('hour', lt)` },
  },
  {
    name: "wall_daily",
    shape: "daily PV/UV over a TIMESTAMP event time whose day is a virtual DATE_FORMAT",
    sql: `INSERT INTO out_wall_daily
SELECT dt AS d, channel AS k1, 'all' AS k2, COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, DATE_FORMAT(MAX(event_time), 'HH:mm:ss') AS s1
FROM ev_wall WHERE ${BIZ}
GROUP BY dt, channel;`,
    expected: { out_wall_daily: "SELECT day AS d, channel AS k1, 'all' AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, strftime(max(lt), '%H:%M:%S') AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel" },
  },
  {
    name: "statement_set",
    shape: "two sinks in one STATEMENT SET",
    sql: `EXECUTE STATEMENT SET
BEGIN
INSERT INTO out_ss_channel
SELECT dt AS d, channel AS k1, 'all' AS k2, COUNT(*) AS n1, CAST(MAX(score) AS BIGINT) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ} GROUP BY dt, channel;
INSERT INTO out_ss_item
SELECT dt AS d, CAST(item_id AS STRING) AS k1, 'all' AS k2, COUNT(*) AS n1, COUNT(DISTINCT channel) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ} GROUP BY dt, item_id;
END;`,
    expected: {
      out_ss_channel: "SELECT day AS d, channel AS k1, 'all' AS k2, count(*) AS n1, max(score) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel",
      out_ss_item: "SELECT day AS d, CAST(item_id AS VARCHAR) AS k1, 'all' AS k2, count(*) AS n1, count(DISTINCT channel) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, item_id",
    },
  },
  {
    name: "yyyymmdd",
    shape: "GROUP BY DATE_FORMAT(t, 'yyyyMMdd')",
    sql: `INSERT INTO out_yyyymmdd
SELECT dt AS d, DATE_FORMAT(event_time, 'yyyyMMdd') AS k1, channel AS k2, COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, DATE_FORMAT(event_time, 'yyyyMMdd'), channel;`,
    expected: { out_yyyymmdd: "SELECT day AS d, strftime(lt, '%Y%m%d') AS k1, channel AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    name: "aggregate_expressions",
    shape: "SUM(a) / COUNT(*), COALESCE(MAX(x), 0), CAST(MIN(t) AS TIMESTAMP(3)) formatted",
    sql: `INSERT INTO out_aggregate_expressions
SELECT dt AS d, channel AS k1, CAST(item_id AS STRING) AS k2, SUM(score) / COUNT(*) AS n1, COALESCE(MAX(score), 0) AS n2,
  DATE_FORMAT(CAST(MIN(event_time) AS TIMESTAMP(3)), 'yyyy-MM-dd HH:mm:ss.SSS') AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, channel, item_id;`,
    expected: { out_aggregate_expressions: "SELECT day AS d, channel AS k1, CAST(item_id AS VARCHAR) AS k2, sum(score) // count(*) AS n1, coalesce(max(score), 0) AS n2, strftime(min(lt), '%Y-%m-%d %H:%M:%S.%g') AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel, item_id" },
  },
  {
    name: "dedup_first",
    shape: "keep-first-row deduplication (ROW_NUMBER ... WHERE rn = 1) as an append",
    sql: `INSERT INTO out_dedup_first
SELECT dt AS d, user_id AS k1, channel AS k2, item_id AS n1, CAST(hr AS BIGINT) AS n2, event_id AS s1
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time ASC) AS rn
  FROM ev WHERE ${BIZ}
)
WHERE rn = 1;`,
    expected: { out_dedup_first: `SELECT day AS d, user_id AS k1, channel AS k2, item_id AS n1, hr AS n2, event_id AS s1 FROM (${FIRST}) WHERE rn = 1` },
  },
  {
    name: "dedup_aggregate",
    shape: "keep-first-row deduplication feeding a GROUP BY",
    sql: `INSERT INTO out_dedup_aggregate
SELECT dt AS d, channel AS k1, 'all' AS k2, COUNT(*) AS n1, SUM(is_new) AS n2, 'x' AS s1
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_time) AS rn
  FROM ev WHERE ${BIZ}
)
WHERE rn = 1
GROUP BY dt, channel;`,
    expected: { out_dedup_aggregate: `SELECT day AS d, channel AS k1, 'all' AS k2, count(*) AS n1, sum(is_new) AS n2, 'x' AS s1 FROM (${FIRST}) WHERE rn = 1 GROUP BY day, channel` },
  },
  {
    name: "regexp_json",
    shape: "REGEXP_EXTRACT and JSON_VALUE (NULL for a missing path, an object, invalid JSON) as group keys",
    sql: `INSERT INTO out_regexp_json
SELECT dt AS d, REGEXP_EXTRACT(url, '/p/(\\d+)\\?src=(\\w+)', 2) AS k1, COALESCE(JSON_VALUE(payload, '$.os'), 'none') AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, REGEXP_EXTRACT(url, '/p/(\\d+)\\?src=(\\w+)', 2), COALESCE(JSON_VALUE(payload, '$.os'), 'none');`,
    expected: { out_regexp_json: "SELECT day AS d, split_part(url, 'src=', 2) AS k1, CASE WHEN payload LIKE '{\"os\":\"%' THEN split_part(payload, '\"', 4) ELSE 'none' END AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    name: "case_when",
    shape: "CASE WHEN buckets (with NULL) as a group key",
    sql: `INSERT INTO out_case_when
SELECT dt AS d, CASE WHEN score IS NULL THEN 'none' WHEN score >= 50 THEN 'high' ELSE 'low' END AS k1, channel AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, CASE WHEN score IS NULL THEN 'none' WHEN score >= 50 THEN 'high' ELSE 'low' END, channel;`,
    expected: { out_case_when: "SELECT day AS d, CASE WHEN score IS NULL THEN 'none' WHEN score >= 50 THEN 'high' ELSE 'low' END AS k1, channel AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    name: "filter_append",
    shape: "filters (comparison, IN, LIKE) and projections as an append",
    sql: `INSERT INTO out_filter_append
SELECT dt AS d, event_id AS k1, channel AS k2, CAST(score AS BIGINT) AS n1, item_id AS n2, url AS s1
FROM ev
WHERE ${BIZ} AND score > 80 AND channel IN ('app', 'web') AND url LIKE '%src=ad%';`,
    expected: { out_filter_append: "SELECT day AS d, event_id AS k1, channel AS k2, score AS n1, item_id AS n2, url AS s1 FROM ev WHERE day = $DAY AND score > 80 AND channel IN ('app', 'web') AND contains(url, 'src=ad')" },
  },
  {
    name: "midnight_edges",
    shape: "the events of the first and last minute of local day D, with their local time and epoch seconds",
    sql: `INSERT INTO out_midnight_edges
SELECT dt AS d, event_id AS k1, DATE_FORMAT(event_time, 'yyyy-MM-dd HH:mm:ss.SSS') AS k2, CAST(hr AS BIGINT) AS n1,
  CAST(event_time AS BIGINT) AS n2, DATE_FORMAT(event_time, 'HH:mm') AS s1
FROM ev
WHERE ${BIZ} AND DATE_FORMAT(event_time, 'HH:mm') IN ('00:00', '23:59');`,
    expected: { out_midnight_edges: "SELECT day AS d, event_id AS k1, strftime(lt, '%Y-%m-%d %H:%M:%S.%g') AS k2, hr AS n1, ts_ms // 1000 AS n2, strftime(lt, '%H:%M') AS s1 FROM ev WHERE day = $DAY AND (hour(lt) = 0 AND minute(lt) = 0 OR hour(lt) = 23 AND minute(lt) = 59)" },
  },
  {
    name: "left_lookup",
    shape: "LEFT JOIN lookup: events whose item has no dimension row keep NULL columns",
    sql: `INSERT INTO out_left_lookup
SELECT e.dt AS d, COALESCE(i.category, 'unknown') AS k1, e.channel AS k2, COUNT(*) AS n1, COUNT(i.price) AS n2, 'x' AS s1
FROM ev AS e LEFT JOIN dim_item FOR SYSTEM_TIME AS OF e.event_time AS i ON e.item_id = i.item_id
WHERE e.${BIZ}
GROUP BY e.dt, COALESCE(i.category, 'unknown'), e.channel;`,
    expected: { out_left_lookup: "SELECT e.day AS d, coalesce(i.category, 'unknown') AS k1, e.channel AS k2, count(*) AS n1, count(i.price) AS n2, 'x' AS s1 FROM ev e LEFT JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY GROUP BY ALL" },
  },
  {
    name: "filtered_aggregates",
    shape: "COUNT(*) FILTER (WHERE ...), SUM(IF(...)), CONCAT and SPLIT_INDEX in keys",
    sql: `INSERT INTO out_filtered_aggregates
SELECT dt AS d, CONCAT(channel, '-', SPLIT_INDEX(url, '=', 1)) AS k1, 'all' AS k2,
  COUNT(*) FILTER (WHERE score >= 50) AS n1, SUM(IF(is_new = 1, 1, 0)) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, CONCAT(channel, '-', SPLIT_INDEX(url, '=', 1));`,
    expected: { out_filtered_aggregates: "SELECT day AS d, channel || '-' || split_part(url, '=', 2) AS k1, 'all' AS k2, count(*) FILTER (score >= 50) AS n1, sum(is_new) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    name: "hop_window",
    shape: "HOP window (2 h every 1 h) on the LTZ event time",
    sql: `INSERT INTO out_hop_window
SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS k1, DATE_FORMAT(window_end, 'HH:mm') AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(event_time), INTERVAL '1' HOUR, INTERVAL '2' HOUR))
WHERE ${BIZ}
GROUP BY window_start, window_end, dt;`,
    expected: { out_hop_window: "SELECT day AS d, strftime(ws, '%Y-%m-%d %H:%M') AS k1, strftime(ws + INTERVAL 2 HOUR, '%H:%M') AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM (SELECT *, date_trunc('hour', lt) AS ws FROM ev UNION ALL SELECT *, date_trunc('hour', lt) - INTERVAL 1 HOUR AS ws FROM ev) WHERE day = $DAY GROUP BY day, ws" },
  },
  {
    name: "cte_subquery",
    shape: "a WITH clause and a projecting subquery before the GROUP BY",
    sql: `INSERT INTO out_cte_subquery
WITH paid AS (
  SELECT dt, channel, user_id, score FROM ev WHERE ${BIZ} AND score IS NOT NULL
)
SELECT dt AS d, bucket AS k1, channel AS k2, COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, MIN(user_id) AS s1
FROM (SELECT dt, channel, user_id, CASE WHEN score < 30 THEN 'a' WHEN score < 70 THEN 'b' ELSE 'c' END AS bucket FROM paid)
GROUP BY dt, bucket, channel;`,
    expected: { out_cte_subquery: "SELECT day AS d, CASE WHEN score < 30 THEN 'a' WHEN score < 70 THEN 'b' ELSE 'c' END AS k1, channel AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, min(user_id) AS s1 FROM ev WHERE day = $DAY AND score IS NOT NULL GROUP BY ALL" },
  },
  {
    name: "distinct_case",
    shape: "COUNT(DISTINCT CASE WHEN ... THEN user END): the UV of new users",
    sql: `INSERT INTO out_distinct_case
SELECT dt AS d, channel AS k1, 'all' AS k2, COUNT(DISTINCT CASE WHEN is_new = 1 THEN user_id END) AS n1,
  COUNT(DISTINCT IF(score >= 50, user_id, CAST(NULL AS STRING))) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, channel;`,
    expected: { out_distinct_case: "SELECT day AS d, channel AS k1, 'all' AS k2, count(DISTINCT user_id) FILTER (new_flag = 'Y') AS n1, count(DISTINCT user_id) FILTER (score >= 50) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, channel" },
  },
  {
    name: "floor_hour",
    shape: "GROUP BY FLOOR(t TO HOUR) without a window (an updating aggregate)",
    sql: `INSERT INTO out_floor_hour
SELECT dt AS d, DATE_FORMAT(FLOOR(event_time TO HOUR), 'yyyy-MM-dd HH:mm:ss') AS k1, 'all' AS k2, COUNT(*) AS n1, MAX(item_id) AS n2, 'x' AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, FLOOR(event_time TO HOUR);`,
    expected: { out_floor_hour: "SELECT day AS d, strftime(date_trunc('hour', lt), '%Y-%m-%d %H:%M:%S') AS k1, 'all' AS k2, count(*) AS n1, max(item_id) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, date_trunc('hour', lt)" },
  },
  {
    name: "cumulate_window",
    shape: "CUMULATE window (1 day, step 6 hours) on the LTZ event time",
    sql: `INSERT INTO out_cumulate_window
SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS k1, DATE_FORMAT(window_end, 'yyyy-MM-dd HH:mm') AS k2,
  COUNT(*) AS n1, COUNT(DISTINCT user_id) AS n2, 'x' AS s1
FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(event_time), INTERVAL '6' HOUR, INTERVAL '1' DAY))
WHERE ${BIZ}
GROUP BY window_start, window_end, dt;`,
    expected: { out_cumulate_window: "SELECT day AS d, day || ' 00:00' AS k1, strftime(CAST(day AS DATE) + e * INTERVAL 6 HOUR, '%Y-%m-%d %H:%M') AS k2, count(*) AS n1, count(DISTINCT user_id) AS n2, 'x' AS s1 FROM ev, range(1, 5) AS r(e) WHERE day = $DAY AND hour(lt) < e * 6 GROUP BY day, e" },
  },
  {
    name: "decimal_strings",
    shape: "COUNT(x) of a nullable column, SUM of a DECIMAL(10, 2) cast to STRING, MOD, UPPER/SUBSTRING/CONCAT_WS keys",
    sql: `INSERT INTO out_decimal_strings
SELECT dt AS d, CONCAT_WS('/', UPPER(SUBSTRING(channel, 1, 2)), CAST(MOD(item_id, 3) AS STRING)) AS k1, 'all' AS k2,
  COUNT(score) AS n1, SUM(score) / 7 AS n2, CAST(SUM(CAST(score AS DECIMAL(10, 2))) AS STRING) AS s1
FROM ev WHERE ${BIZ}
GROUP BY dt, CONCAT_WS('/', UPPER(SUBSTRING(channel, 1, 2)), CAST(MOD(item_id, 3) AS STRING));`,
    expected: { out_decimal_strings: "SELECT day AS d, upper(channel[1:2]) || '/' || CAST(item_id % 3 AS VARCHAR) AS k1, 'all' AS k2, count(score) AS n1, sum(score) // 7 AS n2, CAST(sum(score) AS VARCHAR) || '.00' AS s1 FROM ev WHERE day = $DAY GROUP BY ALL" },
  },
  {
    name: "union_same_stream",
    shape: "UNION ALL of two branches over the same stream meta-table",
    sql: `INSERT INTO out_union_same_stream
SELECT dt AS d, event_id AS k1, 'web' AS k2, CAST(score AS BIGINT) AS n1, item_id AS n2, 'x' AS s1 FROM ev WHERE ${BIZ} AND channel = 'web' AND score > 90
UNION ALL
SELECT dt AS d, event_id AS k1, 'h5' AS k2, CAST(score AS BIGINT) AS n1, item_id AS n2, 'x' AS s1 FROM ev WHERE ${BIZ} AND channel = 'h5' AND score > 90;`,
    expected: { out_union_same_stream: "SELECT day AS d, event_id AS k1, channel AS k2, score AS n1, item_id AS n2, 'x' AS s1 FROM ev WHERE day = $DAY AND channel IN ('web', 'h5') AND score > 90" },
  },
  {
    name: "window_having",
    shape: "hourly TUMBLE window with HAVING on an aggregate it does not output",
    sql: `INSERT INTO out_window_having
SELECT dt AS d, DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm') AS k1, DATE_FORMAT(window_end, 'HH:mm') AS k2,
  COUNT(DISTINCT user_id) AS n1, SUM(is_new) AS n2, 'x' AS s1
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
WHERE ${BIZ}
GROUP BY window_start, window_end, dt
HAVING COUNT(*) > 83;`,
    expected: { out_window_having: `SELECT day AS d, ${HOURLY}, count(DISTINCT user_id) AS n1, sum(is_new) AS n2, 'x' AS s1 FROM ev WHERE day = $DAY GROUP BY day, date_trunc('hour', lt) HAVING count(*) > 83` },
  },
  {
    name: "window_lookup",
    shape: "hourly TUMBLE window over a WITH clause holding a lookup join, grouped by a dimension column; two COUNT(DISTINCT)",
    sql: `INSERT INTO out_window_lookup
WITH j AS (
  SELECT e.dt, e.user_id, e.channel, e.event_time, i.category, i.price
  FROM ev AS e JOIN dim_item FOR SYSTEM_TIME AS OF e.event_time AS i ON e.item_id = i.item_id
  WHERE e.${BIZ}
)
SELECT dt AS d, CONCAT(DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm'), ' ', category) AS k1, 'all' AS k2,
  COUNT(DISTINCT user_id) AS n1, COUNT(DISTINCT channel) AS n2, CAST(SUM(price) AS STRING) AS s1
FROM TABLE(TUMBLE(TABLE j, DESCRIPTOR(event_time), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, dt, category;`,
    expected: { out_window_lookup: "SELECT e.day AS d, strftime(date_trunc('hour', e.lt), '%Y-%m-%d %H:%M') || ' ' || i.category AS k1, 'all' AS k2, count(DISTINCT e.user_id) AS n1, count(DISTINCT e.channel) AS n2, CAST(sum(i.price) AS VARCHAR) AS s1 FROM ev e JOIN dim i ON e.item_id = i.item_id WHERE e.day = $DAY GROUP BY e.day, date_trunc('hour', e.lt), i.category" },
  },
];
