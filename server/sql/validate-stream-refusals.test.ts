import { describe, expect, it } from "vitest";
import { parseProjectFile, snapshotFromProjectFile } from "../project-file/load";
import { validateJob } from "./validate";
import { JobSpec } from "../catalog/schemas";

// What the local stream engine refuses is refused by validation (tandem validate, the editor's Check,
// apply), at the construct's line and column: one job per refusal of docs/engines.md's table.

const PROJECT = `version: 1
project: refusals
connections:
  - { name: files, type: filesystem, properties: { path: /tmp/refusals } }
  - { name: ddb, type: duckdb, properties: {} }
physicalTables:
  - name: events_rt
    connection: files
    kind: stream
    columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }, { name: amount, type: INT }, { name: ts_ms, type: BIGINT }]
    computedColumns: [{ name: event_time, expr: "TO_TIMESTAMP_LTZ(ts_ms, 3)" }]
    watermark: { column: event_time, delay: 0 SECOND }
    options: { path: /tmp/refusals/events, format: json }
  - name: clicks_rt
    connection: files
    kind: stream
    columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }, { name: amount, type: INT }, { name: ts_ms, type: BIGINT }]
    options: { path: /tmp/refusals/clicks, format: json }
  - { name: users_di, connection: files, kind: batch, columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }], options: { path: /tmp/refusals/users, format: parquet } }
  - { name: out_pk_rt, connection: ddb, kind: stream, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], primaryKey: [k], options: { path: /tmp/refusals/a.duckdb, table-name: a } }
  - { name: out_nopk_rt, connection: ddb, kind: stream, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], options: { path: /tmp/refusals/b.duckdb, table-name: b } }
  - { name: out_files_rt, connection: files, kind: stream, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], primaryKey: [k], options: { path: /tmp/refusals/c, format: parquet } }
metaTables:
  - name: events
    columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }, { name: amount, type: INT }, { name: event_time, type: TIMESTAMP_LTZ(3) }]
    source: { table: events_rt, mappings: { user_id: user_id, channel: channel, amount: amount, event_time: event_time } }
  - name: clicks
    columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }, { name: amount, type: INT }]
    source: { table: clicks_rt, mappings: { user_id: user_id, channel: channel, amount: amount } }
  - { name: users, columns: [{ name: user_id, type: STRING }, { name: channel, type: STRING }], source: { table: users_di, mappings: { user_id: user_id, channel: channel } } }
  - { name: out_pk, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], source: { table: out_pk_rt, mappings: { k: k, n: n } } }
  - { name: out_nopk, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], source: { table: out_nopk_rt, mappings: { k: k, n: n } } }
  - { name: out_files, columns: [{ name: k, type: STRING }, { name: n, type: BIGINT }], source: { table: out_files_rt, mappings: { k: k, n: n } } }
`;

const catalog = snapshotFromProjectFile(parseProjectFile(PROJECT, "refusals.yaml").file);

interface Refusal {
  construct: string;
  sql: string;
  message: RegExp;
  line: number;
  column: number;
}

