// Only the Flink dialect: importing the package root loads every dialect and costs ~1.5 s more.
import { FlinkSQL } from "dt-sql-parser/dist/parser/flink";
import { BaseErrorListener, Lexer, PredictionMode, type ParserRuleContext } from "antlr4ng";
import { setRuleNames } from "./tree";
import { lineStarts, offsetOf } from "./variables";

// One warm dt-sql-parser instance per process, created on first use: the first import and parse cost
// about a second (ANTLR builds its DFA caches); every later parse reuses them.

let instance: FlinkSQL | undefined;
let ruleNamesCache: readonly string[] | undefined;

function flink(): FlinkSQL {
  instance ??= new FlinkSQL();
  return instance;
}

export interface SyntaxIssue {
  /** Offsets in the parsed text. */
  start: number;
  end: number;
  message: string;
}

export interface ParsedSql {
  /** The text that was parsed, offset for offset the caller's text. */
  text: string;
  tree: ParserRuleContext;
  ruleNames: readonly string[];
  errors: SyntaxIssue[];
  /** Offsets of the `TO` of every `FLOOR(x TO unit)` / `CEIL(x TO unit)` (see shimTimeUnitCalls). */
  timeUnitCalls: ReadonlySet<number>;
  /** Offsets where the marker call of an aggregate's `FILTER (WHERE ...)` starts (see shimAggregateFilters). */
  aggregateFilters: ReadonlySet<number>;
}

/** The text the grammar sees: same length as the user's, with the constructs dt-sql-parser lacks rewritten. */
function shim(text: string): { shimmed: string; timeUnitCalls: Set<number>; aggregateFilters: Set<number> } {
  const units = shimTimeUnitCalls(text);
  const filters = shimAggregateFilters(units.shimmed);
  return { shimmed: inBmp(filters.shimmed), timeUnitCalls: units.positions, aggregateFilters: filters.positions };
}

// The grammar's char stream counts code points, but Tandem (and Monaco) count UTF-16 units: a character
// outside the BMP would shift every later offset by one. Two BMP placeholders per astral character keep
// both counts equal; all text Tandem shows is sliced from the user's text, never from the placeholders.
const ASTRAL = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
function inBmp(text: string): string {
  return text.replace(ASTRAL, "\uE000\uE000");
}

/** Notes that a syntax error happened, and nothing else. */
class FailureFlag extends BaseErrorListener {
  failed = false;
  override syntaxError(): void {
    this.failed = true;
  }
}

/** Parses Flink SQL. Never throws on bad SQL: syntax errors come back in `errors`. */
export function parseFlinkSql(text: string): ParsedSql {
  const { shimmed, timeUnitCalls, aggregateFilters } = shim(text);
  const errors: SyntaxIssue[] = [];
  const starts = lineStarts(shimmed);
  // Two-stage parsing: SLL is much faster and never accepts invalid input; on an error, LL re-parses
  // to find the real error position and message.
  const fastRun = new FailureFlag();
  // A bare antlr listener on the lexer and the parser: dt-sql-parser's own would word every error (a
  // completion-engine pass each), which this pass only needs to notice.
  const fast = flink().createParser(shimmed);
  fast.removeErrorListeners();
  fast.addErrorListener(fastRun);
  const lexer = fast.tokenStream.getTokenSource();
  if (lexer instanceof Lexer) {
    lexer.removeErrorListeners();
    lexer.addErrorListener(fastRun);
  }
  fast.interpreter.predictionMode = PredictionMode.SLL;
  let tree = fast.program();
  let parser = fast;
  if (fastRun.failed) {
    parser = flink().createParser(shimmed, (e) => {
      const start = offsetOf(starts, e.startLine, e.startColumn);
      const end = offsetOf(starts, e.endLine, e.endColumn);
      if (!errors.some((x) => x.start === start && x.message === e.message)) errors.push({ start, end, message: e.message });
    });
    // dt-sql-parser words an error's "expecting ..." from the text of the instance's last cached parse, not
    // from the parser reporting it: without this, a previous request's text (a completion's, say) would
    // shape this one's messages. getAllTokens parses this text into that cache (and is cached itself).
    // Its wording also re-parses slices with antlr's console listener on: muted, not to print every
    // syntax error of the user's SQL to the server log.
    const slow = parser;
    tree = withoutParserConsole(() => {
      flink().getAllTokens(shimmed);
      return slow.program();
    });
  }
  if (!ruleNamesCache) { ruleNamesCache = parser.ruleNames; setRuleNames(ruleNamesCache); }
  errors.sort((a, b) => a.start - b.start);
  return { text, tree, ruleNames: ruleNamesCache, errors, timeUnitCalls, aggregateFilters };
}

/** Syntax errors of a generated script, for the "every output re-parses" guard. */
export function flinkSyntaxErrors(text: string): SyntaxIssue[] {
  return parseFlinkSql(text).errors;
}

/** Keyword spellings of the Flink lexer (upper case), to decide when a generated identifier needs backticks. */
export function flinkKeywords(): ReadonlySet<string> {
  if (keywords) return keywords;
  const parser = flink().createParser("");
  const vocab = parser.vocabulary;
  const set = new Set<string>();
  for (let i = 0; i <= vocab.maxTokenType; i++) {
    const lit = vocab.getLiteralName(i);
    if (lit && /^'[A-Z_][A-Z_0-9]*'$/.test(lit)) set.add(lit.slice(1, -1));
  }
  keywords = set;
  return set;
}
let keywords: ReadonlySet<string> | undefined;

