import { snapshotFromProjectFile } from "../../server/project-file/load";
import { formatIssues } from "../../server/errors";
import { validateJob } from "../../server/sql/validate";
import { loadOrExit } from "./translate";
import type { ValidateOptions } from "../commands/validate";

// `tandem validate -f <project file> [--job <name>] [--json]`: the catalog rules (done by loading the
// file) and every job's SQL against the catalog, with line and column.

/** `tandem validate`: the catalog rules and each job's SQL; exit 1 on any problem. */
export function validateCommand(opts: ValidateOptions): void {
  const file = loadOrExit(opts.file);
  if (!file) return;
  const catalog = snapshotFromProjectFile(file);
  const jobs = opts.job ? file.jobs.filter((j) => j.name === opts.job) : file.jobs;
  if (opts.job && jobs.length === 0) {
    process.stderr.write(`job '${opts.job}' is not in the project file; jobs: ${file.jobs.map((j) => j.name).join(", ")}\n`);
    process.exitCode = 1;
    return;
  }
  const results = jobs.map((j) => ({ name: j.name, ...validateJob(catalog, j) }));
  const ok = results.every((r) => r.ok);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok, jobs: Object.fromEntries(results.map((r) => [r.name, r.issues])) }, null, 2)}\n`);
  } else {
    for (const r of results) {
      const lines = r.issues.map((i) => formatIssues([i]));
      process.stdout.write(r.ok ? `job ${r.name}: ok\n` : `job ${r.name}: ${r.issues.length} problem${r.issues.length > 1 ? "s" : ""}\n  ${lines.join("\n  ")}\n`);
    }
    if (ok) process.stdout.write(`${opts.file}: ${jobs.length} job${jobs.length === 1 ? "" : "s"} valid\n`);
  }
  if (!ok) process.exitCode = 1;
}