// Each SQL is valid Flink; the position is the construct's first character.
const REFUSALS: Refusal[] = [
  {
    construct: "a regular join of two streams",
    sql: "INSERT INTO out_pk\nSELECT e.channel AS k, COUNT(*) AS n\nFROM events AS e JOIN clicks AS c ON e.user_id = c.user_id\nGROUP BY e.channel",
    message: /regular join or union of several streams \(events, clicks\)/, line: 2, column: 1,
  },
  {
    construct: "a union of two streams",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM events\nUNION ALL\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM clicks",
    message: /regular join or union of several streams/, line: 2, column: 1,
  },
  {
    construct: "a UNION (distinct) of one stream",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM events\nUNION\nSELECT user_id AS k, CAST(amount AS BIGINT) AS n FROM events",
    message: /regular join or union of several streams \(events, events\)/, line: 2, column: 1,
  },
  {
    construct: "a self-join of a stream",
    sql: "INSERT INTO out_pk\nSELECT a.channel AS k, CAST(b.amount AS BIGINT) AS n\nFROM events AS a JOIN events AS b ON a.user_id = b.user_id",
    message: /regular join or union of several streams \(events, events\)/, line: 2, column: 1,
  },
  {
    construct: "a UNION ALL in a WITH query whose branch joins the stream to itself",
    sql: "INSERT INTO out_pk\nWITH u AS (\n  SELECT channel AS k FROM events\n  UNION ALL\n  SELECT a.channel AS k FROM events AS a JOIN events AS b ON a.user_id = b.user_id\n)\nSELECT k, COUNT(*) AS n FROM u GROUP BY k",
    message: /regular join or union of several streams \(events, events, events\)/, line: 2, column: 1,
  },
  {
    construct: "a two-level aggregation into a sink without a primary key",
    sql: "INSERT INTO out_nopk\nSELECT channel AS k, COUNT(*) AS n\nFROM (SELECT user_id, channel, COUNT(*) AS c FROM events GROUP BY user_id, channel)\nGROUP BY channel",
    message: /into a sink without a primary key/, line: 2, column: 1,
  },
  {
    construct: "three levels of aggregation",
    sql: "INSERT INTO out_pk\nSELECT CAST(c AS STRING) AS k, COUNT(*) AS n\nFROM (SELECT channel, COUNT(*) AS c FROM (SELECT user_id, channel, COUNT(*) AS u FROM events GROUP BY user_id, channel) GROUP BY channel)\nGROUP BY c",
    message: /an aggregation that is not the statement's outermost SELECT/, line: 2, column: 1,
  },
  {
    construct: "HAVING without a window",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, COUNT(*) AS n FROM events\nGROUP BY channel\nHAVING COUNT(*) > 10",
    message: /cannot run HAVING on an aggregate without a window/, line: 4, column: 8,
  },
  {
    construct: "AVG",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, CAST(AVG(amount) AS BIGINT) AS n\nFROM events GROUP BY channel",
    message: /AVG \(write SUM\(x\) \/ COUNT\(x\)/, line: 2, column: 27,
  },
  {
    construct: "an aggregate that does not merge (SUM(DISTINCT ...))",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, SUM(DISTINCT amount) AS n\nFROM events GROUP BY channel",
    message: /SUM\(DISTINCT \.\.\.\) \(only COUNT, SUM, MIN, MAX and COUNT\(DISTINCT \.\.\.\) merge exactly\)/, line: 2, column: 22,
  },
  {
    construct: "top-N (ROW_NUMBER with rn <= N)",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n\nFROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY event_time) AS rn FROM events)\nWHERE rn <= 3",
    message: /ROW_NUMBER\(\) other than a deduplication.*WHERE rn = 1/, line: 4, column: 7,
  },
  {
    construct: "keep-last-row deduplication into a sink without a primary key",
    sql: "INSERT INTO out_nopk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n\nFROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY event_time DESC) AS rn FROM events)\nWHERE rn = 1",
    message: /into a sink without a primary key/, line: 3, column: 66,
  },
  {
    construct: "an OVER window other than the keep-first ROW_NUMBER (LAG)",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, LAG(CAST(amount AS BIGINT)) OVER (PARTITION BY channel ORDER BY event_time) AS n FROM events",
    message: /an OVER window \(OVER aggregates, LAG\/LEAD, ranking/, line: 2, column: 22,
  },
  {
    construct: "an aggregate with several arguments",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, COUNT(DISTINCT user_id, amount) AS n FROM events GROUP BY channel",
    message: /COUNT with several arguments/, line: 2, column: 22,
  },
  {
    construct: "a lookup join to a stream table",
    sql: "INSERT INTO out_pk\nSELECT c.channel AS k, COUNT(*) AS n\nFROM events AS e JOIN clicks FOR SYSTEM_TIME AS OF e.event_time AS c ON e.user_id = c.user_id\nGROUP BY c.channel",
    message: /a lookup join \(FOR SYSTEM_TIME AS OF\) to 'clicks', whose stream side is a stream table/, line: 3, column: 52,
  },
  {
    construct: "statements of one job reading two stream tables",
    sql: "INSERT INTO out_pk\nSELECT channel AS k, COUNT(*) AS n FROM events GROUP BY channel;\nINSERT INTO out_nopk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM clicks;",
    message: /one stream source per job; this statement reads 'clicks_rt' where an earlier one reads 'events_rt'/, line: 4, column: 1,
  },
  {
    construct: "INSERT ... VALUES",
    sql: "INSERT INTO out_nopk\nSELECT channel AS k, CAST(1 AS BIGINT) AS n FROM users;\nINSERT INTO out_pk VALUES ('x', 1);",
    message: /the local engine runs INSERT \.\.\. SELECT; write INSERT INTO out_pk SELECT \.\.\. instead of VALUES/, line: 3, column: 1,
  },
  {
    construct: "a GROUP BY without a window into a sink without a primary key",
    sql: "INSERT INTO out_nopk\nSELECT channel AS k, COUNT(*) AS n FROM events GROUP BY channel",
    message: /cannot write a GROUP BY without a window into 'out_nopk_rt'.*no primary key/, line: 1, column: 8,
  },
  {
    construct: "an upsert into a filesystem sink",
    sql: "INSERT INTO out_files\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM events",
    message: /cannot upsert into the filesystem sink 'out_files_rt'/, line: 1, column: 8,
  },
];

