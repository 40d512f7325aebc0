import { afterAll, beforeAll, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import type { ProjectContext } from "../context";
import { getProject } from "../projects/projects";
import { applyDemoProject } from "../testing/demo-project";
import { recordStreamSample, RETAIN_MS, streamHistory } from "./metric-history";

// The job page's lag and throughput: rates between samples of one run, none across a restart or a new
// version, and samples older than two days pruned as new ones arrive.

let handle: DatabaseHandle;
let ctx: ProjectContext;
beforeAll(async () => {
  handle = await openTestDatabase();
  const demo = await applyDemoProject(handle.db, "streamhist");
  ctx = { db: handle.db, actor: { kind: "system", reason: "stream-supervisor" }, project: await getProject(handle.db, demo.project) };
}, 60_000);
afterAll(async () => { await handle.close(); });

const m = (rowsIn: number, rowsOut: number, lag: number | null) => ({ rowsIn, rowsOut, lag, lagUnit: lag === null ? null : "records", lastCheckpoint: null });

it("derives throughput between samples of one run and none across a counter reset or a new version", async () => {
  const t0 = Date.parse("2026-11-11T10:00:00Z");
  const at = (s: number) => new Date(t0 + s * 1000);
  await recordStreamSample(ctx, "j", 1, m(0, 0, 50), at(0));
  await recordStreamSample(ctx, "j", 1, m(1000, 500, 40), at(10));
  await recordStreamSample(ctx, "j", 1, m(100, 50, 30), at(20)); // restarted: counters start again
  await recordStreamSample(ctx, "j", 2, m(300, 150, null), at(30)); // redeployed
  await recordStreamSample(ctx, "j", 2, m(700, 350, 5), at(40));
  await recordStreamSample(ctx, "other", 1, m(9, 9, 9), at(40));
  const h = await streamHistory(ctx, "j", 60, at(41));
  expect(h.map((p) => [p.version, p.lag, p.inPerSecond, p.outPerSecond])).toEqual([
    [1, 50, null, null], [1, 40, 100, 50], [1, 30, null, null], [2, null, null, null], [2, 5, 40, 20],
  ]);
  expect((await streamHistory(ctx, "j", 1, at(75))).map((p) => p.rowsOut)).toEqual([50, 150, 350]); // the last minute only
});

it("prunes samples older than two days when a new one is recorded", async () => {
  const now = Date.parse("2026-11-20T00:00:00Z");
  await recordStreamSample(ctx, "pruned", 1, m(1, 1, 1), new Date(now - RETAIN_MS - 60_000));
  await recordStreamSample(ctx, "pruned", 1, m(2, 2, 1), new Date(now - 60_000));
  expect((await streamHistory(ctx, "pruned", 4000, new Date(now))).length).toBe(2); // nothing pruned within the hour of the last pruning
  await recordStreamSample(ctx, "pruned", 1, m(3, 3, 1), new Date(now + 2 * 3600_000));
  const kept = await streamHistory(ctx, "pruned", 4000, new Date(now + 2 * 3600_000));
  expect(kept.map((p) => p.rowsOut)).toEqual([2, 3]);
});
