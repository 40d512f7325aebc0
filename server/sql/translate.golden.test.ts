import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { flinkSyntaxErrors } from "./parser";
import { translateJob, type Translation } from "./translate/index";
import { at, demo, translate, userPart, viewOf } from "./__golden__/helpers";

// Golden cases of the translation: each case states what the scripts must contain (read from the
// intent, not copied from the output); the full scripts are also kept under __golden__/out as
// reviewed snapshots (UPDATE_GOLDEN=1 rewrites them).

const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), "__golden__", "out");

function ok(t: Translation): Translation {
  expect(t.errors).toEqual([]);
  for (const kind of ["stream", "batch", "hybrid"] as const) {
    const s = t[kind];
    if (s !== null) expect(flinkSyntaxErrors(s), `${kind} script re-parses`).toEqual([]);
  }
  return t;
}

function golden(name: string, t: Translation): void {
  for (const kind of ["stream", "batch", "hybrid"] as const) {
    const s = t[kind];
    if (s === null) continue;
    const file = path.join(OUT, `${name}.${kind}.sql`);
    if (process.env.UPDATE_GOLDEN || !fs.existsSync(file)) {
      fs.mkdirSync(OUT, { recursive: true });
      fs.writeFileSync(file, s);
    } else {
      expect(s, `${file} (UPDATE_GOLDEN=1 to rewrite after review)`).toBe(fs.readFileSync(file, "utf8"));
    }
  }
}

const DAILY = `-- daily coupon stats
INSERT INTO ads_coupon_daily
SELECT dt, coupon_id, COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,
  SUM(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed,
  SUM(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
FROM mix_coupon_events
WHERE dt = '\${bizdate}' OR __mode = 'stream'
GROUP BY dt, coupon_id;`;

