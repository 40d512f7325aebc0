// One family of domain errors. The API layer maps them to tRPC codes in one place (server/api/trpc.ts);
// the CLI prints their message. Anything else is an internal error.

export interface Issue {
  /** Where the problem is, e.g. "metaTables.mix_coupon_events.batch.mappings.user_id". */
  path: string;
  message: string;
  /** 1-based position in a source text (SQL, project file), when known. */
  line?: number;
  column?: number;
}

export abstract class DomainError extends Error {
  abstract readonly code: "NOT_FOUND" | "CONFLICT" | "VALIDATION" | "PRECONDITION_FAILED" | "LIMIT_EXCEEDED" | "FORBIDDEN" | "UNAUTHENTICATED";
}

export class NotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
  /** `message` when "<entity> '<key>' does not exist" is not how to say it. */
  constructor(readonly entity: string, readonly key: string, message?: string) {
    super(message ?? `${entity} '${key}' does not exist`);
  }
}

export class ConflictError extends DomainError {
  readonly code = "CONFLICT";
}

export class ValidationError extends DomainError {
  readonly code = "VALIDATION";
  constructor(readonly issues: Issue[], summary?: string) {
    super(summary ?? formatIssues(issues));
  }
}

export class PreconditionFailedError extends DomainError {
  readonly code = "PRECONDITION_FAILED";
}

export class LimitExceededError extends DomainError {
  readonly code = "LIMIT_EXCEEDED";
}

export class ForbiddenError extends DomainError {
  readonly code = "FORBIDDEN";
}

/** No valid session or API token: the caller must sign in (or use an unexpired, unrevoked token). */
export class UnauthenticatedError extends DomainError {
  readonly code = "UNAUTHENTICATED";
}

export function formatIssues(issues: Issue[]): string {
  if (issues.length === 0) return "invalid input";
  const lines = issues.map((i) => {
    const at = i.line !== undefined ? ` (line ${i.line}${i.column !== undefined ? `, column ${i.column}` : ""})` : "";
    return `${i.path}${at}: ${i.message}`;
  });
  return issues.length === 1 ? (lines[0] ?? "") : `${issues.length} problems:\n  ${lines.join("\n  ")}`;
}

/** An error and its causes, outermost first (a few levels: drivers wrap once or twice). */
export function causeChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cur: unknown = e; cur !== undefined && cur !== null && chain.length < 5; cur = (cur as { cause?: unknown }).cause) chain.push(cur);
  return chain;
}

/** The Postgres SQLSTATE of a database failure anywhere in an error's cause chain. */
function sqlState(e: unknown): { code: string; message: string } | undefined {
  for (const c of causeChain(e) as { code?: unknown; message?: unknown }[]) {
    if (typeof c.code === "string" && /^[0-9A-Z]{5}$/.test(c.code) && typeof c.message === "string") return { code: c.code, message: c.message };
  }
  return undefined;
}

/**
 * One sentence for a database failure a user can act on, never the SQL text or its parameters (a query error
 * carries both, and parameters may hold secrets). Undefined when the failure is not one of these.
 */
export function describeDatabaseError(e: unknown): string | undefined {
  const state = sqlState(e);
  if (!state) return undefined;
  if (state.code === "53100") return "The database is out of disk space: nothing was written. Free some space and try again.";
  if (state.code === "53200") return "The database ran out of memory: nothing was written. Try again with a smaller request.";
  if (state.code === "53300") return "The database has no free connections right now; try again in a moment.";
  if (state.code === "22021" || state.code === "22P05") return "A text contains a character the database cannot store (such as a NUL character); nothing was written.";
  if (state.code === "57P01" || state.code === "57P03" || state.code.startsWith("08")) return "The connection to the database was lost; nothing was written. Check that the database (or `tandem dev`) is running and try again.";
  if (state.code === "25P03") return "The database closed a transaction that stayed idle too long; nothing was written. Try again.";
  return undefined;
}
