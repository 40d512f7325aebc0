import { parseFlinkType, type FlinkType } from "./flink-types";

// The type of a mapping expression when its shape states it: a CAST, a column, a literal, a CASE whose
// results are all literals of one type, or a call of a function with a fixed result type. Anything
// else gives undefined, and the caller skips the check rather than guess. This is what catches the
// usual mistake in a mixed meta-table, a cast to the wrong type, at registration instead of at run time.

const scalar = (name: "STRING" | "INT" | "BIGINT" | "BOOLEAN" | "DATE" | "DOUBLE", nullable = true): FlinkType =>
  ({ kind: "scalar", name, params: [], nullable });
const timestamp = (name: "TIMESTAMP" | "TIMESTAMP_LTZ"): FlinkType => ({ kind: "scalar", name, params: [3], nullable: true });

/** Functions whose result type does not depend on their arguments (Flink SQL built-ins). */
const FUNCTION_TYPES: Record<string, FlinkType> = {
  DATE_FORMAT: scalar("STRING"), CONCAT: scalar("STRING"), CONCAT_WS: scalar("STRING"), UPPER: scalar("STRING"),
  LOWER: scalar("STRING"), TRIM: scalar("STRING"), LTRIM: scalar("STRING"), RTRIM: scalar("STRING"),
  SUBSTRING: scalar("STRING"), SUBSTR: scalar("STRING"), REPLACE: scalar("STRING"), REGEXP_EXTRACT: scalar("STRING"),
  REGEXP_REPLACE: scalar("STRING"), LPAD: scalar("STRING"), RPAD: scalar("STRING"), MD5: scalar("STRING"),
  FROM_UNIXTIME: scalar("STRING"), CHAR_LENGTH: scalar("INT"), CHARACTER_LENGTH: scalar("INT"), POSITION: scalar("INT"),
  UNIX_TIMESTAMP: scalar("BIGINT"), TO_DATE: scalar("DATE"), TO_TIMESTAMP: timestamp("TIMESTAMP"),
  TO_TIMESTAMP_LTZ: timestamp("TIMESTAMP_LTZ"), IS_JSON: scalar("BOOLEAN"),
};

/** Index of the parenthesis closing the one at `open`, skipping quoted text; -1 when unbalanced. */
function closing(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === "`") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

/** Offsets where `word` (anchored with ^) matches at parenthesis depth 0, outside quotes. */
function topLevel(s: string, word: RegExp): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'" || c === "`") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) return out;
      i = end;
    } else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0 && word.test(s.slice(i))) out.push(i);
  }
  return out;
}

function literalType(token: string): FlinkType | null | undefined {
  if (/^'(?:[^']|'')*'$/.test(token)) return scalar("STRING");
  if (/^-?\d{1,9}$/.test(token)) return scalar("INT");
  if (/^-?\d+$/.test(token)) return scalar("BIGINT");
  if (/^(TRUE|FALSE)$/i.test(token)) return scalar("BOOLEAN");
  if (/^NULL$/i.test(token)) return null;
  return undefined;
}

export function expressionType(expression: string, columns: ReadonlyMap<string, FlinkType | undefined>): FlinkType | undefined {
  let s = expression.trim();
  while (s.startsWith("(") && closing(s, 0) === s.length - 1) s = s.slice(1, -1).trim();

  const call = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(s);
  if (call?.[1] && closing(s, call[0].length - 1) === s.length - 1) {
    const fn = call[1].toUpperCase();
    if (fn === "CAST" || fn === "TRY_CAST") {
      const inner = s.slice(call[0].length, -1);
      const as = topLevel(inner, /^\s+AS\s/i).at(-1);
      if (as === undefined) return undefined;
      try {
        return parseFlinkType(inner.slice(as).replace(/^\s+AS\s+/i, ""));
      } catch {
        return undefined;
      }
    }
    return FUNCTION_TYPES[fn];
  }

  const column = /^`?([A-Za-z_][A-Za-z0-9_]*)`?$/.exec(s);
  if (column?.[1]) return columns.get(column[1]);

  const literal = literalType(s);
  if (literal !== undefined) return literal ?? undefined;

  if (/^CASE\s/i.test(s) && /\sEND$/i.test(s)) {
    // Results are the operands after top-level THEN / ELSE; all literals of one type, or no answer.
    const body = s.slice(4, -3);
    const starts = topLevel(body, /^\s+(THEN|ELSE)\s/i);
    const ends = topLevel(body, /^\s+(WHEN|ELSE|END)\b/i);
    if (starts.length === 0 || topLevel(body, /^\s+CASE\s/i).length > 0) return undefined;
    let found: FlinkType | undefined;
    for (const start of starts) {
      const stop = ends.find((e) => e > start) ?? body.length;
      const token = body.slice(start, stop).trim().replace(/^(THEN|ELSE)\s+/i, "").trim();
      const t = literalType(token);
      if (t === undefined) return undefined;
      if (t === null) continue;
      if (found && (found.kind !== "scalar" || t.kind !== "scalar" || found.name !== t.name)) {
        const ints = ["INT", "BIGINT"];
        if (found.kind === "scalar" && t.kind === "scalar" && ints.includes(found.name) && ints.includes(t.name)) found = scalar("BIGINT");
        else return undefined;
      } else found = t;
    }
    return found;
  }

  if (topLevel(s, /^\|\|/).length > 0) return scalar("STRING");
  return undefined;
}
