import type { Command } from "commander";

// `tandem lineage`: the deployed jobs' lineage around one table. The options here; the work in cli/actions/lineage.ts.

export interface LineageOptions { project?: string; table: string; column?: string; upstream?: boolean; downstream?: boolean; columns?: boolean; depth?: string; json?: boolean }

export function registerLineage(program: Command): void {
  program
    .command("lineage")
    .description("Lineage of a table across the deployed stream and batch jobs: what it feeds (default) or what feeds it")
    .option("-p, --project <name>", "project (default: the only one, or double11)")
    .requiredOption("--table <name>", "a meta-table or a physical table, as the catalog names it")
    .option("--column <name>", "one column of the table (implies --columns)")
    .option("--upstream", "what the table is computed from")
    .option("--downstream", "what is computed from the table (the default)")
    .option("--columns", "column-level lineage")
    .option("--depth <n>", "at most this many hops")
    .option("--json", "print JSON")
    .action(async (opts: LineageOptions) => {
      await (await import("../actions/lineage")).lineageCommand(opts);
    });
}
