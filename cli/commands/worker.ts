import type { Command } from "commander";

// `tandem worker`: the options here; the work in cli/actions/worker.ts, loaded only when the command runs.

export type WorkerOptions = { taskQueue?: string };

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("Run a Temporal worker for Tandem's workflows and activities")
    .option("--task-queue <name>", "task queue (default: TEMPORAL_TASK_QUEUE or 'tandem')")
    .action(async (opts: WorkerOptions) => {
      await (await import("../actions/worker")).runWorker(opts);
    });
}
