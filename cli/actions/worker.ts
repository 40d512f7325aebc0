import { dataDir } from "../../server/env";
import { resolveTemporalTarget, TemporalNotConfiguredError } from "../../workflows/client";
import { startWorker } from "../../workflows/worker";
import type { WorkerOptions } from "../commands/worker";

// `tandem worker`: Tandem's Temporal worker against TEMPORAL_ADDRESS, or the embedded dev service that
// `tandem dev` / `tandem temporal-dev` runs for this data folder.

/** `tandem worker`: a Temporal worker for Tandem's workflows until SIGINT/SIGTERM. */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const target = resolveTemporalTarget();
  if (!target) throw new TemporalNotConfiguredError(dataDir());
  const running = await startWorker({ target, taskQueue: opts.taskQueue });
  process.stdout.write(`[worker] polling task queue "${running.taskQueue}" on ${target.address} (namespace "${target.namespace}")\n`);
  const shutdown = () => void running.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  await running.done;
}
