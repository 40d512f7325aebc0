import type { Command } from "commander";

// `tandem translate`: the options here; the work in cli/actions/translate.ts, loaded only when the command runs.

export type TranslateOptions = { file: string; job?: string; bizdate?: string; json?: boolean };

export function registerTranslate(program: Command): void {
  program
    .command("translate")
    .description("Translate a job's SQL into its stream, batch, hybrid and local scripts, with lineage")
    .requiredOption("-f, --file <path>", "project file (YAML or JSON)")
    .option("--job <name>", "job to translate (optional when the file has one job)")
    .option("--bizdate <date>", "business date YYYY-MM-DD (default: yesterday, UTC)")
    .option("--json", "print { stream, batch, hybrid, local, lineage, errors, warnings } as JSON")
    .action(async (opts: TranslateOptions) => {
      (await import("../actions/translate")).translateCommand(opts);
    });
}
