// Acceptance script: only @temporalio/client and @temporalio/worker, no Tandem imports.
// Usage: tsx workflows/test/standalone/run.ts <host:port>
import { fileURLToPath } from "node:url";
import { Client, Connection } from "@temporalio/client";
import { NativeConnection, Worker } from "@temporalio/worker";
import * as activities from "./activities";

const address = process.argv[2] ?? "localhost:7233";
const taskQueue = `standalone-${Date.now()}`;

const connection = await Connection.connect({ address });
const client = new Client({ connection });
const worker = await Worker.create({
  connection: await NativeConnection.connect({ address }),
  taskQueue,
  workflowsPath: fileURLToPath(new URL("./workflows.ts", import.meta.url)),
  activities,
});

const result = await worker.runUntil(async () => {
  const handle = await client.workflow.start("greeter", { taskQueue, workflowId: `greeter-${Date.now()}`, args: ["world"] });
  await handle.signal("go", "hello");
  const greeting = await handle.result();

  const schedule = await client.schedule.create({
    scheduleId: `tick-${Date.now()}`,
    spec: { cronExpressions: ["* * * * * *"] },
    action: { type: "startWorkflow", workflowType: "tick", taskQueue },
  });
  let ticks = 0;
  for (let i = 0; i < 100 && ticks < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ticks = (await schedule.describe()).info.recentActions.length;
  }
  const first = (await schedule.describe()).info.recentActions[0];
  const tickResult = first ? await client.workflow.getHandle(first.action.workflow.workflowId).result() : "none";
  await schedule.delete();
  return { greeting, ticks, tickResult };
});

console.log(JSON.stringify(result));
await connection.close();