describe("validation refuses what the local stream engine cannot run, at the construct", () => {
  for (const r of REFUSALS) {
    it(r.construct, () => {
      const v = validateJob(catalog, { name: "refused", sql: r.sql });
      expect(v.ok).toBe(false);
      expect(v.issues).toHaveLength(1);
      const [issue] = v.issues;
      expect(issue?.message).toMatch(r.message);
      expect({ line: issue?.line, column: issue?.column }).toEqual({ line: r.line, column: r.column });
    });
  }

  it("a job that reads no stream table has no stream side: nothing is refused for it", () => {
    const sql = "INSERT INTO out_nopk\nSELECT channel AS k, COUNT(*) AS n FROM users GROUP BY channel HAVING COUNT(*) > 1";
    expect(validateJob(catalog, { name: "batch_only", sql })).toEqual({ ok: true, issues: [] });
  });

  it("a session zone DuckDB cannot apply: at the SET that names it, else at the job", () => {
    const sql = "SET 'table.local-time-zone' = 'GMT+05:30';\nINSERT INTO out_pk\nSELECT channel AS k, COUNT(*) AS n FROM events GROUP BY channel";
    const set = validateJob(catalog, { name: "ist", sql });
    expect(set.issues).toEqual([{ path: "jobs.ist.sql", line: 1, column: 1, message: expect.stringMatching(/cannot apply the session time zone 'GMT\+05:30'/) as unknown }]);
    const job = JobSpec.parse({ name: "ist", sql: sql.split("\n").slice(1).join("\n"), timeZone: "GMT+05:30" });
    expect(validateJob(catalog, job).issues).toEqual([{ path: "jobs.ist.sql", message: expect.stringMatching(/cannot apply the session time zone 'GMT\+05:30'/) as unknown }]);
    expect(validateJob(catalog, { ...job, timeZone: "Asia/Kolkata" }).ok).toBe(true);
  });

  it("accepts what it runs: a windowed aggregate into a sink without a key, a keep-first dedup, a GROUP BY into an upsert sink, UNION ALL of one stream (also in a WITH query)", () => {
    for (const sql of [
      "INSERT INTO out_nopk\nSELECT DATE_FORMAT(window_start, 'HH:mm') AS k, COUNT(*) AS n\nFROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_time), INTERVAL '1' HOUR))\nGROUP BY window_start, window_end",
      "INSERT INTO out_pk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n\nFROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY channel ORDER BY event_time) AS rn FROM events)\nWHERE rn = 1",
      "INSERT INTO out_pk\nSELECT channel AS k, COUNT(DISTINCT user_id) + SUM(amount) AS n FROM events GROUP BY channel",
      "INSERT INTO out_pk\nSELECT channel AS k, CAST(amount AS BIGINT) AS n FROM events WHERE amount > 5\nUNION ALL\nSELECT user_id AS k, CAST(amount AS BIGINT) AS n FROM events WHERE amount < 2",
      // An explode as the metric builder writes it: a UNION ALL of one stream in a WITH query, aggregated.
      "INSERT INTO out_pk\nWITH u AS (\n  SELECT SPLIT_INDEX(channel, '-', 0) AS k FROM events\n  UNION ALL\n  SELECT SPLIT_INDEX(channel, '-', 1) AS k FROM events\n)\nSELECT k, COUNT(*) AS n FROM u WHERE k IS NOT NULL GROUP BY k",
    ]) {
      expect(validateJob(catalog, { name: "accepted", sql })).toEqual({ ok: true, issues: [] });
    }
  });
});
