import { describe, expect, it } from "vitest";
import { Bizdate } from "./bizdate";
import { backfillPlan, MAX_BACKFILL_DAYS } from "./backfill";
import {
  DependencyCycleError, dependencyOrder, downstreamOf, jobEdges, upstreamPartitions, type ScheduledJob,
} from "./dependencies";

const jobs: ScheduledJob[] = [
  { name: "report", reads: ["daily_orders", "dim_user"], writes: ["report"] },
  { name: "orders", reads: ["raw_orders"], writes: ["daily_orders"] },
  { name: "users", reads: ["raw_users"], writes: ["dim_user"] },
  { name: "retention", reads: [], writes: ["retention"], manual: [{ table: "report", offsetDays: -1 }] },
];
const day = Bizdate.parse("20240301");

describe("dependency resolution", () => {
  it("derives edges from lineage and manual dependencies", () => {
    const edges = jobEdges(jobs).map((e) => `${e.upstream}>${e.downstream}`).sort();
    expect(edges).toEqual(["orders>report", "report>retention", "users>report"]);
    expect(jobEdges(jobs).find((e) => e.downstream === "retention")).toEqual({ upstream: "report", downstream: "retention", offsetDays: -1 });
  });

  it("takes a manual dependency on a job, and keeps the nearest day between two jobs", () => {
    const withJobDep: ScheduledJob[] = [
      { name: "a", reads: [], writes: ["ta"] },
      { name: "b", reads: ["ta"], writes: ["tb"], manual: [{ job: "a", offsetDays: -1 }] },
      { name: "c", reads: [], writes: ["tc"], manual: [{ job: "b", offsetDays: 0 }, { job: "ghost", offsetDays: 0 }] },
    ];
    expect(jobEdges(withJobDep)).toEqual([
      { upstream: "a", downstream: "b", offsetDays: 0 }, { upstream: "b", downstream: "c", offsetDays: 0 },
    ]);
    expect(dependencyOrder(withJobDep)).toEqual(["a", "b", "c"]);
  });

  it("refuses a same-day cycle through a manual dependency, and allows one through an earlier day", () => {
    const loop = (offsetDays: number): ScheduledJob[] => [
      { name: "a", reads: [], writes: ["ta"], manual: [{ table: "tb", offsetDays }] },
      { name: "b", reads: ["ta"], writes: ["tb"] },
    ];
    expect(() => dependencyOrder(loop(0))).toThrow(DependencyCycleError);
    expect(() => dependencyOrder(loop(0))).toThrow("a → b → a");
    // a's day D waits for b's day D-1, b's day D for a's day D: no day waits for itself.
    expect(dependencyOrder(loop(-1))).toEqual(["a", "b"]);
    expect(downstreamOf("b", loop(-1))).toEqual(["a"]);
  });

  it("orders jobs upstream first", () => {
    const order = dependencyOrder(jobs);
    expect(order.indexOf("orders")).toBeLessThan(order.indexOf("report"));
    expect(order.indexOf("users")).toBeLessThan(order.indexOf("report"));
    expect(order.indexOf("report")).toBeLessThan(order.indexOf("retention"));
  });

  it("waits for the same day of read tables and the offset day of manual ones", () => {
    expect(upstreamPartitions(jobs[0] as ScheduledJob, day)).toEqual([
      { table: "daily_orders", partition: "20240301" }, { table: "dim_user", partition: "20240301" },
    ]);
    expect(upstreamPartitions(jobs[3] as ScheduledJob, day)).toEqual([{ table: "report", partition: "20240229" }]);
  });

  it("lets a job wait for its own previous day but not its current one", () => {
    const cumulative: ScheduledJob = { name: "c", reads: ["c"], writes: ["c"], manual: [{ table: "c", offsetDays: -1 }] };
    expect(upstreamPartitions(cumulative, day)).toEqual([{ table: "c", partition: "20240229" }]);
    expect(dependencyOrder([cumulative])).toEqual(["c"]);
  });

  it("refuses a dependency on a future day", () => {
    const bad: ScheduledJob = { name: "b", reads: [], writes: ["b"], manual: [{ table: "a", offsetDays: 1 }] };
    expect(() => upstreamPartitions(bad, day)).toThrow(/in the future/);
  });

  it("rejects a cycle naming its path", () => {
    const cyclic: ScheduledJob[] = [
      { name: "a", reads: ["tc"], writes: ["ta"] },
      { name: "b", reads: ["ta"], writes: ["tb"] },
      { name: "c", reads: ["tb"], writes: ["tc"] },
      { name: "d", reads: ["ta"], writes: ["td"] },
    ];
    let error: unknown;
    try { dependencyOrder(cyclic); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(DependencyCycleError);
    expect((error as DependencyCycleError).path).toEqual(["a", "b", "c", "a"]);
    expect((error as Error).message).toBe("The jobs depend on each other in a cycle: a → b → c → a.");
  });

  it("refuses two producers of one table", () => {
    const two: ScheduledJob[] = [
      { name: "x", reads: [], writes: ["t"] }, { name: "y", reads: [], writes: ["t"] },
    ];
    expect(() => jobEdges(two)).toThrow(/written by both x and y/);
  });

  it("handles a long chain without deep recursion", () => {
    const chain: ScheduledJob[] = Array.from({ length: 20_000 }, (_, i) => ({
      name: `j${i}`, reads: i === 0 ? [] : [`t${i - 1}`], writes: [`t${i}`],
    })).reverse();
    const order = dependencyOrder(chain);
    expect(order[0]).toBe("j0");
    expect(order[order.length - 1]).toBe("j19999");
  });
});

describe("backfill plans", () => {
  it("covers the range with downstream jobs after their upstream each day", () => {
    const plan = backfillPlan(
      { job: "orders", from: Bizdate.parse("20240228"), to: Bizdate.parse("20240301"), downstream: true }, jobs,
    ).map((s) => `${s.job}@${s.bizdate.toString()}`);
    expect(plan).toEqual([
      "orders@20240228", "report@20240228", "retention@20240228",
      "orders@20240229", "report@20240229", "retention@20240229",
      "orders@20240301", "report@20240301", "retention@20240301",
    ]);
    expect(downstreamOf("users", jobs)).toEqual(["report", "retention"]);
  });

  it("names an unknown job and refuses an oversized range", () => {
    const from = Bizdate.parse("20240101");
    expect(() => backfillPlan({ job: "nope", from, to: from, downstream: false }, jobs)).toThrow(/nope is not deployed/);
    expect(() => backfillPlan({ job: "nope", from, to: from, downstream: true }, jobs)).toThrow(/nope is not deployed/);
    expect(() => backfillPlan(
      { job: "orders", from, to: from.addDays(MAX_BACKFILL_DAYS), downstream: false }, jobs,
    )).toThrow(/at most/);
  });
});
