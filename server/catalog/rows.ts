import type { MetaTableSpecParsed, PhysicalTableSpecParsed, JobSpecParsed } from "./schemas";

// How a spec becomes a row: the spec itself as jsonb, plus the columns the workbench sorts and filters on.

export function physicalTableRow(projectId: string, connectionId: string, spec: PhysicalTableSpecParsed) {
  return {
    projectId,
    connectionId,
    name: spec.name,
    kind: spec.kind,
    description: spec.description,
    columnCount: spec.columns.length + spec.computedColumns.length,
    partitioned: spec.partition !== undefined,
    spec,
  };
}

export function metaTableRow(projectId: string, spec: MetaTableSpecParsed) {
  return {
    projectId,
    name: spec.name,
    kind: spec.source ? ("single" as const) : ("mixed" as const),
    description: spec.description,
    owner: spec.owner,
    spec,
  };
}

export function jobRow(projectId: string, spec: JobSpecParsed) {
  return { projectId, name: spec.name, description: spec.description, spec };
}
