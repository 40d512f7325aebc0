import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { alertDeliveries, alertEvents, projects, qualityResults } from "../../db/schema/index";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { pruneHistory } from "./prune";

// Retention: old quality results and alert history go in batches; a pending delivery (and its event) and
// each rule's newest result stay whatever their age; recent rows and other kinds of rows are untouched.

let handle: DatabaseHandle;
let projectId: string;
const NOW = new Date("2026-06-30T12:00:00Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

beforeAll(async () => {
  handle = await openTestDatabase();
  const [p] = await handle.db.insert(projects).values({ name: uniqueName("retention") }).returning({ id: projects.id });
  if (!p) throw new Error("no project");
  projectId = p.id;
});
afterAll(async () => {
  await handle.close();
});

async function event(key: string, at: Date, deliveries: ("pending" | "delivered" | "failed")[]): Promise<number> {
  const [e] = await handle.db.insert(alertEvents).values({ projectId, key, kind: "instanceFailed", jobName: "j", severity: "error", reason: key, at }).returning({ id: alertEvents.id });
  if (!e) throw new Error("no event");
  for (const [i, status] of deliveries.entries()) {
    await handle.db.insert(alertDeliveries).values({ projectId, eventId: e.id, channelId: null, channelName: `c${i}-${key}`, status, createdAt: at });
  }
  return e.id;
}

async function result(table: string, rule: string, partition: string, at: Date): Promise<void> {
  await handle.db.insert(qualityResults).values({
    projectId, tableName: table, partition, ruleName: rule, kind: "rowCount", severity: "blocking", passed: true,
    observed: { rows: 1 }, message: "ok", query: "SELECT 1", evaluatedAt: at,
  });
}

describe("pruneHistory", () => {
  it("removes what is older than the window and keeps what is still needed, in batches", async () => {
    const oldDone = await event("old-done", daysAgo(120), ["delivered", "failed"]);
    const oldPending = await event("old-pending", daysAgo(120), ["pending", "delivered"]);
    const recent = await event("recent", daysAgo(10), ["delivered"]);
    // Rule r1 of t: five old results and one recent; rule r2 of t: only old ones (its newest stays).
    for (let d = 0; d < 5; d++) await result("t", "r1", `2026010${d + 1}`, daysAgo(150 - d));
    await result("t", "r1", "20260620", daysAgo(10));
    for (let d = 0; d < 3; d++) await result("t", "r2", `2026010${d + 1}`, daysAgo(150 - d));

    const pruned = await pruneHistory(handle.db, { days: 90, now: NOW, batch: 2, projectId });
    // Deliveries: the old event's two finished ones and the old pending event's delivered one.
    expect(pruned).toEqual({ alertDeliveries: 3, alertEvents: 1, qualityResults: 5 + 2 });

    const events = await handle.db.select({ id: alertEvents.id }).from(alertEvents).where(eq(alertEvents.projectId, projectId));
    expect(events.map((e) => e.id).sort((a, b) => a - b)).toEqual([oldPending, recent].sort((a, b) => a - b));
    expect(events.some((e) => e.id === oldDone)).toBe(false);
    const left = await handle.db.select({ status: alertDeliveries.status }).from(alertDeliveries).where(eq(alertDeliveries.projectId, projectId));
    expect(left.map((d) => d.status).sort()).toEqual(["delivered", "pending"]); // the recent one, the pending one
    const r1 = await handle.db.select({ p: qualityResults.partition }).from(qualityResults).where(and(eq(qualityResults.projectId, projectId), eq(qualityResults.ruleName, "r1")));
    expect(r1.map((r) => r.p)).toEqual(["20260620"]);
    const r2 = await handle.db.select({ p: qualityResults.partition }).from(qualityResults).where(and(eq(qualityResults.projectId, projectId), eq(qualityResults.ruleName, "r2")));
    expect(r2.map((r) => r.p)).toEqual(["20260103"]); // the newest of the old ones: the rule's latest status

    // Nothing more to do: a second pass removes nothing.
    expect(await pruneHistory(handle.db, { days: 90, now: NOW, projectId })).toEqual({ alertDeliveries: 0, alertEvents: 0, qualityResults: 0 });
  });

  it("refuses a window that is not a positive number of days", async () => {
    await expect(pruneHistory(handle.db, { days: 0 })).rejects.toThrow(/positive number of days/);
    await expect(pruneHistory(handle.db, { days: Number.NaN })).rejects.toThrow(/positive number of days/);
  });
});
