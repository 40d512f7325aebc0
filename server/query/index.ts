export { checkReadOnly, type CheckedQuery } from "./guard";
export { localQueryBackend, type LocalQueryOptions } from "./local";
export { runQuery, tablesRead, type QueryRequest } from "./service";
export { DEFAULT_LIMITS, QueryTimeoutError, type QueryBackend, type QueryColumn, type QueryLimits, type QueryResult, type QueryScope, type Row, type TableScope } from "./types";
