import type { Command } from "commander";

// The scheduler's day-to-day commands: list instances and partitions, read an instance's log, rerun or
// cancel a day, mark a partition ready. The options here; the work in cli/actions/instances.ts.

export interface InstancesOptions { project?: string; job?: string; from?: string; to?: string; state?: string[]; json?: boolean }
export interface DayOptions { project?: string; job: string; bizdate: string; reason?: string; version?: string; json?: boolean }
export interface PartitionsOptions { project?: string; table: string; json?: boolean }
export interface MarkReadyOptions { project?: string; table: string; partition: string; rows?: string }
export interface BackfillOptions { project?: string; job: string; from: string; to: string; downstream?: boolean; concurrency: string; detach?: boolean; cancel?: boolean }

const project = "project (default: the only one, or double11)";

export function registerInstances(program: Command): void {
  program
    .command("instances")
    .description("List batch instances of deployed jobs, newest day first")
    .option("-p, --project <name>", project)
    .option("--job <name>", "only this job")
    .option("--from <date>", "first bizdate (YYYY-MM-DD or YYYYMMDD)")
    .option("--to <date>", "last bizdate")
    .option("--state <state...>", "only these states: waiting queued running succeeded failed skipped cancelled")
    .option("--json", "print JSON")
    .action(async (opts: InstancesOptions) => {
      await (await import("../actions/instances")).listInstancesCommand(opts);
    });

  program
    .command("logs")
    .description("An instance's history: who or what changed it, when and why, with each attempt's metrics")
    .option("-p, --project <name>", project)
    .requiredOption("--job <name>", "the job")
    .requiredOption("--bizdate <date>", "the day")
    .option("--json", "print JSON")
    .action(async (opts: DayOptions) => {
      await (await import("../actions/instances")).logsCommand(opts);
    });

  program
    .command("rerun")
    .description("Run a deployed job's day (again): a new attempt that replaces the day's output partition")
    .option("-p, --project <name>", project)
    .requiredOption("--job <name>", "the job")
    .requiredOption("--bizdate <date>", "the day")
    .option("--version <n>", "deployment version to run (default: the newest)")
    .option("--reason <text>", "why, for the log and the audit trail")
    .action(async (opts: DayOptions) => {
      await (await import("../actions/instances")).rerunCommand(opts);
    });

  program
    .command("cancel")
    .description("Cancel a job's day that is waiting, queued or running")
    .option("-p, --project <name>", project)
    .requiredOption("--job <name>", "the job")
    .requiredOption("--bizdate <date>", "the day")
    .option("--reason <text>", "why, for the log and the audit trail")
    .action(async (opts: DayOptions) => {
      await (await import("../actions/instances")).cancelCommand(opts);
    });

  program
    .command("partitions")
    .description("A table's ready partitions (the partition registry), newest first")
    .option("-p, --project <name>", project)
    .requiredOption("--table <name>", "physical table")
    .option("--json", "print JSON")
    .action(async (opts: PartitionsOptions) => {
      await (await import("../actions/instances")).partitionsCommand(opts);
    });

  program
    .command("mark-ready")
    .description("Mark a table's daily partition ready by hand (loaded by another system); waiting instances start")
    .option("-p, --project <name>", project)
    .requiredOption("--table <name>", "physical table")
    .requiredOption("--partition <date>", "the day (YYYY-MM-DD or YYYYMMDD)")
    .option("--rows <n>", "row count, for the record")
    .action(async (opts: MarkReadyOptions) => {
      await (await import("../actions/instances")).markReadyCommand(opts);
    });

  program
    .command("backfill")
    .description("Run a deployed job's days over a range (with --downstream, the jobs that read its output too), a few at a time")
    .option("-p, --project <name>", project)
    .requiredOption("--job <name>", "the job")
    .requiredOption("--from <date>", "first day (YYYY-MM-DD or YYYYMMDD)")
    .requiredOption("--to <date>", "last day, included")
    .option("--downstream", "also run the deployed jobs downstream of it, each day after its upstream")
    .option("--concurrency <n>", "days at a time (1-16)", "2")
    .option("--detach", "start it and return (see its progress with the same command and --detach again, or in the workbench)")
    .option("--cancel", "cancel this backfill (the days in flight are cancelled)")
    .action(async (opts: BackfillOptions) => {
      await (await import("../actions/instances")).backfillCommand(opts);
    });
}
