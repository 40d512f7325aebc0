import type { Command } from "commander";

// `tandem run --job <name> --side batch|stream [--bizdate D] [-f file]`: one side of a job on the local
// engine (cli/actions/run.ts, loaded only when the command runs).

export interface RunOptions {
  job: string;
  side: string;
  bizdate?: string;
  file?: string;
  project?: string;
  reset?: boolean;
  untilIdle?: boolean;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("Run the stream or batch side of a job on the local DuckDB engine")
    .requiredOption("--job <name>", "job name")
    .requiredOption("--side <side>", "batch | stream")
    .option("--bizdate <date>", "YYYY-MM-DD: the partition of a batch run (default: yesterday, UTC); the ${bizdate} of a stream run (default: today)")
    .option("-f, --file <path>", "project file (default: the catalog in the database)")
    .option("--project <name>", "project in the catalog (default: the only one, or double11)")
    .option("--reset", "stream: forget the job's offsets and state and start over")
    .option("--until-idle", "stream: stop once the input is drained instead of tailing it")
    .option("--json", "print the final status as JSON")
    .action(async (opts: RunOptions) => {
      await (await import("../actions/run")).runJob(opts);
    });
}
