import type { Command } from "commander";
import { dataDir } from "../../server/env";
import { resolveTemporalTarget, TemporalNotConfiguredError } from "../../workflows/client";
import { startWorker } from "../../workflows/worker";

// `tandem worker`: Tandem's Temporal worker against TEMPORAL_ADDRESS, or the embedded dev service that
// `tandem dev` / `tandem temporal-dev` runs for this data folder.

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("Run a Temporal worker for Tandem's workflows and activities")
    .option("--task-queue <name>", "task queue (default: TEMPORAL_TASK_QUEUE or 'tandem')")
    .action(async (opts: { taskQueue?: string }) => {
      const target = resolveTemporalTarget();
      if (!target) throw new TemporalNotConfiguredError(dataDir());
      const running = await startWorker({ target, taskQueue: opts.taskQueue });
      process.stdout.write(`[worker] polling task queue "${running.taskQueue}" on ${target.address} (namespace "${target.namespace}")\n`);
      const shutdown = () => void running.stop().then(() => process.exit(0));
      process.on("SIGINT", shutdown);
      process.on("SIGTERM", shutdown);
      await running.done;
    });
}
