// The SQL core's public API. Pure functions over a CatalogSnapshot: no database, no Next.js, no Temporal.
// See docs/sql-translation.md for the approach, the --json schema and the local-script contract.

export { validateJob, compileSide, type JobSource, type ValidationResult } from "./validate";
export { translateJob, type TranslateOptions, type Translation } from "./translate/index";
export { extractLineage, type Lineage, type TableLineage, type ColumnLineage, type PhysicalColumnLineage } from "./lineage";
export { completionsAt, FLINK_FUNCTIONS, type Completions, type CompletionColumn } from "./completion";
export {
  sourceRelationSql, LOCAL_SETUP,
  type LocalScript, type LocalScripts, type LocalTable, type LocalColumn, type LocalView, type LocalSink, type LocalStatement, type WriteMode,
} from "./translate/local";
export type { IncrementalPlan, AggregateFunction } from "./translate/incremental";
export type { WindowSpec } from "./duckdb/convert";
export { MASKED_SECRET, type SecretResolver } from "./ddl";
export { builtinVariables, substituteVariables, type Mode } from "./variables";
export { parseFlinkSql, flinkSyntaxErrors } from "./parser";
export type { ColumnRef, TransformKind } from "./analyze";
