import { z } from "zod";
import { manualDependencyTarget, Name, type CatalogSnapshot, type JobSpecParsed } from "../catalog/schemas";
import type { Issue } from "../errors";
import { dailyBatchTable, isDailyBatchTable } from "../runs/io";
import type { ManualEdge } from "../scheduling/index";

// A job's manual dependencies (`batch.dependsOn`), resolved when a version is deployed: each becomes the
// daily batch tables its day D waits for at D + offsetDays, and the meta-tables or job that make it an
// edge of the dependency graph. Frozen into the version like its catalog slice: a later change to the
// upstream job or the catalog never changes what a deployed version waits for.

export const FrozenDependency = z.object({
  /** As declared, for messages: the job or the table it names. */
  job: Name.optional(),
  table: Name.optional(),
  offsetDays: z.number().int().max(0),
  /** Meta-tables behind the partitions (a table dependency: its edges in the dependency graph). */
  metaTables: z.array(Name),
  /** Physical daily batch tables whose partition D + offsetDays day D waits for. */
  partitionTables: z.array(Name).min(1),
});
export type FrozenDependency = z.output<typeof FrozenDependency>;

export function parseFrozenDependencies(stored: unknown): FrozenDependency[] {
  return z.array(FrozenDependency).parse(stored);
}

/** What the resolver needs of another deployed job: the meta-tables its newest version writes. */
export type DeployedSinks = (job: string) => readonly string[] | undefined;

export type ResolvedDependencies = { ok: true; dependencies: FrozenDependency[] } | { ok: false; issues: Issue[] };

function dailyTables(catalog: CatalogSnapshot, metaTables: readonly string[]): string[] {
  return [...new Set(metaTables.flatMap((m) => dailyBatchTable(catalog, m) ?? []))].sort();
}

/** Meta-tables bound to a physical table (on their batch side or as their single source). */
function metaTablesOver(catalog: CatalogSnapshot, physical: string): string[] {
  return [...catalog.metaTables.values()].filter((m) => (m.batch ?? m.source)?.table === physical).map((m) => m.name).sort();
}

/**
 * Resolves `job`'s dependsOn against the catalog and the deployed jobs (`ownSinks`: what this version
 * writes, for a dependency of the job on its own earlier day). Problems name the entry's path.
 */
export function resolveManualDependencies(catalog: CatalogSnapshot, job: JobSpecParsed, ownSinks: readonly string[], deployedSinks: DeployedSinks): ResolvedDependencies {
  const issues: Issue[] = [];
  const dependencies: FrozenDependency[] = [];
  job.batch.dependsOn.forEach((declared, i) => {
    const path = `jobs.${job.name}.batch.dependsOn.${i}`;
    const dep = manualDependencyTarget(declared);
    if ("job" in dep) {
      if (dep.job === job.name && dep.offsetDays === 0) {
        issues.push({ path, message: `job '${job.name}' cannot depend on itself on the same day (offsetDays: -1 waits for its previous day)` });
        return;
      }
      const sinks = dep.job === job.name ? ownSinks : deployedSinks(dep.job);
      if (!sinks) {
        issues.push({ path, message: `job '${job.name}' depends on job '${dep.job}', which was never deployed: deploy it first` });
        return;
      }
      const metaTables = sinks.filter((m) => dailyBatchTable(catalog, m) !== undefined);
      const partitionTables = dailyTables(catalog, metaTables);
      if (partitionTables.length === 0) {
        issues.push({ path, message: `job '${job.name}' depends on job '${dep.job}', which writes no daily-partitioned batch table to wait for` });
        return;
      }
      dependencies.push({ job: dep.job, offsetDays: dep.offsetDays, metaTables: [...metaTables].sort(), partitionTables });
      return;
    }
    const isMeta = catalog.metaTables.has(dep.table);
    const physical = catalog.physicalTables.get(dep.table);
    if (!isMeta && !physical) {
      issues.push({ path, message: `job '${job.name}' depends on unknown table '${dep.table}' (neither a meta-table nor a physical table)` });
      return;
    }
    const daily = isMeta ? dailyBatchTable(catalog, dep.table) : isDailyBatchTable(physical) ? dep.table : undefined;
    if (!daily) {
      issues.push({ path, message: `job '${job.name}' depends on table '${dep.table}', which is not a batch table partitioned by day` });
      return;
    }
    dependencies.push({ table: dep.table, offsetDays: dep.offsetDays, metaTables: isMeta ? [dep.table] : metaTablesOver(catalog, dep.table), partitionTables: [daily] });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, dependencies };
}

/** The dependency graph's view of frozen dependencies. */
export function manualEdges(dependencies: readonly FrozenDependency[]): ManualEdge[] {
  return dependencies.flatMap((d): ManualEdge[] => d.job !== undefined
    ? [{ job: d.job, offsetDays: d.offsetDays }]
    : d.metaTables.map((table) => ({ table, offsetDays: d.offsetDays })));
}
