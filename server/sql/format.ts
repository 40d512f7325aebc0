import { format } from "sql-formatter";
import { z } from "zod";
import { ValidationError, type Issue } from "../errors";
import { flinkTokens, parseFlinkSql } from "./parser";
import { lineStarts, positionOf } from "./variables";

// Formatting for the studio's Format command. sql-formatter does the layout; it does not know Flink, so
// its output is only accepted when the Flink lexer reads the same tokens (spaces aside) and the same
// comments from it as from the input. Anything else is refused and the text stays as the user wrote it.

export const FormatSqlInput = z.object({ sql: z.string().min(1).max(1_000_000) });
export type FormatSqlInput = z.infer<typeof FormatSqlInput>;

/** `${name}` variables, kept verbatim by the formatter and masked (same length) for the lexer. */
const VARIABLE = /\$\{[^}\n]*\}/g;

export function formatSql(rawInput: FormatSqlInput): { sql: string; changed: boolean } {
  const { sql } = FormatSqlInput.parse(rawInput);
  const syntax = parseFlinkSql(masked(sql)).errors;
  if (syntax.length > 0) {
    const starts = lineStarts(sql);
    throw new ValidationError(syntax.slice(0, 5).map((e): Issue => ({ path: "sql", message: `cannot format: ${e.message}`, ...positionOf(starts, e.start) })));
  }
  let out: string;
  try {
    out = format(sql, {
      // Spark SQL is the closest dialect sql-formatter knows: backquoted identifiers, Hive-style DDL, windowing.
      language: "spark",
      keywordCase: "preserve",
      tabWidth: 2,
      linesBetweenQueries: 1,
      paramTypes: { custom: [{ regex: String.raw`\$\{[^}\n]*\}` }] },
    });
  } catch (e) {
    throw new ValidationError([{ path: "sql", message: `cannot format: ${e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : String(e)}` }]);
  }
  // A final newline stays as the user had it (the formatter drops it).
  out = out.replace(/\s*$/, "") + (sql.endsWith("\n") ? "\n" : "");
  const mismatch = firstDifference(sql, out);
  if (mismatch) throw new ValidationError([{ path: "sql", message: `formatting would change the statement (${mismatch.message}); the text is left as it is`, ...mismatch.at }]);
  return { sql: out, changed: out !== sql };
}

function masked(sql: string): string {
  return sql.replace(VARIABLE, (v) => `V${"_".repeat(v.length - 1)}`);
}

interface Meaningful { text: string; offset: number; comment: boolean }

/** Tokens that carry meaning: everything but whitespace; comments with their inner spacing normalized. */
function meaningful(sql: string): Meaningful[] {
  const out: Meaningful[] = [];
  let offset = 0;
  for (const t of flinkTokens(masked(sql))) {
    const at = offset;
    offset += t.text.length;
    // Masking keeps lengths, so the user's own text of every token (variables included) is this slice.
    const text = sql.slice(at, offset);
    if (text.trim() === "") continue;
    const comment = text.startsWith("--") || text.startsWith("/*") && !text.startsWith("/*+");
    out.push({ text: comment ? text.replace(/\s+/g, " ").trim() : text, offset: at, comment });
  }
  return out;
}

export function firstDifference(before: string, after: string): { message: string; at: { line?: number; column?: number } } | undefined {
  const a = meaningful(before);
  const b = meaningful(after);
  const starts = lineStarts(before);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x && y && x.text === y.text) continue;
    const what = x?.comment || y?.comment ? "a comment" : "a token";
    const message = !y ? `${what} '${short(x?.text)}' would be lost` : !x ? `'${short(y.text)}' would be added` : `${what} '${short(x.text)}' would become '${short(y.text)}'`;
    return { message, at: x ? positionOf(starts, x.offset) : {} };
  }
  return undefined;
}

function short(s: string | undefined): string {
  const t = s ?? "";
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}
