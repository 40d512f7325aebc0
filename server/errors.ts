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
  constructor(readonly entity: string, readonly key: string) {
    super(`${entity} '${key}' does not exist`);
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
