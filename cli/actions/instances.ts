import { authorize } from "../../server/auth/authorize";
import type { Action } from "../../server/auth/policy";
import type { ProjectContext } from "../../server/context";
import {
  backfillStatus, cancelBackfill, cancelDay, instanceEventLog, listInstances, listPartitions, markReady, parseInstanceState, rerunDay, getInstance, startBackfill,
  type BatchInstance,
} from "../../server/runs/index";
import { Bizdate } from "../../server/scheduling/index";
import { cliProject, withCliContext } from "../database";
import { withOrchestrator } from "../orchestrator";
import type { BackfillOptions, DayOptions, InstancesOptions, MarkReadyOptions, PartitionsOptions } from "../commands/instances";
import type { BackfillStatus } from "../../server/orchestration";

// The scheduler's commands as thin callers of server/runs, under the same policy as the API (catalog.read to
// look, job.rerun to act), reaching Temporal when `tandem dev` (or TEMPORAL_ADDRESS) provides it.

async function inProject<T>(command: string, name: string | undefined, action: Action, fn: (ctx: ProjectContext) => Promise<T>): Promise<T> {
  return withCliContext(command, async (base) => {
    const project = await cliProject(base.db, name);
    await authorize(base.db, base.actor, action, project);
    return fn({ db: base.db, actor: base.actor, project });
  });
}

const day = (i: BatchInstance) => Bizdate.parse(i.bizdate).format("yyyy-MM-dd");

function line(i: BatchInstance): string {
  const took = i.startedAt && i.endedAt ? ` ${Math.round((i.endedAt.getTime() - i.startedAt.getTime()) / 100) / 10}s` : "";
  const what = i.state === "waiting" ? ` for ${i.waitingFor.map((k) => `${k.table}/${k.partition}`).join(", ")}` : i.error ? ` - ${i.error}` : i.metrics ? ` ${i.metrics.rowsOut} rows out` : "";
  return `${day(i)}  ${i.job.padEnd(24)} ${i.state.padEnd(9)} v${i.deploymentVersion} attempt ${i.attempt}${took}${what}`;
}

export async function listInstancesCommand(opts: InstancesOptions): Promise<void> {
  await inProject("instances", opts.project, "catalog.read", async (ctx) => {
    const rows = await listInstances(ctx, {
      job: opts.job, from: opts.from ? Bizdate.parse(opts.from) : undefined, to: opts.to ? Bizdate.parse(opts.to) : undefined,
      states: opts.state?.map(parseInstanceState),
    });
    if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    process.stdout.write(rows.length === 0 ? "No instances (deploy a job, then `tandem rerun --job <name> --bizdate <day>`).\n" : `${rows.map(line).join("\n")}\n`);
  });
}

