import { status as GrpcStatus } from "@grpc/grpc-js";
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  ScheduleOverlapPolicy,
} from "@temporalio/client";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activities, assertReplayable, createTestWorker, startTestEnv, uniqueId, type TestEnv } from "./helpers";

// The §7 scenarios against the embedded service (or against TEMPORAL_ADDRESS when set: see
// docs/temporal-dev-service.md). Every execution a test creates is replayed at the end (replay guard).

let env: TestEnv;
let worker: Worker;
let running: Promise<void>;
const TQ = uniqueId("scenarios");
const produced: { workflowId: string; runId?: string }[] = [];

function track(workflowId: string, runId?: string): void {
  produced.push({ workflowId, runId });
}

beforeAll(async () => {
  env = await startTestEnv();
  worker = await createTestWorker(env, TQ);
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.close();
}, 60_000);

async function run<T>(type: string, args: unknown[], opts: { workflowId?: string; taskQueue?: string } = {}): Promise<T> {
  const workflowId = opts.workflowId ?? uniqueId(type);
  const h = await env.client.workflow.start(type, { taskQueue: opts.taskQueue ?? TQ, workflowId, args });
  track(workflowId, h.firstExecutionRunId);
  return (await h.result()) as T;
}

describe("workflows on the dev service", () => {
  it("activity + timer", async () => {
    expect(await run<string>("activityAndTimer", ["Tandem"])).toBe("Hello, Tandem!");
  });

  it("local activity markers", async () => {
    expect(await run<string>("localActivity", ["local"])).toBe("Hello, local! (local)");
  });

  it("signal + condition, query while open and after close", async () => {
    const workflowId = uniqueId("signal");
    const h = await env.client.workflow.start("signalCondition", { taskQueue: TQ, workflowId });
    track(workflowId);
    expect(await h.query<string>("state")).toBe("waiting");
    await h.signal("approve", "ops");
    expect(await h.result()).toBe("approved by ops");
    expect(await h.query<string>("state")).toBe("approved by ops");
    const d = await h.describe();
    expect(d.status.name).toBe("COMPLETED");
  });

  it("retries to success", async () => {
    const key = uniqueId("flaky");
    expect(await run<string>("retriesToSuccess", [key])).toBe("ok after 3 attempts");
    expect(activities.calls.get(key)).toBe(3);
  });

  it("retries to failure (maximum attempts)", async () => {
    const key = uniqueId("fails");
    const err = await run("retriesToFailure", [key]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect((cause as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
    expect(((cause as ActivityFailure).cause as ApplicationFailure).message).toBe("failure 3");
    expect(activities.calls.get(key)).toBe(3);
  });

  it("non-retryable errors are not retried", async () => {
    const key = uniqueId("nonretry");
    const err = await run("nonRetryable", [key]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const app = ((err as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure;
    expect(app.type).toBe("ValidationError");
    expect(activities.calls.get(key)).toBe(1);
  });

  it("a workflow failing with a business error", async () => {
    const err = await run("uncaughtFailure", []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe("BusinessError");
  });

  it("child workflow", async () => {
    const workflowId = uniqueId("parent");
    expect(await run<number>("parent", [20], { workflowId })).toBe(41);
    track(`${workflowId}-child`);
  });

  it("parent close policy terminates the child", async () => {
    const workflowId = uniqueId("parentlong");
    const h = await env.client.workflow.start("parentWithLongChild", { taskQueue: TQ, workflowId });
    track(workflowId);
    const child = env.client.workflow.getHandle(`${workflowId}-child`);
    await waitFor(async () => (await child.describe().catch(() => undefined))?.status.name === "RUNNING");
    await h.terminate("test");
    await waitFor(async () => (await child.describe()).status.name === "TERMINATED");
    track(`${workflowId}-child`);
  });

  it("continue-as-new", async () => {
    const workflowId = uniqueId("counter");
    const h = await env.client.workflow.start("counter", { taskQueue: TQ, workflowId, args: [0] });
    expect(await h.result()).toBe(3);
    track(workflowId, h.firstExecutionRunId);
    track(workflowId);
  });

  it("cancel", async () => {
    const workflowId = uniqueId("cancel");
    const h = await env.client.workflow.start("sleeper", { taskQueue: TQ, workflowId, args: [60_000] });
    track(workflowId);
    expect(await h.query<string>("state")).toBe("sleeping");
    await h.cancel();
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await h.describe()).status.name).toBe("CANCELLED");
  });

  it("terminate", async () => {
    const workflowId = uniqueId("terminate");
    const h = await env.client.workflow.start("sleeper", { taskQueue: TQ, workflowId, args: [60_000] });
    track(workflowId);
    await h.terminate("enough");
    const err = await h.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
    expect((await h.describe()).status.name).toBe("TERMINATED");
  });

  it("signal-with-start starts then signals", async () => {
    const workflowId = uniqueId("sws");
    const h = await env.client.workflow.signalWithStart("signalCondition", { taskQueue: TQ, workflowId, signal: "approve", signalArgs: ["sws"] });
    track(workflowId);
    expect(await h.result()).toBe("approved by sws");
    const id2 = uniqueId("sws2");
    const h2 = await env.client.workflow.start("signalCondition", { taskQueue: TQ, workflowId: id2 });
    track(id2);
    const h3 = await env.client.workflow.signalWithStart("signalCondition", { taskQueue: TQ, workflowId: id2, signal: "approve", signalArgs: ["second"] });
    expect(h3.signaledRunId).toBe(h2.firstExecutionRunId);
    expect(await h2.result()).toBe("approved by second");
  });

  it("duplicate start is rejected while running", async () => {
    const workflowId = uniqueId("dup");
    const h = await env.client.workflow.start("sleeper", { taskQueue: TQ, workflowId, args: [60_000] });
    track(workflowId);
    await expect(env.client.workflow.start("sleeper", { taskQueue: TQ, workflowId, args: [1] })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    await h.terminate();
  });

  it("heartbeat timeout retries and resumes from heartbeat details", async () => {
    const key = uniqueId("hb");
    expect(await run<string>("heartbeatResume", [key])).toBe("resumed from p1 on attempt 2");
  }, 30_000);

  it("heartbeat timeout surfaces as a TimeoutFailure when not retried", async () => {
    const key = uniqueId("hbto");
    const r = await run<string>("heartbeatTimeout", [key]);
    expect(r).toBe(`failed: ${TimeoutFailure.name} HEARTBEAT`);
  }, 30_000);

  it("schedule-to-start and schedule-to-close timeouts", async () => {
    expect(await run<string[]>("activityTimeouts", [uniqueId("timeouts")])).toEqual(["SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE"]);
  }, 30_000);

  it("workflow retry policy starts a new run after a failure", async () => {
    const workflowId = uniqueId("wfretry");
    const h = await env.client.workflow.start("retryingWorkflow", { taskQueue: TQ, workflowId, retry: { maximumAttempts: 3, initialInterval: "100ms" } });
    expect(await h.result()).toBe("succeeded on attempt 2");
    track(workflowId, h.firstExecutionRunId);
    track(workflowId);
  });

  it("worker restart mid-workflow", async () => {
    const tq = uniqueId("restart-tq");
    const key = uniqueId("restart");
    const w1 = await createTestWorker(env, tq);
    const r1 = w1.run();
    const workflowId = uniqueId("restart-wf");
    const h = await env.client.workflow.start("timerThenActivity", { taskQueue: tq, workflowId, args: [{ key, timerMs: 1500 }] });
    track(workflowId);
    await waitFor(async () => (await h.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes) ?? false);
    w1.shutdown();
    await r1;
    const w2 = await createTestWorker(env, tq);
    const result = await w2.runUntil(h.result());
    expect(result).toBe(`${key}#1`);
  }, 30_000);

  it("not found and bad input map to gRPC statuses", async () => {
    const missing = env.client.workflow.getHandle(uniqueId("missing"));
    await expect(missing.describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(missing.signal("approve", "x")).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const svc = env.connection.workflowService;
    await expect(svc.startWorkflowExecution({ namespace: env.namespace, workflowId: "", workflowType: { name: "x" }, taskQueue: { name: TQ } })).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
    await expect(svc.describeNamespace({ namespace: "nope" })).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    await expect(svc.respondActivityTaskCompleted({ namespace: env.namespace, taskToken: Buffer.from("garbage") })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    await expect(svc.listWorkflowExecutions({ namespace: env.namespace, query: "Bogus = 'x'" })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    if (env.service) {
      await expect(svc.updateWorkflowExecution({ namespace: env.namespace })).rejects.toMatchObject({
        code: GrpcStatus.UNIMPLEMENTED,
        details: expect.stringContaining("UpdateWorkflowExecution"),
      });
    }
    // The service is still healthy.
    expect(await run<string>("oneActivity", ["after errors"])).toBe("Hello, after errors!");
  });

  it("lists executions with a visibility filter", async () => {
    const prefix = uniqueId("list");
    for (let i = 0; i < 3; i++) await run("oneActivity", [String(i)], { workflowId: `${prefix}-${i}` });
    const ids: string[] = [];
    for await (const w of env.client.workflow.list({ query: `WorkflowType = 'oneActivity' AND ExecutionStatus = 'Completed' AND WorkflowId STARTS_WITH '${prefix}'` })) ids.push(w.workflowId);
    expect(ids.sort()).toEqual([`${prefix}-0`, `${prefix}-1`, `${prefix}-2`]);
  });
});

describe("schedules", () => {
  it("a calendar spec fires every second and a cron string is accepted", async () => {
    const scheduleId = uniqueId("every-second");
    const handle = await env.client.schedule.create({
      scheduleId,
      spec: { calendars: [{ second: { start: 0, end: 59, step: 1 }, minute: "*", hour: "*" }] },
      action: { type: "startWorkflow", workflowType: "scheduled", taskQueue: TQ, workflowId: `${scheduleId}-wf` },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    await waitFor(async () => (await handle.describe()).info.recentActions.length >= 2, 10_000);
    await handle.pause("enough");
    const d = await handle.describe();
    expect(d.state.paused).toBe(true);
    for (const a of d.info.recentActions) {
      const wf = env.client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId);
      expect(await wf.result()).toBe(a.action.workflow.workflowId);
      track(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId);
    }
    const cron = await env.client.schedule.create({
      scheduleId: uniqueId("cron"),
      spec: { cronExpressions: ["*/5 * * * *"] },
      action: { type: "startWorkflow", workflowType: "scheduled", taskQueue: TQ },
      state: { paused: true },
    });
    const next = (await cron.describe()).info.nextActionTimes[0];
    expect(next && next.getTime() % 300_000).toBe(0);
    await cron.delete();
    await handle.delete();
  }, 30_000);

  it("backfill starts one workflow per nominal time", async () => {
    const scheduleId = uniqueId("backfill");
    const handle = await env.client.schedule.create({
      scheduleId,
      spec: { calendars: [{ minute: { start: 0, end: 59, step: 1 }, hour: "*" }] },
      action: { type: "startWorkflow", workflowType: "scheduled", taskQueue: TQ, workflowId: `${scheduleId}-wf` },
      state: { paused: true },
    });
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const start = new Date(end.getTime() - 4 * 60_000);
    await handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(4);
    for (const a of d.info.recentActions) {
      const wf = env.client.workflow.getHandle(a.action.workflow.workflowId);
      expect(await wf.result()).toBe(a.action.workflow.workflowId);
      track(a.action.workflow.workflowId);
    }
    await handle.delete();
  });

  it("overlap policy skip and buffer-one", async () => {
    const scheduleId = uniqueId("overlap");
    const handle = await env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: "1h" }] },
      action: { type: "startWorkflow", workflowType: "sleeper", taskQueue: TQ, workflowId: `${scheduleId}-wf`, args: [500] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { paused: true },
    });
    await handle.trigger();
    await handle.trigger();
    let d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(1);
    expect(d.info.numActionsSkippedOverlap).toBe(1);
    await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(1);
    await waitFor(async () => (await handle.describe()).info.numActionsTaken === 2, 10_000);
    await waitFor(async () => (await handle.describe()).info.runningActions.length === 0, 10_000);
    for (const a of (await handle.describe()).info.recentActions) track(a.action.workflow.workflowId);
    await handle.delete();
  }, 30_000);
});

describe("replay guard", () => {
  it("every history produced above replays", async () => {
    await assertReplayable(env, produced);
  }, 120_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}

