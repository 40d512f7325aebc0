import { stringify } from "yaml";
import { eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/client";
import { connections, dashboards, jobs, metaTables, metricTasks, physicalTables } from "../../db/schema/index";
import { DashboardSpec } from "../dashboards/schema";
import { MetricTask } from "../metrics/spec";
import { JobSpec, MetaTableSpec, PhysicalTableSpec, PROJECT_FILE_VERSION, type ProjectFileParsed, type SecretValue } from "../catalog/schemas";
import type { ProjectRef } from "../context";

// `tandem export`: the catalog of a project as a project file. Secrets are written as the reference they
// came from ({ env: NAME }) or as { stored: true }: an exported file never holds a secret value, and
// applying it back changes nothing.

export async function exportProjectFile(db: Database | Tx, project: ProjectRef & { description?: string }): Promise<ProjectFileParsed> {
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  // One after another: on a transaction (one connection) pg would queue them anyway, with a warning.
  const c = await db.select().from(connections).where(eq(connections.projectId, project.id));
  const p = await db.select({ spec: physicalTables.spec }).from(physicalTables).where(eq(physicalTables.projectId, project.id));
  const m = await db.select({ spec: metaTables.spec }).from(metaTables).where(eq(metaTables.projectId, project.id));
  const j = await db.select({ spec: jobs.spec }).from(jobs).where(eq(jobs.projectId, project.id));
  const d = await db.select({ spec: dashboards.spec }).from(dashboards).where(eq(dashboards.projectId, project.id));
  const t = await db.select({ spec: metricTasks.spec }).from(metricTasks).where(eq(metricTasks.projectId, project.id));
  return {
    version: PROJECT_FILE_VERSION,
    project: project.name,
    description: project.description || undefined,
    connections: c
      .map((row) => ({
        name: row.name,
        type: row.type as ProjectFileParsed["connections"][number]["type"],
        description: row.description,
        properties: row.properties,
        secrets: Object.fromEntries(
          Object.entries(row.secrets).map(([k, s]): [string, SecretValue] => [k, "env" in s.source ? { env: s.source.env } : { stored: true }]),
        ),
      }))
      .sort(byName),
    physicalTables: p.map((r) => PhysicalTableSpec.parse(r.spec)).sort(byName),
    metaTables: m.map((r) => MetaTableSpec.parse(r.spec)).sort(byName),
    jobs: j.map((r) => JobSpec.parse(r.spec)).sort(byName),
    dashboards: d.map((r) => DashboardSpec.parse(r.spec)).sort(byName),
    metricTasks: t.map((r) => MetricTask.parse(r.spec)).sort(byName),
  };
}

/** YAML without the noise of empty defaults; parsing it back gives the same specs. */
export function projectFileToYaml(file: ProjectFileParsed): string {
  return stringify(compact(file), { lineWidth: 0 });
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = compact(v);
      const empty = c === undefined || c === "" || (Array.isArray(c) && c.length === 0) || (c !== null && typeof c === "object" && !Array.isArray(c) && Object.keys(c).length === 0);
      if (!empty) out[k] = c;
    }
    return out;
  }
  return value;
}
