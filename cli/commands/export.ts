import fs from "node:fs";
import type { Command } from "commander";
import { exportProjectFile, projectFileToYaml } from "../../server/project-file/export";
import { authorize } from "../../server/auth/authorize";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("Write a project's catalog as a project file (secrets as references, never values)")
    .requiredOption("-p, --project <name>", "project to export")
    .option("-o, --output <path>", "write to a file instead of standard output")
    .action(async (opts: { project: string; output?: string }) => {
      await withCliContext("export", async (ctx) => {
        const project = await getProject(ctx.db, opts.project);
        await authorize(ctx.db, ctx.actor, "catalog.read", project);
        const yaml = projectFileToYaml(await exportProjectFile(ctx.db, project));
        if (opts.output) fs.writeFileSync(opts.output, yaml);
        else process.stdout.write(yaml);
      });
    });
}
