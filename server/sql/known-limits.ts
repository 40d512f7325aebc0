import type { SyntaxIssue } from "./parser";

// Valid Flink SQL that dt-sql-parser 4.5.0 rejects (docs/sql-translation.md, "Known limits of the
// parser"). Its message, "'INSERT' is not valid at this position", reads as the user's mistake and is
// followed by errors cascading from it. For these constructs we say what they are, what to write
// instead, and drop the cascade up to the end of that statement.

export interface ExplainedSyntaxIssue extends SyntaxIssue {
  /** True when the message names a parser limit rather than a mistake in the SQL. */
  knownLimit: boolean;
}

interface KnownLimit {
  matches(text: string, at: number, statement: string): boolean;
  message: string;
}

const WINDOW_TVF = /\bTABLE\s*\(\s*(TUMBLE|HOP|CUMULATE|SESSION)\s*\(/i;

const LIMITS: KnownLimit[] = [
  {
    matches: (text, at, statement) => /^INSERT\b/i.test(text.slice(at)) && /^WITH\b/i.test(statement),
    message: "WITH ... INSERT is Flink SQL that Tandem's parser does not accept yet; put the WITH after the target: INSERT INTO <meta-table> WITH x AS (...) SELECT ... FROM x",
  },
  {
    matches: (text, at, statement) => /^AS\b/i.test(text.slice(at)) && /\)\s*\)\s*$/.test(text.slice(0, at)) && WINDOW_TVF.test(statement),
    message: "an alias after a window table function (TABLE(TUMBLE(...)) AS w) is Flink SQL that Tandem's parser does not accept yet; drop the alias and name window_start, window_end and the columns directly",
  },
];

/** The statement around an offset: from after the previous `;` to the next one, without leading comments. */
function statementAround(text: string, at: number): { text: string; end: number } {
  const start = text.lastIndexOf(";", at - 1) + 1;
  const next = text.indexOf(";", at);
  const end = next < 0 ? text.length : next;
  const body = text.slice(start, end).replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, "");
  return { text: body, end };
}

/** Rewrites the errors of known parser limits and drops what they cascade into; other errors are kept as they are. */
export function explainSyntaxErrors(text: string, errors: readonly SyntaxIssue[]): ExplainedSyntaxIssue[] {
  const out: ExplainedSyntaxIssue[] = [];
  let skipUntil = -1;
  for (const e of [...errors].sort((a, b) => a.start - b.start)) {
    if (e.start < skipUntil) continue;
    const statement = statementAround(text, e.start);
    const limit = LIMITS.find((l) => l.matches(text, e.start, statement.text));
    if (limit) {
      out.push({ ...e, message: limit.message, knownLimit: true });
      skipUntil = statement.end;
    } else {
      out.push({ ...e, knownLimit: false });
    }
  }
  return out;
}