/** When a quoted string or identifier, or a comment, starts at `i`: the offset just past it. */
function pastQuotedOrComment(text: string, i: number): number | undefined {
  const c = text[i];
  if (c === "'" || c === "`" || c === '"') {
    const end = text.indexOf(c, i + 1);
    return end < 0 ? text.length : end + 1;
  }
  if (c === "-" && text[i + 1] === "-") { const nl = text.indexOf("\n", i); return nl < 0 ? text.length : nl; }
  if (c === "/" && text[i + 1] === "*") { const e = text.indexOf("*/", i + 2); return e < 0 ? text.length : e + 2; }
  return undefined;
}

/**
 * dt-sql-parser 4.5.0 does not accept Flink's `FLOOR(x TO HOUR)` / `CEIL(x TO DAY)`. Before parsing we
 * rewrite `TO HOUR` into `,'HOUR'` padded to the same length, so every offset still points at the
 * user's text; generated scripts copy the user's text, never the shimmed one.
 */
export function shimTimeUnitCalls(text: string): { shimmed: string; positions: Set<number> } {
  const positions = new Set<number>();
  if (!/\b(FLOOR|CEIL|CEILING)\s*\(/i.test(text)) return { shimmed: text, positions };
  const chars = text.split("");
  const re = /\b(FLOOR|CEIL|CEILING)\s*\(/gi;
  for (const m of text.matchAll(re)) {
    let i = m.index + m[0].length;
    let depth = 1;
    while (i < text.length && depth > 0) {
      const c = text[i];
      const skipped = pastQuotedOrComment(text, i);
      if (skipped !== undefined) { i = skipped; continue; }
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (depth === 1 && /[Tt]/.test(c ?? "") && /\W/.test(text[i - 1] ?? " ")) {
        const u = /^TO(\s+)([A-Za-z_]+)(?=\s*\))/i.exec(text.slice(i));
        if (u) {
          const unit = u[2] ?? "";
          const replacement = `,'${unit}'`.padEnd(u[0].length, " ");
          for (let k = 0; k < replacement.length; k++) chars[i + k] = replacement[k] ?? " ";
          positions.add(i);
          i += u[0].length;
          continue;
        }
      }
      i++;
    }
  }
  return { shimmed: chars.join(""), positions };
}

/**
 * The call an aggregate's `FILTER (WHERE c)` becomes for the parser: `agg(x) *COALESCE(c)`. A built-in
 * name, because dt-sql-parser rejects a call of an unknown function on the right of an operator; the
 * marker is recognized by its position (ParsedSql.aggregateFilters), never by its name.
 */
export const FILTER_MARKER = "COALESCE";

/**
 * dt-sql-parser 4.5.0 does not accept `agg(x) FILTER (WHERE c)`. Before parsing we rewrite
 * `FILTER (WHERE` into `*COALESCE(` padded to the same length, so the condition stays in the tree (its
 * columns are checked and traced) as the argument of a marker call multiplied onto the aggregate.
 * Consumers that see the marker (incremental plans, the DuckDB rules) treat it as the filter it is;
 * generated scripts copy the user's text, so Flink and DuckDB run the FILTER as written.
 */
export function shimAggregateFilters(text: string): { shimmed: string; positions: Set<number> } {
  const positions = new Set<number>();
  if (!/\bFILTER\s*\(\s*WHERE\b/i.test(text)) return { shimmed: text, positions };
  const chars = text.split("");
  let i = 0;
  while (i < text.length) {
    const skipped = pastQuotedOrComment(text, i);
    if (skipped !== undefined) { i = skipped; continue; }
    const m = /^FILTER\s*\(\s*WHERE\b/i.exec(text.slice(i, i + 40));
    if (m && /\W/.test(text[i - 1] ?? " ") && /\)\s*$/.test(text.slice(Math.max(0, i - 200), i))) {
      const replacement = `*${FILTER_MARKER}(`.padEnd(m[0].length, " ");
      for (let k = 0; k < replacement.length; k++) chars[i + k] = replacement[k] ?? " ";
      positions.add(i + 1);
      i += m[0].length;
      continue;
    }
    i++;
  }
  return { shimmed: chars.join(""), positions };
}

export interface SyntaxSuggestions {
  /** What the grammar accepts at the caret: "table", "column", "function", ... */
  contexts: string[];
  keywords: string[];
  /** The partial word before the caret, if any. */
  word: string;
}

/** Grammar-level suggestions at a 1-based caret (dt-sql-parser + antlr4-c3). */
export function syntaxSuggestions(text: string, line: number, column: number): SyntaxSuggestions {
  const s = withoutParserConsole(() => flink().getSuggestionAtCaretPosition(shim(text).shimmed, { lineNumber: line, column }));
  const contexts = (s?.syntax ?? []).map((x) => x.syntaxContextType);
  // Every syntax context describes the same caret word: take it once (joining all repeated it).
  const word = (s?.syntax[0]?.wordRanges ?? []).map((w) => w.text).join("");
  return { contexts: [...new Set(contexts)], keywords: s?.keywords ?? [], word };
}

/**
 * Runs `f` with antlr's console error listener muted. dt-sql-parser's caret suggestions and its error
 * messages re-parse fragments of the statement with the default listener, which prints every syntax error
 * of a half-typed statement to the server log ("line 1:1 mismatched input ..."); those errors are answered
 * to the caller instead. `f` is synchronous, so nothing else can log in between.
 */
function withoutParserConsole<T>(f: () => T): T {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === "string" && /^line \d+:\d+ /.test(args[0])) return;
    original(...args);
  };
  try {
    return f();
  } finally {
    console.error = original;
  }
}

/** The Flink lexer's tokens of a text (hidden ones — spaces, comments — included), for the formatter's guard. */
export function flinkTokens(text: string): { type: number; text: string }[] {
  const lexer = flink().createLexer(inBmp(text), () => undefined);
  return lexer.getAllTokens().map((t) => ({ type: t.type, text: t.text ?? "" }));
}
