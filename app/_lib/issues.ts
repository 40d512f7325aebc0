import { TRPCClientError } from "@trpc/client";

// Validation problems travel in `error.data.issues` ({ path, message }); everything else is one message.

export interface Issue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

function isIssue(x: unknown): x is Issue {
  return typeof x === "object" && x !== null && typeof (x as Issue).path === "string" && typeof (x as Issue).message === "string";
}

export function issuesOf(error: unknown): Issue[] {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    const issues = typeof data === "object" && data !== null ? (data as { issues?: unknown }).issues : undefined;
    if (Array.isArray(issues)) return issues.filter(isIssue);
  }
  return [];
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The path after `<collection>.<objectName>.`, split; e.g. "metaTables.m.batch.mappings.x" → ["batch","mappings","x"]. */
export function localPath(issue: Issue): string[] {
  return issue.path.split(".").slice(2);
}

/** Issues whose local path starts with `prefix`. */
export function issuesAt(issues: Issue[], ...prefix: string[]): Issue[] {
  return issues.filter((i) => {
    const p = localPath(i);
    return prefix.every((seg, k) => p[k] === seg);
  });
}
