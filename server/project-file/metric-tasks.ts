import { ValidationError, type Issue } from "../errors";
import type { CatalogSnapshot, ProjectFileParsed } from "../catalog/schemas";
import { validateMetricTask } from "../metrics/generate";

// The `metricTasks:` of a project file, checked the way the metric builder checks a task on save: against
// the catalog the file itself describes, with the builder's component-level errors (prefixed by the task's
// path in the file). The generated jobs are not written by apply: they are ordinary jobs under `jobs:`
// (an export carries both); apply stores each task with the names of the jobs it generates.

/** Per task name, the names of the jobs it generates; throws a ValidationError listing every problem. */
export function checkMetricTasks(file: ProjectFileParsed, catalog: CatalogSnapshot): Map<string, string[]> {
  const issues: Issue[] = [];
  const generated = new Map<string, string[]>();
  const generatedBy = new Map<string, string>();
  for (const task of file.metricTasks) {
    const path = `metricTasks.${task.name}`;
    if (generated.has(task.name)) {
      issues.push({ path, message: `duplicate metric task name '${task.name}'` });
      continue;
    }
    const g = validateMetricTask(catalog, task);
    issues.push(...g.issues.map((i) => ({ ...i, path: `${path}.${i.path}`, message: `metric task '${task.name}': ${i.message}` })));
    // As on save: one job, one task (else each task's save would overwrite the other's SQL).
    for (const job of g.jobs) {
      const owner = generatedBy.get(job.name);
      if (owner) issues.push({ path, message: `metric task '${task.name}' generates job '${job.name}', which metric task '${owner}' generates too; rename one of them` });
      else generatedBy.set(job.name, task.name);
    }
    generated.set(task.name, g.jobs.map((j) => j.name));
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return generated;
}
