import { functionName } from "../analyze";
import type { ParsedSql } from "../parser";
import { childrenOf, descendants, span, textOf } from "../tree";
import { functionProblem, REWRITTEN, rewriteFunction } from "./functions";

// Validation of a script's function calls for the local engine: unmapped functions, and arguments a
// mapping needs as literals (regex patterns, formats), are reported at their position before any run.

export interface FunctionIssue {
  /** Offset in the parsed (substituted) text. */
  start: number;
  message: string;
}

class Refused extends Error {}

export function localFunctionIssues(parsed: ParsedSql): FunctionIssue[] {
  const src = parsed.text;
  const issues: FunctionIssue[] = [];
  for (const call of descendants(parsed.tree, "functionCallExpression")) {
    const at = span(call).start;
    if (parsed.aggregateFilters.has(at)) continue; // the FILTER (WHERE ...) marker, not a user's call
    const name = functionName(src, call);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) continue; // a typed literal such as DATE '2024-11-11'
    const problem = functionProblem(name);
    if (problem) {
      issues.push({ start: at, message: problem });
      continue;
    }
    if (!REWRITTEN.has(name)) continue;
    const args = childrenOf(call, "functionParam").map((a) => textOf(src, a));
    const literal = (i: number): string | undefined => {
      const a = args[i]?.trim();
      return a && /^'.*'$/s.test(a) ? a.slice(1, -1).replace(/''/g, "'") : undefined;
    };
    try {
      rewriteFunction(name, { args, literal, fail: (what) => { throw new Refused(what); } });
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      issues.push({ start: at, message: `the local engine cannot run ${e.message}` });
    }
  }
  return issues;
}
