import { authorizeApply } from "../../server/auth/apply-policy";
import { applyProjectFile, formatPlan } from "../../server/project-file/apply";
import { readProjectFile } from "../../server/project-file/load";
import { environmentVariable } from "../../server/env";
import { ValidationError } from "../../server/errors";
import { openCliDatabase, withCliContext } from "../database";
import type { ApplyOptions } from "../commands/apply";

/** `tandem apply -f <file>`: make the catalog match the project file (or print the plan with --dry-run), in one transaction. */
export async function applyCommand(opts: ApplyOptions): Promise<void> {
  // The database starts opening while the file is checked (the embedded one takes half a second to boot).
  const opening = openCliDatabase("apply");
  let loaded;
  try {
    loaded = readProjectFile(opts.file);
  } catch (e) {
    await opening.then((h) => h.close(), () => undefined);
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
  }, opening);
}
