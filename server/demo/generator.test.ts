import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "../engines/local/duck";
import { generateLive, writeDimCoupon, writeHistoryPartition, writeTopicDay } from "./generator";

describe("demo generators", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-demo-gen-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes the same day's events to the topic (JSON lines) and to the warehouse partition (Parquet)", async () => {
    const topic = path.join(dir, "topic");
    const warehouse = path.join(dir, "ods");
    await writeTopicDay(topic, { day: "2024-11-11", count: 5000 });
    const file = await writeHistoryPartition(warehouse, { day: "2024-11-11", count: 5000 });
    expect(file).toBe(path.join(warehouse, "dt=2024-11-11", "part-0.parquet"));
    const s = await DuckSession.open();
    try {
      const j = await s.rows(`SELECT count(*) AS n, count(DISTINCT event_id) AS ids, min(ts_ms) AS lo, max(ts_ms) AS hi, sum(amount_cents) AS amt,
        count(*) FILTER (WHERE action = 'redeem') AS redeems FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited')`);
      const p = await s.rows(`SELECT count(*) AS n, min(event_time) AS lo, sum(amount) AS amt, count(*) FILTER (WHERE action_type = 'R') AS redeems, typeof(any_value(user_id)) AS ut
        FROM read_parquet(${lit(file)})`);
      expect(Number(j[0]?.n)).toBe(5000);
      expect(Number(j[0]?.ids)).toBe(5000);
      expect(Number(j[0]?.lo)).toBe(Date.parse("2024-11-11T00:00:00Z"));
      expect(Number(j[0]?.hi)).toBeLessThan(Date.parse("2024-11-12T00:00:00Z"));
      expect(Number(p[0]?.n)).toBe(5000);
      expect(Number(p[0]?.redeems)).toBe(Number(j[0]?.redeems));
      expect(Number(p[0]?.amt) * 100).toBe(Number(j[0]?.amt));
      expect(p[0]?.ut).toBe("VARCHAR");
      // A rerun replaces the partition rather than adding to it.
      await writeHistoryPartition(warehouse, { day: "2024-11-11", count: 5000 });
      expect(Number((await s.rows(`SELECT count(*) AS n FROM read_parquet(${lit(path.join(warehouse, "**", "*.parquet"))})`))[0]?.n)).toBe(5000);
      await writeDimCoupon(path.join(dir, "dim"));
      expect(Number((await s.rows(`SELECT count(*) AS n FROM read_parquet(${lit(path.join(dir, "dim", "part-0.parquet"))})`))[0]?.n)).toBe(50);
    } finally {
      s.close();
    }
  });

  it("maps every warehouse event back to its topic event through the meta-table's batch mapping", async () => {
    const topic = path.join(dir, "roundtrip-topic");
    const warehouse = path.join(dir, "roundtrip-ods");
    const day = "2024-11-12";
    const topicFile = await writeTopicDay(topic, { day, count: 3000, seed: 7 });
    const file = await writeHistoryPartition(warehouse, { day, count: 3000, seed: 7 });
    const s = await DuckSession.open();
    try {
      // The conversions of mix_coupon_events' batch mappings (examples/double11.yaml), in DuckDB.
      const rows = await s.rows(`WITH stream AS (SELECT * FROM read_json(${lit(topicFile)}, format = 'newline_delimited')),
        batch AS (SELECT event_id, CAST(user_id AS BIGINT) AS user_id, coupon_id,
            CASE action_type WHEN 'V' THEN 'view' WHEN 'C' THEN 'claim' WHEN 'R' THEN 'redeem' END AS action,
            CAST(amount * 100 AS BIGINT) AS amount_cents, epoch_ms(event_time) AS ts_ms FROM read_parquet(${lit(file)}))
        SELECT count(*) AS joined,
          count(*) FILTER (WHERE s.user_id <> b.user_id OR s.coupon_id <> b.coupon_id OR s.action <> b.action
            OR s.amount_cents <> b.amount_cents OR s.ts_ms <> b.ts_ms) AS differing,
          count(*) FILTER (WHERE s.action = 'redeem' AND s.amount_cents > 0) AS paid_redeems,
          sum(s.amount_cents) FILTER (WHERE s.action = 'redeem') AS stream_gmv,
          sum(b.amount_cents) FILTER (WHERE b.action = 'redeem') AS batch_gmv
        FROM stream s FULL JOIN batch b USING (event_id)`);
      expect(Number(rows[0]?.joined)).toBe(3000);
      expect(Number(rows[0]?.differing)).toBe(0);
      // Redemptions with amounts exist, so the GMV equality below is not 0 = 0.
      expect(Number(rows[0]?.paid_redeems)).toBeGreaterThan(0);
      expect(Number(rows[0]?.batch_gmv)).toBe(Number(rows[0]?.stream_gmv));
      // Every event id is on both sides (a FULL JOIN with unmatched ids would have more rows than events).
      const unmatched = await s.rows(`SELECT count(*) AS n FROM read_json(${lit(topicFile)}, format = 'newline_delimited') s
        FULL JOIN read_parquet(${lit(file)}) b USING (event_id) WHERE s.event_id IS NULL OR b.event_id IS NULL`);
      expect(Number(unmatched[0]?.n)).toBe(0);
    } finally {
      s.close();
    }
  });

  it("appends live events at the given rate with the current time, whole lines only", async () => {
    let t = Date.parse("2024-11-11T12:00:00Z");
    const topic = path.join(dir, "live");
    const n = await generateLive({ topicDir: topic, rate: 1000, limit: 2500, now: () => t, sleep: async (ms) => { t += ms; } });
    expect(n).toBe(2500);
    const [file] = fs.readdirSync(topic);
    const text = fs.readFileSync(path.join(topic, file ?? ""), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { ts_ms: number; event_id: string });
    expect(lines.length).toBe(2500);
    expect(new Set(lines.map((l) => l.event_id)).size).toBe(2500);
    expect(lines.at(-1)?.ts_ms).toBeGreaterThanOrEqual(Date.parse("2024-11-11T12:00:02Z"));
  });
});
