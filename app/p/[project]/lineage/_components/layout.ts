import ElkApi from "elkjs/lib/elk-api";
import { elkGraph, positionsOf, type Positions } from "./layout-model";
import { quickLayered } from "./quick-layout";

// Runs ELK in a web worker (one per page, through elkjs's own worker protocol), or on the main thread when
// the worker cannot start or does not answer in time.

type Elk = InstanceType<typeof ElkApi>;
let inWorker: Elk | null | undefined;

function workerElk(): Elk | null {
  if (inWorker !== undefined) return inWorker;
  try {
    inWorker = new ElkApi({ workerFactory: () => new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" }) });
  } catch {
    inWorker = null; // no workers here: the main-thread fallback below
  }
  return inWorker;
}

async function onMainThread(graph: ReturnType<typeof elkGraph>): Promise<Positions> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  return positionsOf(await new ELK().layout(graph));
}

const WORKER_TIMEOUT_MS = 10_000;
/** Above this many nodes the quick layered layout replaces ELK (see quick-layout.ts). */
const QUICK_ABOVE = 150;

export async function layout(nodes: { id: string; width: number; height: number }[], edges: { id: string; from: string; to: string }[]): Promise<{ positions: Positions; ms: number }> {
  const started = performance.now();
  if (nodes.length > QUICK_ABOVE) return { positions: quickLayered(nodes, edges), ms: performance.now() - started };
  const graph = elkGraph({ id: 0, nodes, edges });
  const elk = workerElk();
  if (elk) {
    try {
      const laid = await Promise.race([
        elk.layout(structuredClone(graph)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the layout worker did not answer")), WORKER_TIMEOUT_MS)),
      ]);
      return { positions: positionsOf(laid), ms: performance.now() - started };
    } catch (e) {
      // A worker that failed or hung: lay out here from now on (slower, but the page works).
      console.warn(`lineage layout: ${e instanceof Error ? e.message : String(e)}; using the main thread`);
      inWorker = null;
    }
  }
  return { positions: await onMainThread(graph), ms: performance.now() - started };
}
