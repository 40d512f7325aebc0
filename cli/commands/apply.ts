import type { Command } from "commander";
import { authorizeApply } from "../../server/auth/apply-policy";
import { applyProjectFile, formatPlan } from "../../server/project-file/apply";
import { readProjectFile } from "../../server/project-file/load";
import { environmentVariable } from "../../server/env";
import { ValidationError } from "../../server/errors";
import { withCliContext } from "../database";

export function registerApply(program: Command): void {
  program
    .command("apply")
    .description("Make the catalog match a project file (connections, tables, meta-tables, jobs)")
    .requiredOption("-f, --file <path>", "project file (YAML or JSON)")
    .option("--dry-run", "print the changes without writing them")
    .option("--prune", "delete catalog objects of the project that the file does not declare")
    .option("--json", "print the plan as JSON")
    .action(async (opts: { file: string; dryRun?: boolean; prune?: boolean; json?: boolean }) => {
      let loaded;
      try {
        loaded = readProjectFile(opts.file);
      } catch (e) {
        if (e instanceof ValidationError) {
          process.stderr.write(`${opts.file} is invalid; nothing was written.\n${e.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
      const started = Date.now();
      await withCliContext("apply", async (ctx) => {
        try {
          const plan = await applyProjectFile(ctx.db, loaded.file, {
            dryRun: opts.dryRun,
            prune: opts.prune,
            secretBox: ctx.secretBox,
            readEnv: environmentVariable,
            actor: ctx.actor,
            authorize: authorizeApply(ctx.actor, opts.dryRun ?? false),
          });
          if (opts.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
          else process.stdout.write(`${formatPlan(plan, opts.dryRun ?? false)}\n(${Date.now() - started} ms)\n`);
        } catch (e) {
          if (e instanceof ValidationError) {
            process.stderr.write(`${opts.file} cannot be applied; nothing was written.\n${e.message}\n`);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
      });
    });
}
