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