describe("translation golden cases", { timeout: 120_000 }, () => {
  it("01 demo job: field mappings, __mode branch, partitioned sink, pruning to the bizdate", () => {
    const { catalog, jobs } = demo();
    const job = jobs.find((j) => j.name === "coupon_daily_stats");
    if (!job) throw new Error("demo job missing");
    const t = ok(translateJob(catalog, job, { bizdate: "2024-11-11" }));
    // stream: physical DDL of the stream side, the view with the stream mappings, the user's statement
    expect(t.stream).toContain("CREATE TABLE ods_coupon_events_rt (");
    expect(t.stream).toContain("WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND");
    expect(viewOf(t.stream, "mix_coupon_events")).toContain("DATE_FORMAT(event_time, 'yyyy-MM-dd') AS dt");
    expect(viewOf(t.stream, "mix_coupon_events")).toContain("'stream' AS __mode");
    expect(userPart(t.stream)).toContain("INSERT INTO ads_coupon_daily_rt (dt, coupon_id, pv, uv, redeemed, gmv_cents)");
    expect(userPart(t.stream)).toContain("-- One statement, two jobs"); // comments are kept
    expect(t.stream).not.toContain("ods_coupon_events_di");
    // batch: only the bizdate partition is read, the partition is overwritten
    const view = viewOf(t.batch, "mix_coupon_events");
    expect(view).toContain("CASE action_type WHEN 'V' THEN 'view'");
    expect(view).toContain("'batch' AS __mode");
    expect(view).toMatch(/FROM ods_coupon_events_di\nWHERE dt = '2024-11-11';$/);
    expect(userPart(t.batch)).toContain("INSERT OVERWRITE ads_coupon_daily_di PARTITION (dt = '2024-11-11') (coupon_id, pv, uv, redeemed, gmv_cents)");
    expect(userPart(t.batch)).toContain("FROM __tandem_out WHERE dt = '2024-11-11'");
    expect(t.batch).toContain("PARTITIONED BY (dt)");
    // hybrid: warehouse days 2024-11-01..10, then the stream from the bizdate, in one streaming script
    const hv = viewOf(t.hybrid, "mix_coupon_events");
    expect(hv).toContain("FROM ods_coupon_events_di\nWHERE dt >= '2024-11-01' AND dt <= '2024-11-10'\nUNION ALL");
    expect(hv).toContain("WHERE DATE_FORMAT(event_time, 'yyyy-MM-dd') >= '2024-11-11';");
    expect(userPart(t.hybrid)).toContain("INSERT INTO ads_coupon_daily_rt (dt, coupon_id, pv, uv, redeemed, gmv_cents)");
    expect(t.warnings).toEqual([]);
    // no golden snapshot: the demo file is shared and its connections change; the assertions above hold
  });

  it("02 virtual columns fill what a side lacks; Y/N vs 1/0 is aligned by the mapping expression", () => {
    const t = ok(translate(`INSERT INTO ads_user_daily
SELECT ds, channel, COUNT(DISTINCT uid) AS users, SUM(is_new) AS new_users
FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY ds, channel;`));
    const sv = viewOf(t.stream, "mix_user_events");
    expect(sv).toContain("CASE is_new_flag WHEN 'Y' THEN 1 ELSE 0 END AS is_new");
    expect(sv).toContain("'app' AS channel");
    expect(sv).toContain("ts AS event_time");
    const bv = viewOf(t.batch, "mix_user_events");
    expect(bv).toContain("  is_new,");
    expect(bv).toContain("WHERE ds = '20241111'");
    golden("02-virtual", t);
  });

  it("03 a sink column virtual on one side is dropped there (CTE wrap keeps the user's query)", () => {
    const sql = `INSERT INTO ads_user_daily
SELECT ds, channel, COUNT(DISTINCT uid) AS users, SUM(is_new) AS new_users
FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY ds, channel;`;
    const t = ok(translate(sql));
    const s = userPart(t.stream);
    expect(s).toContain("INSERT INTO ads_user_daily_rt (ds, channel, users)\nWITH __tandem_out (ds, channel, users, new_users) AS (");
    expect(s).toContain("SELECT ds, channel, users FROM __tandem_out");
    const b = userPart(t.batch);
    expect(b).toContain("INSERT OVERWRITE ads_user_daily_di PARTITION (ds = '20241111') (channel, users, new_users)");
    expect(b).toContain("SELECT channel, users, new_users FROM __tandem_out WHERE ds = '20241111'");
    golden("03-sink-virtual", t);
  });

  it("04 __mode = 'stream' makes the batch side read nothing; the stream side reads everything", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE __mode = 'stream' GROUP BY channel;`));
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE 1 = 0");
    expect(viewOf(t.stream, "mix_user_events")).not.toContain("WHERE");
  });

  it("05 ${mode} is substituted per side", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT '\${mode}' AS channel, COUNT(*) FROM mix_user_events WHERE ds = '\${bizdate_nodash}';`));
    expect(userPart(t.stream)).toContain("SELECT 'stream' AS channel");
    expect(userPart(t.batch)).toContain("SELECT 'batch' AS channel");
  });

  it("06 dimension join FOR SYSTEM_TIME AS OF: kept as written, the dimension gets DDL and a view", () => {
    const sql = `INSERT INTO ads_channel_total
SELECT d.campaign, COUNT(*)
FROM mix_coupon_events AS e
JOIN dim_coupon FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.coupon_id = d.coupon_id
WHERE e.dt = '\${bizdate}'
GROUP BY d.campaign;`;
    const t = ok(translate(sql));
    for (const s of [t.stream, t.batch]) {
      expect(userPart(s)).toContain("JOIN dim_coupon FOR SYSTEM_TIME AS OF e.proc_time AS d ON e.coupon_id = d.coupon_id");
      // the meta-table and the physical table share a name: the physical one is renamed in the script
      expect(s).toContain("CREATE TABLE dim_coupon__phys (");
      expect(viewOf(s, "dim_coupon")).toContain("FROM dim_coupon__phys");
      expect(viewOf(s, "dim_coupon")).not.toContain("__mode");
    }
    expect(viewOf(t.batch, "mix_coupon_events")).toContain("WHERE dt = '2024-11-11'");
    golden("06-dim-lookup", t);
  });

  it("07 window TVF TUMBLE", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total
SELECT CAST(window_start AS STRING), COUNT(*) FROM TABLE(TUMBLE(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '10' MINUTES))
WHERE ds = '\${bizdate_nodash}' GROUP BY window_start, window_end;`));
    expect(userPart(t.stream)).toContain("TABLE(TUMBLE(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '10' MINUTES))");
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE ds = '20241111'");
    expect(t.lineage.columns[0]?.sources).toEqual([{ table: "mix_user_events", column: "event_time" }]);
  });

  it("08 window TVF HOP and CUMULATE", () => {
    for (const tvf of ["HOP(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)",
      "CUMULATE(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '1' HOUR, INTERVAL '1' DAY)"]) {
      const t = ok(translate(`INSERT INTO ads_channel_total SELECT CAST(window_end AS STRING), COUNT(DISTINCT uid) FROM TABLE(${tvf}) GROUP BY window_start, window_end;`));
      expect(userPart(t.stream)).toContain(tvf);
    }
  });

  it("09 STATEMENT SET: every INSERT is rewritten inside the set", () => {
    const t = ok(translate(`EXECUTE STATEMENT SET
BEGIN
INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY channel;
INSERT INTO ads_user_daily SELECT ds, channel, COUNT(*), SUM(is_new) FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY ds, channel;
END;`));
    const b = userPart(t.batch);
    expect(b).toContain("INSERT INTO ads_channel_total (channel, users)");
    expect(b).toContain("INSERT OVERWRITE ads_user_daily_di PARTITION (ds = '20241111')");
    expect(t.lineage.tables.map((e) => e.sink)).toEqual(["ads_channel_total", "ads_user_daily"]);
    golden("09-statement-set", t);
  });

  it("10 several INSERT statements become one STATEMENT SET (one physical job per side)", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events GROUP BY channel;
-- second sink
INSERT INTO ads_user_daily SELECT ds, channel, COUNT(*), SUM(is_new) FROM mix_user_events GROUP BY ds, channel`));
    const s = userPart(t.stream);
    expect(s).toMatch(/EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO ads_channel_total/);
    expect(s).toContain("-- second sink");
    // the second INSERT drops new_users on the stream side (CTE wrap); the set closes after it
    expect(s.trimEnd()).toMatch(/GROUP BY ds, channel\n\)\nSELECT ds, channel, users FROM __tandem_out;\nEND;$/);
  });

  it("11 CTEs resolve, and lineage goes through them", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total
WITH daily AS (SELECT channel AS ch, uid FROM mix_user_events WHERE ds = '\${bizdate_nodash}'),
     counted AS (SELECT ch, COUNT(DISTINCT uid) AS n FROM daily GROUP BY ch)
SELECT ch, n FROM counted;`));
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE ds = '20241111'");
    const users = t.lineage.columns.find((c) => c.sink.column === "users");
    expect(users?.transform).toBe("aggregation");
    expect(users?.sources).toEqual([{ table: "mix_user_events", column: "uid" }]);
    expect(users?.physical.stream?.sources).toEqual([{ table: "ods_user_rt", column: "uid" }]);
    const channel = t.lineage.columns.find((c) => c.sink.column === "channel");
    expect(channel?.transform).toBe("identity");
    expect(channel?.physical.batch?.sources).toEqual([{ table: "ods_user_di", column: "channel" }]);
    expect(channel?.physical.stream?.sources).toEqual([]); // virtual 'app' on the stream side
  });

  it("12 subqueries and joins with aliases", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total
SELECT u.channel, COUNT(*) FROM (SELECT uid, channel FROM mix_user_events WHERE ds >= '\${bizdate_nodash}') u
JOIN mix_coupon_events c ON u.uid = c.user_id
WHERE c.dt = '\${bizdate}'
GROUP BY u.channel;`));
    expect(viewOf(t.batch, "mix_coupon_events")).toContain("WHERE dt = '2024-11-11'");
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE ds >= '20241111'");
    expect(t.lineage.tables[0]?.sources.sort()).toEqual(["mix_coupon_events", "mix_user_events"]);
  });

  it("13 unpartitioned batch sink: INSERT INTO (upsert by key), no OVERWRITE", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY channel;`));
    expect(userPart(t.batch)).toContain("INSERT INTO ads_channel_total (channel, users)");
    expect(t.batch).not.toContain("OVERWRITE");
    golden("13-unpartitioned-sink", t);
  });

  it("14 static partitions from the job settings when the query does not bound the partition", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events GROUP BY channel;`,
      { batch: { partitions: { ds: "${bizdate_nodash}" } } }, "2024-11-12"));
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE ds = '20241112'");
    expect(t.warnings).toEqual([]);
  });

  it("15 no partition predicate and no static partition: the bizdate partition, with a warning", () => {
    const sql = `INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events GROUP BY channel;`;
    const t = ok(translate(sql));
    expect(viewOf(t.batch, "mix_user_events")).toContain("WHERE ds = '20241111'");
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatchObject({ ...at(sql, "mix_user_events"), message: expect.stringContaining("reads only the bizdate partition") });
  });

  it("16 dynamic partitions: BETWEEN and IN become the partition filter", () => {
    const a = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE ds BETWEEN '20241101' AND '\${bizdate_nodash}' GROUP BY channel;`));
    expect(viewOf(a.batch, "mix_user_events")).toContain("WHERE ds >= '20241101' AND ds <= '20241111'");
    const b = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE (ds IN ('20241110', '20241111') AND uid > 0) GROUP BY channel;`));
    expect(viewOf(b.batch, "mix_user_events")).toContain("WHERE ds IN ('20241110', '20241111')");
    expect(b.local?.batch?.sources[0]?.partition?.values).toEqual(["20241110", "20241111"]);
  });

  it("17 an explicit insert column list is mapped column by column", () => {
    const t = ok(translate(`INSERT INTO ads_user_daily (channel, ds, users, new_users) SELECT channel, ds, COUNT(*), SUM(is_new) FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY ds, channel;`));
    expect(userPart(t.stream)).toContain("INSERT INTO ads_user_daily_rt (channel, ds, users)\nWITH __tandem_out (channel, ds, users, new_users) AS (");
    expect(userPart(t.batch)).toContain("PARTITION (ds = '20241111') (channel, users, new_users)");
  });

  it("18 hybrid: batch history to bizdate-1 UNION ALL the stream from the bizdate, one streaming script", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(DISTINCT uid) FROM mix_user_events GROUP BY channel;`,
      { hybrid: { startDate: "2024-11-01" }, stream: { startFrom: "earliest" } }));
    const h = t.hybrid ?? "";
    expect(h).toContain("SET 'execution.runtime-mode' = 'streaming';");
    const v = viewOf(h, "mix_user_events");
    expect(v).toContain("FROM ods_user_di\nWHERE ds >= '20241101' AND ds <= '20241110'\nUNION ALL\n");
    expect(v).toContain("FROM ods_user_rt\nWHERE DATE_FORMAT(ts, 'yyyyMMdd') >= '20241111';");
    expect(v).not.toContain("'batch' AS __mode"); // the hybrid script is the stream job: both halves are 'stream'
    expect(v.match(/'stream' AS __mode/g)).toHaveLength(2);
    expect(h).toContain("'scan.startup.mode' = 'timestamp'");
    expect(h).toContain(`'scan.startup.timestamp-millis' = '${Date.parse("2024-11-11T00:00:00Z")}'`);
    expect(userPart(h)).toContain("INSERT INTO ads_channel_total (channel, users)");
    golden("18-hybrid", t);
  });

  it("19 secrets never appear in generated scripts", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '\${bizdate_nodash}' GROUP BY channel;`));
    for (const s of [t.stream, t.batch]) expect(s).not.toContain("literal-secret-value");
    expect(t.stream).toContain("'properties.sasl.jaas.config' = '******'");
    expect(t.batch).toContain("'password' = '******'");
    expect(JSON.stringify(t.local)).not.toContain("literal-secret-value");
  });

  it("20 Kafka sources start where the stream settings say", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events GROUP BY channel;`, { stream: { startFrom: "latest" } }));
    expect(t.stream).toContain("'scan.startup.mode' = 'latest-offset'");
    expect(t.stream).toContain("'properties.bootstrap.servers' = 'kafka:9092'");
  });

  it("21 comments and hints are kept verbatim", () => {
    const t = ok(translate(`/* header comment */
INSERT INTO ads_channel_total
SELECT /*+ STATE_TTL('mix_user_events' = '1d') */ channel, COUNT(*) -- trailing
FROM mix_user_events GROUP BY channel`));
    for (const s of [t.stream, t.batch]) {
      expect(userPart(s)).toContain("/* header comment */");
      expect(userPart(s)).toContain("/*+ STATE_TTL('mix_user_events' = '1d') */ channel, COUNT(*) -- trailing");
    }
  });

  it("22 SET statements pass through", () => {
    const t = ok(translate(`SET 'table.exec.state.ttl' = '1 d';
INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events GROUP BY channel;`));
    expect(userPart(t.stream)).toContain("SET 'table.exec.state.ttl' = '1 d';");
  });

  it("23 FLOOR(x TO unit) is accepted (dt-sql-parser lacks it) and kept as written", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT CAST(FLOOR(event_time TO HOUR) AS STRING), COUNT(*) FROM mix_user_events GROUP BY FLOOR(event_time TO HOUR);`));
    expect(userPart(t.stream)).toContain("CAST(FLOOR(event_time TO HOUR) AS STRING)");
    expect(t.local?.batch?.statements[0]?.select).toContain("DATE_TRUNC('hour', event_time)");
  });

  it("24 lineage through mappings: physical columns of each side", () => {
    const t = ok(translate(DAILY));
    const gmv = t.lineage.columns.find((c) => c.sink.column === "gmv_cents");
    expect(gmv?.transform).toBe("aggregation");
    expect(gmv?.physical.batch).toEqual({
      sink: { table: "ads_coupon_daily_di", column: "gmv_cents" },
      sources: [{ table: "ods_coupon_events_di", column: "action_type" }, { table: "ods_coupon_events_di", column: "amount" }],
    });
    expect(gmv?.physical.stream?.sources).toEqual([{ table: "ods_coupon_events_rt", column: "action" }, { table: "ods_coupon_events_rt", column: "amount_cents" }]);
    const dt = t.lineage.columns.find((c) => c.sink.column === "dt");
    expect(dt?.transform).toBe("identity");
    expect(dt?.physical.stream?.sources).toEqual([{ table: "ods_coupon_events_rt", column: "event_time" }]);
  });

  it("25 a function the local engine does not map is refused at validation, with its line and column", () => {
    const sql = `INSERT INTO ads_channel_total\nSELECT channel, COUNT(*) FROM mix_user_events WHERE INITCAP(channel) <> 'X' GROUP BY channel;`;
    const t = translate(sql);
    expect(t.stream).toBeNull();
    expect(t.errors).toEqual([expect.objectContaining({ path: "jobs.t.sql", line: 2, column: 53, message: expect.stringMatching(/cannot run INITCAP: DuckDB has no function/) })]);
  });

  it("26 a stream aggregation that cannot be merged incrementally is refused for the local stream engine", () => {
    const t = ok(translate(`INSERT INTO ads_channel_total SELECT channel, CAST(AVG(uid) AS BIGINT) FROM mix_user_events GROUP BY channel;`));
    expect(t.local?.stream).toBeNull();
    expect(t.local?.errors[0]?.message).toMatch(/cannot run .* incrementally/);
    expect(t.local?.batch).not.toBeNull();
  });

  it("27 expressions over aggregates run incrementally, over the state of each aggregate (shared when repeated)", () => {
    const ok27 = ok(translate(`INSERT INTO ads_channel_total SELECT channel, COALESCE(MAX(uid), 0) + COUNT(*) * COUNT(*) FROM mix_user_events GROUP BY channel;`));
    const plan = ok27.local?.stream?.statements[0]?.incremental;
    expect(plan?.kind === "aggregate" ? [plan.aggregates.map((a) => a.fn), plan.outputs] : null)
      .toEqual([["MAX", "COUNT"], [{ key: 0 }, { expr: 'COALESCE("__g0", 0) + "__g1" * "__g1"' }]]);
    // Without an alias the parser splits `uid + COUNT(*)` into the column uid and `+ COUNT(*)`: still one expression.
    const split = ok(translate(`INSERT INTO ads_channel_total SELECT channel, uid + COUNT(*) FROM mix_user_events GROUP BY channel, uid;`)).local?.stream?.statements[0]?.incremental;
    expect(split?.kind === "aggregate" ? split.outputs : null).toEqual([{ key: 0 }, { expr: '"__k1" + "__g0"' }]);
  });

  it("28 an aggregate inside another is refused for the local stream engine with its line and column", () => {
    const sql = `INSERT INTO ads_channel_total\nSELECT channel, MAX(uid) + SUM(1 + MIN(uid)) FROM mix_user_events GROUP BY channel;`;
    const t = ok(translate(sql));
    expect(t.local?.stream).toBeNull();
    expect(t.local?.errors).toEqual([expect.objectContaining({ path: "jobs.t.sql", ...at(sql, "MIN(uid)"), message: expect.stringMatching(/cannot run an aggregate inside another aggregate \('SUM\(1 \+ MIN\(uid\)\)'\) incrementally \(line 2, column 36\)/) })]);
  });
});

