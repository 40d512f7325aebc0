import { authorize } from "../../server/auth/authorize";
import { jobHealth, projectHealth, type JobHealth } from "../../server/health/index";
import { cliProject, withCliContext } from "../database";
import { withOrchestrator } from "../orchestrator";
import type { HealthOptions } from "../commands/health";

// Thin caller of server/health under catalog.read, with the stream's state from Temporal when `tandem dev`
// (or TEMPORAL_ADDRESS) provides it.

function print(h: JobHealth): string {
  const lines = [`${h.job}: ${h.score}/100${h.findings.length === 0 ? " (no findings)" : ""}`];
  for (const f of h.findings) lines.push(`  [${f.risk}] ${f.message}`, `         → ${f.action}`);
  for (const u of h.unavailable) lines.push(`  (not checked: ${u})`);
  return lines.join("\n");
}

export async function healthCommand(opts: HealthOptions): Promise<void> {
  await withOrchestrator((o) => withCliContext("health", async (base) => {
    const project = await cliProject(base.db, opts.project);
    await authorize(base.db, base.actor, "catalog.read", project);
    const ctx = { db: base.db, actor: base.actor, project };
    const unavailable = o ? [] : ["stream status: no Temporal is running for this data folder (start `tandem dev`, or set TEMPORAL_ADDRESS)"];
    const result = opts.job ? [await jobHealth(ctx, opts.job, { orchestrator: o })] : await projectHealth(ctx, { orchestrator: o });
    for (const h of result) h.unavailable.push(...unavailable);
    if (opts.json) return void process.stdout.write(`${JSON.stringify(opts.job ? result[0] : result, null, 2)}\n`);
    process.stdout.write(result.length === 0 ? "No deployed jobs.\n" : `${result.map(print).join("\n\n")}\n`);
  }));
}
