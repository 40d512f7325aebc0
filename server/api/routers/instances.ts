import { z } from "zod";
import { Name } from "../../catalog/schemas";
import {
  backfillStatus, cancelBackfill, cancelDay, getInstance, instanceEventLog, instanceUpstream, INSTANCE_STATES, listInstances, listPartitions, markReady, markSuccess,
  previewBackfill, rerunDay, startBackfill,
} from "../../runs/index";
import { Bizdate } from "../../scheduling/index";
import { projectAction, router } from "../trpc";

// Thin: batch instances of deployed jobs, their event logs and the partition registry; reruns, cancels and
// hand-marked partitions go to the orchestrator (ctx.orchestrator) after the database change.

const Day = z.string().max(10).transform((text, c) => {
  try {
    return Bizdate.parse(text);
  } catch (e) {
    c.addIssue({ code: "custom", message: e instanceof Error ? e.message : "not a date" });
    return z.NEVER;
  }
});
const Ref = z.object({ job: Name, bizdate: Day });
const Range = z.object({ job: Name, from: Day, to: Day });

export const instancesRouter = router({
  list: projectAction("catalog.read")
    .input(z.object({ job: Name.optional(), from: Day.optional(), to: Day.optional(), states: z.array(z.enum(INSTANCE_STATES)).max(7).optional(), limit: z.number().int().min(1).max(5000).optional() }))
    .query(({ ctx, input }) => listInstances(ctx, input)),
  get: projectAction("catalog.read").input(Ref).query(async ({ ctx, input }) => ({
    instance: await getInstance(ctx, input),
    events: await instanceEventLog(ctx, input),
  })),
  // The upstream partitions the day reads (of its instance's version, else the production one), each with its readiness.
  upstream: projectAction("catalog.read").input(Ref.extend({ version: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => instanceUpstream(ctx, input)),
  markSuccess: projectAction("job.rerun").input(Ref.extend({ reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => markSuccess(ctx, ctx.orchestrator, input)),
  // The day again with every job downstream of it (in dependency order): a one-day backfill with downstream.
  rerunDownstream: projectAction("job.backfill").input(Ref.extend({ concurrency: z.number().int().min(1).max(16).default(2) }))
    .mutation(({ ctx, input }) => startBackfill(ctx, ctx.orchestrator, { job: input.job, from: input.bizdate, to: input.bizdate, downstream: true, concurrency: input.concurrency })),
  backfillPreview: projectAction("catalog.read").input(Range.extend({ downstream: z.boolean().default(false) }))
    .query(({ ctx, input }) => previewBackfill(ctx, input)),
  partitions: projectAction("catalog.read").input(z.object({ table: Name, limit: z.number().int().min(1).max(1000).optional() }))
    .query(({ ctx, input }) => listPartitions(ctx, input.table, input.limit)),
  rerun: projectAction("job.rerun").input(Ref.extend({ version: z.number().int().positive().optional(), reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => rerunDay(ctx, ctx.orchestrator, input)),
  cancel: projectAction("job.rerun").input(Ref.extend({ reason: z.string().max(500).optional() }))
    .mutation(({ ctx, input }) => cancelDay(ctx, ctx.orchestrator, input)),
  markReady: projectAction("job.rerun").input(z.object({ table: Name, partition: Day, rows: z.number().int().min(0).optional() }))
    .mutation(({ ctx, input }) => markReady(ctx, ctx.orchestrator, { table: input.table, partition: input.partition.toString() }, input.rows)),
  backfill: projectAction("job.backfill").input(Range.extend({ downstream: z.boolean().default(false), concurrency: z.number().int().min(1).max(16).default(2) }))
    .mutation(({ ctx, input }) => startBackfill(ctx, ctx.orchestrator, input)),
  backfillStatus: projectAction("catalog.read").input(Range).query(({ ctx, input }) => backfillStatus(ctx, ctx.orchestrator, input)),
  cancelBackfill: projectAction("job.backfill").input(Range).mutation(({ ctx, input }) => cancelBackfill(ctx, ctx.orchestrator, input)),
});
