// The health score of a job: 100, less 5 for each high-risk finding, 3 for each medium and 1 for each
// low, never below 0. Pure, so the rule is tested apart from where the findings come from.

export type Risk = "high" | "medium" | "low";

export const RISK_PENALTY: Record<Risk, number> = { high: 5, medium: 3, low: 1 };

export interface HealthFinding {
  /** The source that found it (instances, stream, quality, reconciliation...). */
  source: string;
  /** A short stable code (instance_failed, stream_restarts, no_checkpoint...), for filtering and tests. */
  code: string;
  risk: Risk;
  /** What is wrong, in a sentence. */
  message: string;
  /** What to do about it, in a sentence with the command to run. */
  action: string;
  /** When it happened, when known. */
  at?: Date;
  /** The thing to look at or fix, for a link: an instance (job, yyyyMMdd), a table's partition and rule, or the job. */
  target?: FindingTarget;
}

export type FindingTarget =
  | { kind: "instance"; job: string; bizdate: string }
  | { kind: "quality"; table: string; partition?: string; rule?: string }
  | { kind: "job"; job: string };

export function healthScore(findings: readonly Pick<HealthFinding, "risk">[]): number {
  const penalty = findings.reduce((sum, f) => sum + RISK_PENALTY[f.risk], 0);
  return Math.max(0, 100 - penalty);
}

const ORDER: Record<Risk, number> = { high: 0, medium: 1, low: 2 };

/** Worst first, then newest first. */
export function sortFindings<T extends HealthFinding>(findings: readonly T[]): T[] {
  return [...findings].sort((a, b) => ORDER[a.risk] - ORDER[b.risk] || (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0));
}
