import fs from "node:fs";
import { exportProjectFile, projectFileToYaml } from "../../server/project-file/export";
import { authorize } from "../../server/auth/authorize";
import { getProject } from "../../server/projects/projects";
import { withCliContext } from "../database";
import type { ExportOptions } from "../commands/export";

/** `tandem export -p <project>`: the project's catalog as a project file (secrets as references). */
export async function exportCommand(opts: ExportOptions): Promise<void> {
  await withCliContext("export", async (ctx) => {
    const project = await getProject(ctx.db, opts.project);
    await authorize(ctx.db, ctx.actor, "catalog.read", project);
    const yaml = projectFileToYaml(await exportProjectFile(ctx.db, project));
    if (opts.output) fs.writeFileSync(opts.output, yaml);
    else process.stdout.write(yaml);
  });
}
