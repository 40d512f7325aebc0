import { afterAll, beforeAll, expect, it } from "vitest";
import { assertReplayable, startTestEnv, uniqueId, withWorker, type TestEnv } from "./helpers";

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

it("runs an activity and a timer", async () => {
  const tq = uniqueId("tq");
  const wid = uniqueId("wf");
  const r = await withWorker(env, tq, async () => {
    const h = await env.client.workflow.start("activityAndTimer", { taskQueue: tq, workflowId: wid, args: ["Tandem"] });
    return h.result();
  });
  expect(r).toBe("Hello, Tandem!");
  await assertReplayable(env, [{ workflowId: wid }]);
}, 60_000);
