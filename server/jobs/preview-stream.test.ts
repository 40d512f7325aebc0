import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import type { Actor, ProjectRef } from "../context";
import { DuckSession, lit } from "../engines/local/duck";
import { lastLines } from "../engines/local/stream-preview";
import { writeTopicDay } from "../demo/generator";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { ValidationError } from "../errors";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { getProject } from "../projects/projects";
import { previewStreamJob } from "./preview";

// The studio's stream preview on the demo project: the stream side run step by step over the newest
// events of the topic, with the topic's files and the job's state left as they were.

const box = new SecretBox(crypto.randomBytes(32));
const local: Actor = { kind: "local" };
let handle: DatabaseHandle;
let project: ProjectRef;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-stream-preview-test-"));
const dataDir = path.join(root, ".tandem");
const topic = path.join(dataDir, "demo/topic/coupon_events");
const ctx = () => ({ db: handle.db, project, actor: local, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  const name = uniqueName("streamprev");
  const file = parseProjectFile(fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${name}`)).file;
  await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined, actor: local });
  project = await getProject(handle.db, name);
}, 60_000);
afterAll(async () => {
  await handle?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe("stream preview", () => {
  it("a topic without events gives every step without rows, not an error", async () => {
    const p = await previewStreamJob(ctx(), { job: "coupon_daily_stats" }, { dataDir });
    expect(p.events).toBe(0);
    expect(p.steps.map((s) => `${s.kind}:${s.name}`)).toEqual(["source:ods_coupon_events_rt", "view:mix_coupon_events", "output:ads_coupon_daily_rt"]);
    for (const s of p.steps) {
      expect(s.total).toBe(0);
      expect(s.error).toBeUndefined();
    }
  }, 60_000);

  it("runs the newest N events through each step, leaving the topic and the job's state as they were", async () => {
    await writeTopicDay(topic, { day: "2024-11-11", count: 3000, users: 500 });
    await writeTopicDay(topic, { day: "2024-11-12", count: 2000, users: 500 });
    const before = listing(dataDir).map((f) => [f, fs.statSync(path.join(dataDir, f)).mtimeMs]);
    const p = await previewStreamJob(ctx(), { job: "coupon_daily_stats", events: 2500, limit: 5 }, { dataDir });
    expect(p.events).toBe(2500);
    expect(p.topic).toBe("ods_coupon_events_rt");
    const byName = new Map(p.steps.map((s) => [s.name, s]));
    expect(byName.get("ods_coupon_events_rt")).toMatchObject({ kind: "source", total: 2500 });
    expect(byName.get("ods_coupon_events_rt")?.rows).toHaveLength(5);
    expect(byName.get("mix_coupon_events")).toMatchObject({ kind: "view", total: 2500 });
    expect(byName.get("mix_coupon_events")?.columns).toContain("__mode");
    const out = byName.get("ads_coupon_daily_rt");
    expect(out?.error).toBeUndefined();
    expect(out?.columns).toEqual(["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"]);

    // The last 2,500 events: all 2,000 of the 12th and the last 500 of the 11th, counted independently.
    const s = await DuckSession.open();
    const files = [path.join(topic, "events-2024-11-11.jsonl"), path.join(topic, "events-2024-11-12.jsonl")].map(lit).join(", ");
    const [expected] = await s.rows(`SELECT count(DISTINCT (strftime(make_timestamp(ts_ms * 1000), '%Y-%m-%d'), coupon_id)) AS groups, count(*) FILTER (WHERE action = 'redeem') AS redeemed
      FROM (SELECT * FROM read_json([${files}], format = 'newline_delimited') ORDER BY ts_ms DESC LIMIT 2500)`);
    s.close();
    expect(out?.total).toBe(Number(expected?.groups));
    const pv = p.steps.find((x) => x.kind === "output");
    expect(pv?.rows.length).toBe(5);
    expect(listing(dataDir).map((f) => [f, fs.statSync(path.join(dataDir, f)).mtimeMs])).toEqual(before);
  }, 60_000);

  it("a window TVF job shows its windows", async () => {
    const p = await previewStreamJob(ctx(), { job: "coupon_minutely", events: 1000 }, { dataDir });
    const out = p.steps.find((x) => x.kind === "output");
    expect(out?.error).toBeUndefined();
    expect(out?.total).toBeGreaterThan(0);
    expect(out?.columns[0]).toBe("window_start");
  }, 60_000);

  it("refuses a bad number of events and an unknown job with a clear error", async () => {
    for (const [events, message] of [[0, "events must be at least 1"], [10_001, "events must be at most 10,000"], [2.5, "events must be a whole number from 1 to 10,000"]] as const) {
      const e = await previewStreamJob(ctx(), { job: "coupon_daily_stats", events }, { dataDir }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues).toEqual([{ path: "events", message }]);
    }
    await expect(previewStreamJob(ctx(), { job: "nope" }, { dataDir })).rejects.toThrow("job 'nope' does not exist");
  }, 60_000);

  it("a cancelled preview stops", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(previewStreamJob(ctx(), { job: "coupon_daily_stats" }, { dataDir, signal: controller.signal })).rejects.toThrow();
  }, 60_000);
});

describe("lastLines", () => {
  it("takes the newest whole lines across files in name order, skipping a line still being written", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-last-lines-"));
    const big = Array.from({ length: 30_000 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(20)}"}`).join("\n");
    fs.writeFileSync(path.join(dir, "a.jsonl"), `${big}\n`);
    fs.writeFileSync(path.join(dir, "b.jsonl"), '{"n":"b0"}\n{"n":"b1"}\n{"n":"partial');
    fs.writeFileSync(path.join(dir, ".hidden"), '{"n":"no"}\n');
    const to = path.join(dir, "_out");
    expect(lastLines(dir, 5, to)).toBe(5);
    expect(fs.readFileSync(to, "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { n: unknown }).n)).toEqual([29_997, 29_998, 29_999, "b0", "b1"]);
    expect(lastLines(dir, 20_000, to)).toBe(20_000);
    const lines = fs.readFileSync(to, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(20_000);
    expect((JSON.parse(lines[0] ?? "{}") as { n: unknown }).n).toBe(10_002);
    expect(lastLines(dir, 100_000, to)).toBe(30_002);
    expect(lastLines(path.join(dir, "missing"), 10, to)).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