export async function logsCommand(opts: DayOptions): Promise<void> {
  await inProject("logs", opts.project, "catalog.read", async (ctx) => {
    const ref = { job: opts.job, bizdate: Bizdate.parse(opts.bizdate) };
    const [instance, events] = [await getInstance(ctx, ref), await instanceEventLog(ctx, ref)];
    if (opts.json) return void process.stdout.write(`${JSON.stringify({ instance, events }, null, 2)}\n`);
    process.stdout.write(`${line(instance)}\n${events.map((e) => `  ${e.at.toISOString()}  #${e.attempt} ${e.kind.padEnd(9)} ${e.actor}: ${e.message}`).join("\n")}\n`);
  });
}

export async function rerunCommand(opts: DayOptions): Promise<void> {
  await withOrchestrator((o) => inProject("rerun", opts.project, "job.rerun", async (ctx) => {
    const version = opts.version === undefined ? undefined : Number(opts.version);
    if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new Error(`--version must be a version number such as 3, got '${opts.version ?? ""}'`);
    const r = await rerunDay(ctx, o, { job: opts.job, bizdate: Bizdate.parse(opts.bizdate), version, reason: opts.reason });
    process.stdout.write(`${line(r.instance)}\n`);
    if (!r.orchestrated) process.stderr.write("No Temporal is running for this data folder (start `tandem dev`, or set TEMPORAL_ADDRESS): the day runs when a worker picks it up.\n");
  }));
}

export async function cancelCommand(opts: DayOptions): Promise<void> {
  await withOrchestrator((o) => inProject("cancel", opts.project, "job.rerun", async (ctx) => {
    const r = await cancelDay(ctx, o, { job: opts.job, bizdate: Bizdate.parse(opts.bizdate), reason: opts.reason });
    process.stdout.write(r.orchestrated ? `Cancelling ${opts.job} ${day(r.instance)} (its workflow stops the run).\n` : `${line(r.instance)}\n`);
  }));
}

export async function partitionsCommand(opts: PartitionsOptions): Promise<void> {
  await inProject("partitions", opts.project, "catalog.read", async (ctx) => {
    const rows = await listPartitions(ctx, opts.table);
    if (opts.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    process.stdout.write(rows.length === 0 ? `No ready partitions of ${opts.table}.\n` : `${rows.map((p) => `${Bizdate.parse(p.partition).format("yyyy-MM-dd")}  ${String(p.rows ?? "-").padStart(10)} rows  ${p.readyAt.toISOString()}  by ${p.markedBy}`).join("\n")}\n`);
  });
}

export async function markReadyCommand(opts: MarkReadyOptions): Promise<void> {
  await withOrchestrator((o) => inProject("mark-ready", opts.project, "job.rerun", async (ctx) => {
    const rows = opts.rows === undefined ? undefined : Number(opts.rows);
    const r = await markReady(ctx, o, { table: opts.table, partition: Bizdate.parse(opts.partition).toString() }, rows);
    process.stdout.write(`${opts.table} ${Bizdate.parse(opts.partition).format("yyyy-MM-dd")} is ready${r.released.length ? `; released ${r.released.join(", ")}` : ""}.\n`);
  }));
}

function bar(s: BackfillStatus): string {
  const width = 30;
  const filled = s.total === 0 ? width : Math.round((s.done / s.total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${s.done}/${s.total} days, ${s.succeeded} succeeded, ${s.failed} failed${s.busy ? `, ${s.busy} already running` : ""}${s.running.length ? `; now ${s.running.join(", ")}` : ""}`;
}

/** Starts (or follows) a backfill and shows its progress until it ends; Ctrl-C leaves it running. */
export async function backfillCommand(opts: BackfillOptions): Promise<void> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new Error(`--concurrency must be 1 to 16, got '${opts.concurrency}'`);
  const range = { job: opts.job, from: Bizdate.parse(opts.from), to: Bizdate.parse(opts.to) };
  await withOrchestrator((o) => inProject("backfill", opts.project, "job.backfill", async (ctx) => {
    if (opts.cancel) {
      await cancelBackfill(ctx, o, range);
      return void process.stdout.write(`Cancelling the backfill of ${opts.job} ${range.from.format("yyyy-MM-dd")}..${range.to.format("yyyy-MM-dd")}.\n`);
    }
    const r = await startBackfill(ctx, o, { ...range, downstream: opts.downstream ?? false, concurrency });
    process.stderr.write(r.started ? `Backfill of ${r.days} day(s) started (${r.workflowId}).\n` : `That backfill is already running (${r.workflowId}); following it.\n`);
    const tty = process.stderr.isTTY;
    let status = await backfillStatus(ctx, o, range);
    while (!opts.detach && !status.finished) {
      process.stderr.write(tty ? `\r${bar(status)}\u001b[K` : `${bar(status)}\n`);
      await new Promise((resolve) => setTimeout(resolve, tty ? 500 : 5000));
      status = await backfillStatus(ctx, o, range);
    }
    process.stderr.write(tty ? `\r${bar(status)}\u001b[K\n` : `${bar(status)}\n`);
    for (const f of status.failures) process.stdout.write(`failed: ${f.job} ${f.bizdate}: ${f.error}\n`);
    if (status.finished && status.failed > 0) process.exitCode = 1;
  }));
}
