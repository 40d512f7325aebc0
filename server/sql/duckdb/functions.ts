import { javaToStrftime } from "./types";

// Flink built-in scalar functions -> DuckDB, with Flink's meaning: NULL handling, 1- vs 0-based
// positions, Java regex vs RE2, "no match" results. The table in docs/engines.md lists the same sets;
// a function in neither set is refused at validation, with its position.

/** Functions whose Flink and DuckDB meanings agree for the argument types Tandem jobs use. */
export const SAME_MEANING = new Set([
  "COUNT", "SUM", "MIN", "MAX", "AVG", "COALESCE", "NULLIF", "CONCAT_WS", "UPPER", "LOWER", "TRIM", "LTRIM",
  "RTRIM", "SUBSTRING", "SUBSTR", "CHAR_LENGTH", "CHARACTER_LENGTH", "ABS", "ROUND", "MOD", "POWER", "SQRT", "LN",
  "LOG10", "LOG2", "EXP", "SIGN", "IF", "REPLACE", "LPAD", "RPAD", "ROW_NUMBER", "RANK",
  "DENSE_RANK", "LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP",
  "YEAR", "MONTH", "HOUR", "MINUTE", "SECOND", "DAYOFMONTH", "DAYOFYEAR", "QUARTER", "WEEK", "CARDINALITY",
  "CEIL", "CEILING", "FLOOR", "REVERSE", "REPEAT", "ASCII", "MD5", "SHA1", "SHA256", "SIN", "COS", "TAN", "COT",
  "ASIN", "ACOS", "ATAN", "ATAN2", "DEGREES", "RADIANS", "PI",
]);

/** Functions rewritten to a DuckDB expression of the same meaning (see rewriteFunction). */
export const REWRITTEN = new Set([
  "DATE_FORMAT", "TO_TIMESTAMP_LTZ", "JSON_VALUE", "PROCTIME", "TO_DATE", "TO_TIMESTAMP", "LISTAGG", "CONCAT",
  "GREATEST", "LEAST", "IFNULL", "DAYOFWEEK", "REGEXP", "REGEXP_EXTRACT", "REGEXP_REPLACE", "SPLIT_INDEX", "LOCATE", "LOG", "RAND", "TO_BASE64", "FROM_BASE64", "FROM_UNIXTIME",
  "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "CURRENT_DATE",
]);

/** Flink built-ins Tandem knowingly does not map, with the reason shown to the user. */
export const NOT_MAPPED: Readonly<Record<string, string>> = {
  INITCAP: "DuckDB has no function that capitalizes words as Java does",
  REGEXP_EXTRACT_ALL: "its array result and empty-match rules differ in DuckDB",
  RAND_INTEGER: "DuckDB's random generator cannot reproduce Flink's seeded sequence",
  UUID: "a random value differs per engine, so stream and batch could never agree",
  UNIX_TIMESTAMP: "not mapped yet (its parsing rules differ from DuckDB's strptime)",
  CONVERT_TZ: "not mapped yet",
  TIMESTAMPADD: "not mapped yet (DuckDB's date arithmetic differs at month ends)",
  TIMESTAMPDIFF: "not mapped yet (DuckDB's date_diff counts boundaries, Flink counts whole units)",
  JSON_QUERY: "its wrapper and error clauses have no exact DuckDB equivalent",
  JSON_EXISTS: "its error handling has no exact DuckDB equivalent",
  JSON_OBJECT: "DuckDB's JSON constructors order and escape differently",
  JSON_ARRAY: "DuckDB's JSON constructors order and escape differently",
  STR_TO_MAP: "not mapped yet",
  PARSE_URL: "DuckDB has no URL parser with Java's rules",
  OVERLAY: "not mapped yet",
  ENCODE: "DuckDB only encodes UTF-8",
  DECODE: "DuckDB only decodes UTF-8",
  TRUNCATE: "DuckDB's trunc has no digits argument",
  BIN: "negative numbers are rendered differently",
  HEX: "numbers and strings are rendered differently",
};

