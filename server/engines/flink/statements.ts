// Splits a Flink SQL script into the statements the SQL Gateway executes one at a time. Semicolons in
// strings, quoted identifiers and comments do not split; an EXECUTE STATEMENT SET BEGIN ... END block
// stays one statement. Comments are kept with the statement they precede.

export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i] ?? "";
    const next = script[i + 1] ?? "";
    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      const stop = end === -1 ? n : end + 1;
      cur += script.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      cur += script.slice(i, stop);
      i = stop;
    } else if (c === "'" || c === "`" || c === '"') {
      let j = i + 1;
      while (j < n) {
        if (script[j] === c) {
          if (script[j + 1] === c) j += 2; // doubled quote inside
          else break;
        } else j++;
      }
      cur += script.slice(i, j + 1);
      i = j + 1;
    } else if (c === ";") {
      const code = stripComments(cur).trim().toUpperCase().replace(/\s+/g, " ");
      const inSet = /^(EXECUTE STATEMENT SET|BEGIN STATEMENT SET)/.test(code) && !/\bEND$/.test(code);
      if (inSet) {
        cur += c;
      } else {
        if (code !== "") out.push(cur.trim());
        cur = "";
      }
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  if (stripComments(cur).trim() !== "") out.push(cur.trim());
  return out;
}

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}

/** What a statement does, for the adapter's bookkeeping. */
export function statementKind(sql: string): "set" | "ddl" | "insert" | "statement-set" | "query" | "other" {
  const code = stripComments(sql).trim().toUpperCase();
  if (code.startsWith("SET ") || code.startsWith("SET\t")) return "set";
  if (/^(CREATE|DROP|ALTER|USE|LOAD|UNLOAD)\b/.test(code)) return "ddl";
  if (/^(INSERT|EXECUTE INSERT)\b/.test(code)) return "insert";
  if (/^(EXECUTE STATEMENT SET|BEGIN STATEMENT SET)\b/.test(code)) return "statement-set";
  if (/^(SELECT|WITH)\b/.test(code)) return "query";
  return "other";
}
