import { eq } from "drizzle-orm";
import { temporal } from "@temporalio/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporalBufferedEvents } from "../../db/schema/index";
import { dur, L } from "../devserver/proto";
import { startTestEnv, uniqueId, type TestEnv } from "./helpers";

// Races between a workflow task in flight and a result arriving for something the same task cancels,
// driven through the raw gRPC API as a worker would (so the timing is exact, not left to chance). A timer
// fires, or an activity finishes, while the workflow task that cancels it runs: the fired/finished event is
// buffered, and the history must still hold what the SDK replays without a nondeterminism error (as a real
// Temporal server writes it): the timer cancelled (its fired event dropped); the activity's cancel request
// recorded before its result. The end-to-end demo test met the timer race (a batch instance woken by a
// signal as its sensor timer fired).

const ET = temporal.api.enums.v1.EventType;
const CT = temporal.api.enums.v1.CommandType;
type ICommand = temporal.api.command.v1.ICommand;

let env: TestEnv;
const namespace = () => env.namespace;
const svc = () => env.connection.workflowService;

beforeAll(async () => {
  env = await startTestEnv();
}, 60_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

async function start(taskQueue: string): Promise<{ workflowId: string; runId: string }> {
  const workflowId = uniqueId("buffered");
  const r: temporal.api.workflowservice.v1.IStartWorkflowExecutionResponse = await svc().startWorkflowExecution({
    namespace: namespace(), workflowId, requestId: uniqueId("req"), workflowType: { name: "raw" }, taskQueue: { name: taskQueue },
    workflowTaskTimeout: dur(60_000),
  });
  return { workflowId, runId: r.runId ?? "" };
}

async function pollWorkflowTask(taskQueue: string): Promise<Uint8Array> {
  for (;;) {
    const t = await svc().pollWorkflowTaskQueue({ namespace: namespace(), taskQueue: { name: taskQueue }, identity: "raw-worker" });
    if (t.taskToken && t.taskToken.length > 0) return t.taskToken;
  }
}

async function complete(taskToken: Uint8Array, commands: ICommand[]): Promise<void> {
  await svc().respondWorkflowTaskCompleted({ namespace: namespace(), taskToken, commands, identity: "raw-worker" });
}

async function signal(workflowId: string): Promise<void> {
  await svc().signalWorkflowExecution({ namespace: namespace(), workflowExecution: { workflowId }, signalName: "nudge", identity: "raw-client", requestId: uniqueId("sig") });
}

/** Event types from the last WorkflowTaskCompleted on. */
async function tail(workflowId: string): Promise<string[]> {
  const h = await svc().getWorkflowExecutionHistory({ namespace: namespace(), execution: { workflowId } });
  const events = h.history?.events ?? [];
  let last = 0;
  events.forEach((e, i) => { if (e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) last = i; });
  return events.slice(last).map((e) => ET[e.eventType ?? 0] ?? String(e.eventType));
}

async function bufferedCount(runId: string): Promise<number> {
  if (!env.db) throw new Error("needs the embedded service's database");
  return (await env.db.db.select().from(temporalBufferedEvents).where(eq(temporalBufferedEvents.runId, runId))).length;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const scheduleActivity = (activityId: string, taskQueue: string): ICommand => ({
  commandType: CT.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
  scheduleActivityTaskCommandAttributes: { activityId, activityType: { name: "work" }, taskQueue: { name: taskQueue }, startToCloseTimeout: dur(60_000) },
});

describe.skipIf(process.env.TEMPORAL_ADDRESS)("the embedded service, a result arriving during the task that cancels it", () => {
  it("a timer that fires while the task cancelling it runs is recorded as cancelled, never as fired", async () => {
    const tq = uniqueId("raw-timer");
    const { workflowId, runId } = await start(tq);
    await complete(await pollWorkflowTask(tq), [{ commandType: CT.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: "1", startToFireTimeout: dur(1000) } }]);
    // A signal brings the next task; while it runs, the timer fires (buffered).
    await signal(workflowId);
    const token = await pollWorkflowTask(tq);
    await until("the timer fired into the buffer", async () => (await bufferedCount(runId)) === 1);
    // The workflow saw only the signal: it cancels the timer and goes on (an activity), as the SDK does.
    await complete(token, [{ commandType: CT.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId: "1" } }, scheduleActivity("a1", tq)]);
    expect(await tail(workflowId)).toEqual(["EVENT_TYPE_WORKFLOW_TASK_COMPLETED", "EVENT_TYPE_TIMER_CANCELED", "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"]);
    expect(await bufferedCount(runId)).toBe(0);
  }, 60_000);

  it("an activity that finishes while the task cancelling it runs has the cancel request recorded before its result", async () => {
    const tq = uniqueId("raw-activity");
    const { workflowId, runId } = await start(tq);
    await complete(await pollWorkflowTask(tq), [scheduleActivity("a1", tq)]);
    const activity = await svc().pollActivityTaskQueue({ namespace: namespace(), taskQueue: { name: tq }, identity: "raw-worker" });
    expect(activity.activityId).toBe("a1");
    await signal(workflowId);
    const token = await pollWorkflowTask(tq);
    await svc().respondActivityTaskCompleted({ namespace: namespace(), taskToken: activity.taskToken, identity: "raw-worker" });
    await until("the activity's result is buffered", async () => (await bufferedCount(runId)) > 0);
    await complete(token, [{ commandType: CT.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, requestCancelActivityTaskCommandAttributes: { scheduledEventId: L(5) } }]);
    const events = await tail(workflowId);
    expect(events.slice(0, 4)).toEqual([
      "EVENT_TYPE_WORKFLOW_TASK_COMPLETED", "EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED", "EVENT_TYPE_ACTIVITY_TASK_STARTED", "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
    ]);
  }, 60_000);
});
