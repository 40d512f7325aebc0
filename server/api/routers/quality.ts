import { z } from "zod";
import { Name } from "../../catalog/schemas";
import { dataDir } from "../../env";
import { jdbcResolver } from "../../engines/local/sinks";
import { checkPartition, deleteRule, listPartitionQuality, listQualityResults, listRules, producerJob, reconcile, upsertRule, type QualityDeps } from "../../quality/index";
import { recordAudit } from "../../audit/audit";
import { Bizdate } from "../../scheduling/index";
import { projectAction, router } from "../trpc";

// Thin: a table's quality rules (stored in its spec, like the project file's `quality:`), their results
// per table and partition, and checks run by hand (a partition, a day's reconciliation).

const Day = z.string().max(10).transform((text, c) => {
  try {
    return Bizdate.parse(text);
  } catch (e) {
    c.addIssue({ code: "custom", message: e instanceof Error ? e.message : "not a date" });
    return z.NEVER;
  }
});

/** Checks by hand read the local engine's files and jdbc tables (not the embedded database). */
async function withDeps<T>(fn: (deps: QualityDeps) => Promise<T>): Promise<T> {
  const resolver = jdbcResolver();
  try {
    return await fn({ dataDir: dataDir(), jdbc: (t) => resolver.jdbc(t) });
  } finally {
    await resolver.closeAll();
  }
}

export const qualityRouter = router({
  rules: projectAction("catalog.read").input(z.object({ table: Name })).query(({ ctx, input }) => listRules(ctx, input.table)),
  upsertRule: projectAction("quality.manage").input(z.object({ table: Name, rule: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) => upsertRule(ctx, input.table, input.rule)),
  deleteRule: projectAction("quality.manage").input(z.object({ table: Name, name: Name }))
    .mutation(({ ctx, input }) => deleteRule(ctx, input.table, input.name)),
  results: projectAction("catalog.read")
    .input(z.object({ table: Name.optional(), partition: Day.optional(), job: Name.optional(), failed: z.boolean().optional(), limit: z.number().int().min(1).max(1000).optional() }))
    .query(({ ctx, input }) => listQualityResults(ctx, { ...input, partition: input.partition?.toString() })),
  check: projectAction("quality.manage").input(z.object({ table: Name, bizdate: Day })).mutation(async ({ ctx, input }) => {
    await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "quality.check", entity: "physicalTable", name: input.table, details: { partition: input.bizdate.toString() } });
    // Attributed to the job producing the partition, so a failure reaches its alerts and health score.
    const producer = await producerJob(ctx, input.table, input.bizdate.toString());
    return withDeps((deps) => checkPartition(ctx, deps, { table: input.table, bizdate: input.bizdate, job: producer?.job }));
  }),
  partitions: projectAction("catalog.read").input(z.object({ table: Name, limit: z.number().int().min(1).max(500).optional() }))
    .query(({ ctx, input }) => listPartitionQuality(ctx, input.table, input.limit)),
  reconcile: projectAction("quality.manage").input(z.object({ table: Name, bizdate: Day })).mutation(async ({ ctx, input }) => {
    await recordAudit(ctx.db, ctx.actor, ctx.project, { action: "quality.reconcile", entity: "physicalTable", name: input.table, details: { partition: input.bizdate.toString() } });
    const producer = await producerJob(ctx, input.table, input.bizdate.toString());
    return withDeps((deps) => reconcile(ctx, deps, { table: input.table, bizdate: input.bizdate, job: producer?.job }));
  }),
});