/** Why the local engine cannot run the function, or undefined when it can. */
export function functionProblem(name: string): string | undefined {
  const n = name.toUpperCase();
  if (SAME_MEANING.has(n) || REWRITTEN.has(n)) return undefined;
  const reason = NOT_MAPPED[n];
  if (reason) return `the local engine cannot run ${n}: ${reason} (docs/engines.md lists the functions it maps)`;
  return `the function ${n} is not a Flink built-in the local engine knows (docs/engines.md lists the functions it maps)`;
}

/**
 * Constructs of Java regular expressions that RE2 (DuckDB) lacks or reads differently; undefined when
 * the pattern means the same in both.
 */
export function javaRegexProblem(pattern: string): string | undefined {
  const checks: [RegExp, string][] = [
    [/\(\?<?[=!]/, "lookahead or lookbehind"],
    [/\(\?>/, "atomic groups"],
    [/\\[1-9]/, "backreferences"],
    [/\\k</, "named backreferences"],
    [/[*+?}]\+/, "possessive quantifiers"],
    [/\\[GZhHRXvV]/, `the escape ${/\\[GZhHRXvV]/.exec(pattern)?.[0] ?? ""}`],
    [/\\p\{(?:Alpha|Digit|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space|Lower|Upper|ASCII|java)/, "Java's POSIX \\p{...} classes"],
  ];
  const found = checks.find(([re]) => re.test(pattern.replace(/\\\\/g, "")));
  return found ? `${found[1]} (Java regex) have no equivalent in DuckDB's regular expressions` : undefined;
}

/** Capturing groups of a (checked) pattern. */
function groupCount(pattern: string): number {
  const noEscapes = pattern.replace(/\\./g, "").replace(/\[(?:\\.|[^\]])*\]/g, "");
  return (noEscapes.match(/\((?!\?)|\(\?P?<[A-Za-z]/g) ?? []).length;
}

/** A Java replacement string ($1, \$) as an RE2 rewrite (\1, $). */
function javaReplacement(r: string): string {
  let out = "";
  for (let i = 0; i < r.length; i++) {
    const c = r[i] ?? "";
    if (c === "\\" && i + 1 < r.length) {
      const next = r[++i] ?? "";
      out += next === "\\" ? "\\\\" : next;
    } else if (c === "$" && /[0-9]/.test(r[i + 1] ?? "")) {
      out += `\\${r[++i] ?? ""}`;
    } else {
      out += c;
    }
  }
  return out;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface CallArgs {
  /** Arguments as DuckDB-ready text. */
  args: string[];
  /** The i-th argument's value when it is a string literal. */
  literal: (i: number) => string | undefined;
  fail: (what: string) => never;
}

/** The DuckDB text for a rewritten function (name in REWRITTEN, except the ones convert.ts handles itself). */
export function rewriteFunction(name: string, { args, literal, fail }: CallArgs): string | undefined {
  const a = (i: number) => `(${args[i] ?? "NULL"})`;
  const regex = (i: number): string => {
    const pattern = literal(i);
    if (pattern === undefined) return fail(`${name} with a pattern that is not a string literal (Tandem checks that the pattern means the same in DuckDB)`);
    const problem = javaRegexProblem(pattern);
    if (problem) return fail(`${name} with this pattern: ${problem}`);
    return sqlString(pattern);
  };
  switch (name) {
    case "CONCAT": // Flink: NULL when any argument is NULL (DuckDB's concat skips NULLs; || does not)
      return `(${args.map((x) => `CAST(${x} AS VARCHAR)`).join(" || ")})`;
    case "GREATEST": case "LEAST": // Flink: NULL when any argument is NULL (DuckDB skips NULLs)
      return `(CASE WHEN ${args.map((x) => `(${x}) IS NULL`).join(" OR ")} THEN NULL ELSE ${name.toLowerCase()}(${args.join(", ")}) END)`;
    case "IFNULL":
      return `coalesce(${a(0)}, ${a(1)})`;
    case "DAYOFWEEK": // Flink: 1 = Sunday .. 7 = Saturday; DuckDB: 0 = Sunday
      return `(isodow(${a(0)}) % 7 + 1)`;
    case "REGEXP": // Flink: true when any substring matches
      return `regexp_matches(${a(0)}, ${regex(1)})`;
    case "REGEXP_EXTRACT": {
      // Flink: group 0 (whole match) by default; NULL when nothing matches (DuckDB would give '').
      const pattern = regex(1);
      const group = args[2]?.trim() ?? "0";
      if (!/^\d+$/.test(group)) return fail("REGEXP_EXTRACT with a group index that is not an integer literal");
      if (Number(group) > groupCount(literal(1) ?? "")) return fail(`REGEXP_EXTRACT with group ${group}: the pattern has only ${groupCount(literal(1) ?? "")} group(s)`);
      return `(CASE WHEN regexp_matches(${a(0)}, ${pattern}) THEN regexp_extract(${a(0)}, ${pattern}, ${group}) END)`;
    }
    case "REGEXP_REPLACE": {
      // Flink replaces every match and writes groups as $1 (Java); DuckDB needs 'g' and \1.
      const pattern = regex(1);
      const replacement = literal(2);
      if (replacement === undefined) return fail("REGEXP_REPLACE with a replacement that is not a string literal");
      return `regexp_replace(${a(0)}, ${pattern}, ${sqlString(javaReplacement(replacement))}, 'g')`;
    }
    case "SPLIT_INDEX": {
      // Flink: 0-based; NULL when the index is negative or past the end, and for an empty string.
      if (literal(1) === "") return fail("SPLIT_INDEX with an empty separator");
      return `(CASE WHEN ${a(2)} < 0 OR ${a(0)} = '' THEN NULL ELSE list_extract(string_split(${a(0)}, ${a(1)}), ${a(2)} + 1) END)`;
    }
    case "LOCATE":
      if (args.length !== 2) return fail("LOCATE with a start position");
      return `CAST(instr(${a(1)}, ${a(0)}) AS INTEGER)`;
    case "LOG": // Flink: LOG(x) is the natural logarithm, LOG(b, x) base b (DuckDB's log is base 10)
      return args.length === 1 ? `ln(${a(0)})` : `(ln(${a(1)}) / ln(${a(0)}))`;
    case "RAND":
      if (args.length > 0) return fail("RAND with a seed (DuckDB cannot reproduce Flink's seeded sequence)");
      return "random()";
    case "TO_BASE64":
      return `to_base64(encode(${a(0)}))`;
    case "FROM_BASE64":
      return `decode(from_base64(${a(0)}))`;
    case "TO_TIMESTAMP": case "TO_DATE": {
      // Flink: NULL when the string does not match the format.
      const fmt = args.length > 1 ? literal(1) : name === "TO_DATE" ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss";
      const conv = fmt !== undefined ? javaToStrftime(fmt) : undefined;
      if (conv === undefined) return fail(`${name} with this format (use a literal pattern of yyyy MM dd HH mm ss SSS)`);
      const parsed = `try_strptime(CAST(${a(0)} AS VARCHAR), ${sqlString(conv)})`;
      return name === "TO_DATE" ? `CAST(${parsed} AS DATE)` : parsed;
    }
    case "FROM_UNIXTIME": {
      // Flink formats the instant in the session zone; ICU's strftime of a TIMESTAMPTZ does the same.
      const fmt = args.length > 1 ? literal(1) : "yyyy-MM-dd HH:mm:ss";
      const conv = fmt !== undefined ? javaToStrftime(fmt) : undefined;
      if (conv === undefined) return fail("FROM_UNIXTIME with this format (use a literal pattern of yyyy MM dd HH mm ss)");
      return `strftime(make_timestamptz(CAST(${a(0)} AS BIGINT) * 1000000), ${sqlString(conv)})`;
    }
    // Flink: CURRENT_TIMESTAMP is an instant (TIMESTAMP_LTZ); LOCALTIMESTAMP and CURRENT_DATE are the
    // session zone's wall clock and day, which ICU's cast of a TIMESTAMPTZ gives.
    case "CURRENT_TIMESTAMP":
      return "current_timestamp";
    case "LOCALTIMESTAMP":
      return "CAST(current_timestamp AS TIMESTAMP)";
    case "CURRENT_DATE":
      return "CAST(CAST(current_timestamp AS TIMESTAMP) AS DATE)";
    default:
      return undefined;
  }
}
