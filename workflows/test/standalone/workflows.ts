import { condition, defineSignal, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from "@temporalio/workflow";
import type * as activities from "./activities";

// A user's workflow module: knows nothing about Tandem.

const { shout } = proxyActivities<typeof activities>({ startToCloseTimeout: "10s" });

export const go = defineSignal<[string]>("go");

export async function greeter(name: string): Promise<string> {
  let word: string | undefined;
  setHandler(go, (w) => {
    word = w;
  });
  await sleep("200ms");
  await condition(() => word !== undefined);
  const loud = await shout(`${word ?? ""} ${name}`);
  const child = await executeChild(childGreeter, { args: [loud], workflowId: `${workflowInfo().workflowId}-child` });
  return child;
}

export async function childGreeter(text: string): Promise<string> {
  await sleep(50);
  return `${text}!`;
}

export async function tick(): Promise<string> {
  return workflowInfo().workflowId;
}
