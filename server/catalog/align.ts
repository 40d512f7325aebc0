import type { FieldMapping, LogicalColumnSpec, PhysicalTableSpecParsed } from "./schemas";

// "Auto-align": draft a mixed meta-table from its two physical tables by matching column names
// (case, underscores and a few common prefixes ignored). What does not match is listed for the user.

export interface AlignmentProposal {
  columns: LogicalColumnSpec[];
  stream: { table: string; mappings: Record<string, FieldMapping> };
  batch: { table: string; mappings: Record<string, FieldMapping> };
  /** Physical columns left without a logical column, per side. */
  unmatched: { stream: string[]; batch: string[] };
}

function key(name: string): string {
  return name.toLowerCase().replace(/^(f_|col_|c_)/, "").replace(/_/g, "");
}

export function autoAlign(stream: PhysicalTableSpecParsed, batch: PhysicalTableSpecParsed): AlignmentProposal {
  const streamCols = [...stream.columns.map((c) => ({ name: c.name, type: c.type })), ...stream.computedColumns.map((c) => ({ name: c.name, type: undefined }))];
  const batchCols = [...batch.columns.map((c) => ({ name: c.name, type: c.type })), ...batch.computedColumns.map((c) => ({ name: c.name, type: undefined }))];
  const batchByKey = new Map(batchCols.map((c) => [key(c.name), c]));
  const usedBatch = new Set<string>();
  const proposal: AlignmentProposal = {
    columns: [],
    stream: { table: stream.name, mappings: {} },
    batch: { table: batch.name, mappings: {} },
    unmatched: { stream: [], batch: [] },
  };
  for (const s of streamCols) {
    const b = batchByKey.get(key(s.name));
    if (!b || usedBatch.has(b.name)) {
      proposal.unmatched.stream.push(s.name);
      continue;
    }
    usedBatch.add(b.name);
    proposal.columns.push({ name: s.name, type: s.type ?? b.type ?? "STRING" });
    proposal.stream.mappings[s.name] = s.name;
    proposal.batch.mappings[s.name] = b.name;
  }
  proposal.unmatched.batch = batchCols.filter((c) => !usedBatch.has(c.name)).map((c) => c.name);
  return proposal;
}
