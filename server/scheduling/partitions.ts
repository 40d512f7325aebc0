import type { Bizdate } from "./bizdate";

/** A daily partition of a table: the unit an instance waits for, overwrites and marks ready. */
export interface PartitionKey {
  table: string;
  partition: string;
}

export function partitionKey(table: string, bizdate: Bizdate): PartitionKey {
  return { table, partition: bizdate.toString() };
}

/** Stable text form, e.g. for ids, sets and messages: `table/20260101`. */
export function partitionKeyText(key: PartitionKey): string {
  return `${key.table}/${key.partition}`;
}

/** The value a daily partition column holds for a bizdate, in the table's partition format. */
export function partitionValue(spec: { format: string }, bizdate: Bizdate): string {
  return bizdate.format(spec.format === "yyyyMMdd" ? "yyyyMMdd" : "yyyy-MM-dd");
}