describe("errors carry line and column", { timeout: 120_000 }, () => {
  const expectIssue = (sql: string, needle: string, message: RegExp, extra = {}, occurrence = 1) => {
    const t = translate(sql, extra);
    expect(t.stream).toBeNull();
    expect(t.errors).toContainEqual(expect.objectContaining({ path: "jobs.t.sql", ...at(sql, needle, occurrence), message: expect.stringMatching(message) }));
  };

  it("unknown table, with did-you-mean", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT channel, 1 FROM mix_user_event", "mix_user_event", /unknown table 'mix_user_event' \(did you mean 'mix_user_events'\?\)/);
  });
  it("unknown sink table", () => {
    expectIssue("INSERT INTO ads_channel_totals SELECT channel, 1 FROM mix_user_events", "ads_channel_totals", /did you mean 'ads_channel_total'/);
  });
  it("a physical table instead of a meta-table", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT channel, 1\n  FROM ods_user_di", "ods_user_di", /physical table; job scripts reference meta-tables only \('mix_user_events' reads it\)/);
  });
  it("unknown column, with did-you-mean", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT chanel, COUNT(*)\nFROM mix_user_events GROUP BY channel", "chanel", /unknown column 'chanel' \(did you mean 'channel'\?\)/);
  });
  it("unknown qualified column", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT u.chanel, 1 FROM mix_user_events u", "u.chanel", /unknown column 'chanel' in 'u' \(mix_user_events\) \(did you mean 'channel'\?\)/);
  });
  it("__mode on a single-source table", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT campaign, 1 FROM dim_coupon d\nWHERE d.__mode = 'stream'", "d.__mode", /'__mode' exists only on mixed meta-tables; 'dim_coupon' is single-source/);
    expectIssue("INSERT INTO ads_channel_total SELECT campaign, 1 FROM dim_coupon WHERE __mode = 'batch'", "__mode", /single-source/);
  });
  it("writing to a source", () => {
    expectIssue("INSERT INTO src_orders SELECT uid, uid FROM mix_user_events", "src_orders", /cannot write to 'src_orders': it is a source .*'datagen'/);
  });
  it("writing to a meta-table the statement reads", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT channel, users + 1 FROM ads_channel_total", "ads_channel_total", /also reads it as a source/);
  });
  it("writing to a meta-table whose side maps with expressions", () => {
    expectIssue("INSERT INTO mix_user_events SELECT uid, is_new, channel, event_time, ds FROM mix_user_events", "mix_user_events", /stream side maps 'is_new' with an expression/);
  });
  it("unsupported statements", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT channel, 1 FROM mix_user_events;\nCREATE TABLE x (a INT) WITH ('connector' = 'print');", "CREATE", /unsupported statement: DDL/);
    expectIssue("SELECT channel FROM mix_user_events", "SELECT", /unsupported statement: a job's SELECT must write its result/);
    expectIssue("INSERT OVERWRITE ads_channel_total SELECT channel, 1 FROM mix_user_events", "OVERWRITE", /INSERT OVERWRITE is not allowed/);
  });
  it("undefined variable, by its position in the original text", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT channel, 1 FROM mix_user_events\nWHERE ds = '${bizdate}' AND channel = '${chanel}'", "${chanel}", /undefined variable '\$\{chanel\}'/);
  });
  it("positions after a substituted variable map back to the original text", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT '${bizdate_start}', chanel FROM mix_user_events", "chanel", /unknown column 'chanel'/);
  });
  it("user variables are substituted", () => {
    const t = translate("INSERT INTO ads_channel_total SELECT '${region}', 1 FROM mix_user_events WHERE ds = '${day}'", { variables: { region: "cn", day: "${bizdate_nodash}" } });
    expect(t.errors).toEqual([]);
    expect(userPart(t.batch)).toContain("SELECT 'cn', 1 FROM mix_user_events WHERE ds = '20241111'");
  });
  it("syntax errors", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT channel,, 1 FROM mix_user_events", ", 1", /syntax error: ',' is not valid at this position/);
  });
  it("valid Flink SQL the parser does not accept yet is named, with what to write instead, and nothing cascades", () => {
    const only = (sql: string, needle: string, message: RegExp) => {
      const t = translate(sql);
      expect(t.errors).toEqual([{ path: "jobs.t.sql", ...at(sql, needle), message: expect.stringMatching(message) }]);
    };
    only("-- new users\nWITH n AS (SELECT channel, uid FROM mix_user_events)\nINSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM n GROUP BY channel",
      "INSERT", /^WITH \.\.\. INSERT is Flink SQL .*INSERT INTO <meta-table> WITH x AS/);
    only("INSERT INTO ads_channel_total\nSELECT CAST(window_start AS STRING), COUNT(*) FROM TABLE(TUMBLE(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '10' MINUTES)) AS w\nGROUP BY window_start, window_end",
      "AS w", /^an alias after a window table function/);
    // A real mistake after a limit, in another statement, is still reported as a syntax error.
    const t = translate("WITH n AS (SELECT channel FROM mix_user_events) INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM n GROUP BY channel;\nINSERT INTO ads_channel_total SELECT channel,, 1 FROM mix_user_events;");
    expect(t.errors.map((e) => [e.line, e.message.slice(0, 20)])).toEqual([[1, "WITH ... INSERT is F"], [2, "syntax error: ',' is"]]);
  });
  it("FILTER (WHERE ...) on an aggregate: kept as written for Flink, its columns checked where they stand", () => {
    const t = translate("INSERT INTO ads_channel_total\nSELECT channel, COUNT(DISTINCT uid) FILTER (WHERE is_new = 1) AS users\nFROM mix_user_events GROUP BY channel");
    expect(t.errors).toEqual([]);
    expect(userPart(t.stream)).toContain("COUNT(DISTINCT uid) FILTER (WHERE is_new = 1) AS users");
    expect(userPart(t.batch)).toContain("COUNT(DISTINCT uid) FILTER (WHERE is_new = 1) AS users");
    expect(t.lineage.columns.find((c) => c.sink.column === "users")?.sources.map((x) => x.column).sort()).toEqual(["is_new", "uid"]);
    expectIssue("INSERT INTO ads_channel_total\nSELECT channel, COUNT(DISTINCT uid) FILTER (WHERE is_nwe = 1) AS users\nFROM mix_user_events GROUP BY channel",
      "is_nwe", /unknown column 'is_nwe'.*did you mean 'is_new'/);
  });
  it("column count mismatch with the sink", () => {
    expectIssue("INSERT INTO ads_channel_total\nSELECT channel FROM mix_user_events", "SELECT", /produces 1 column but sink 'ads_channel_total' expects 2 \(channel, users\)/);
  });
  it("ambiguous column", () => {
    expectIssue("INSERT INTO ads_channel_total SELECT channel, event_time FROM mix_user_events a JOIN mix_user_events b ON a.uid = b.uid", "channel", /column 'channel' is ambiguous/, {}, 2);
  });
  it("unknown column in an insert column list", () => {
    expectIssue("INSERT INTO ads_channel_total (channel, usres) SELECT channel, 1 FROM mix_user_events", "usres", /unknown column 'usres' in sink 'ads_channel_total' \(did you mean 'users'\?\)/);
  });
});
