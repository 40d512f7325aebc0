import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuckSession } from "./duck";
import { JsonTail } from "./stream-sources";
import { bindTable } from "./bind";
import { demoCatalog, tempDir } from "../testing/helpers";
import type { LocalSource } from "./plan";

// The JSON tail reads a topic folder in slices of whole lines; each slice is a query over a file of its own.

describe("JsonTail", () => {
  const dir = tempDir();
  const source: LocalSource = { name: "ods_coupon_events_rt", role: "scan", table: bindTable(demoCatalog(), "ods_coupon_events_rt") };
  const line = (i: number, pad = "") => `${JSON.stringify({ event_id: `e${i}${pad}`, user_id: i, coupon_id: 1, action: "view", amount_cents: 0, ts_ms: 1_731_283_200_000 + i })}\n`;
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function ids(s: DuckSession, select: string): Promise<string[]> {
    return (await s.rows(`SELECT event_id FROM (${select}) AS t`)).map((r) => String(r.event_id));
  }

  it("reads whole lines across files, waits for a partial last line, and resumes from the offsets", async () => {
    const topic = path.join(dir, "topic-a");
    fs.mkdirSync(topic, { recursive: true });
    fs.writeFileSync(path.join(topic, "a.jsonl"), [0, 1, 2].map((i) => line(i)).join(""));
    fs.writeFileSync(path.join(topic, "b.jsonl"), line(3) + `{"event_id":"half`);
    const tail = new JsonTail(source, topic);
    const s = await DuckSession.open();
    try {
      const first = await tail.slice({}, 2);
      expect(first.rows).toBe(2);
      expect(await ids(s, first.select)).toEqual(["e0", "e1"]);
      const second = await tail.slice(first.next, 10);
      expect(second.rows).toBe(2); // e2 from a.jsonl, e3 from b.jsonl; the half line waits
      expect(await ids(s, second.select)).toEqual(["e2", "e3"]);
      // Both slices stay readable until the one after them: the runner reads one ahead.
      expect(await ids(s, first.select)).toEqual(["e0", "e1"]);
      const idle = await tail.slice(second.next, 10);
      expect(idle.rows).toBe(0);
      fs.appendFileSync(path.join(topic, "b.jsonl"), `x","user_id":9,"coupon_id":1,"action":"view","amount_cents":0,"ts_ms":1}\n`);
      const rest = await tail.slice(idle.next, 10);
      expect(await ids(s, rest.select)).toEqual(["halfx"]);
      expect(tail.backlog(rest.next)).toBe(0);
    } finally {
      s.close();
      tail.close();
    }
  });

  it("reads a line longer than its read-ahead estimate whole", async () => {
    const topic = path.join(dir, "topic-b");
    fs.mkdirSync(topic, { recursive: true });
    const long = "x".repeat(300_000);
    fs.writeFileSync(path.join(topic, "a.jsonl"), line(0) + line(1, long) + line(2));
    const tail = new JsonTail(source, topic);
    const s = await DuckSession.open();
    try {
      const first = await tail.slice({}, 1);
      const rest = await tail.slice(first.next, 10);
      expect(rest.rows).toBe(2);
      const got = await s.rows(`SELECT event_id, length(event_id) AS n FROM (${rest.select}) AS t`);
      expect(got.map((r) => Number(r.n))).toEqual([2 + long.length, 2]);
    } finally {
      s.close();
      tail.close();
    }
  });
});
