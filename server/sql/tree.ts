import type { ParserRuleContext, ParseTree, TerminalNode, Token } from "antlr4ng";

// Small, typed helpers over dt-sql-parser's ANTLR tree. We navigate by node *kind*: the rule name, or
// the alternative label when the grammar has one (e.g. "columnReference", "functionCall"), so the
// domain code never imports the generated context classes.

export type Node = ParserRuleContext;

export function isTerminal(t: ParseTree): t is TerminalNode {
  return (t as Partial<TerminalNode>).symbol !== undefined;
}

let ruleNames: readonly string[] = [];
/** Set once by the parser module: the grammar's rule names, indexed by ruleIndex. */
export function setRuleNames(names: readonly string[]): void {
  ruleNames = names;
}

/** The grammar rule of a node ("identifier"), whatever its alternative label. */
export function rule(n: Node): string {
  return ruleNames[n.ruleIndex] ?? "";
}

/** Whether a node is of rule or alternative `k`. */
export function is(n: Node, k: string): boolean {
  return kind(n) === k || rule(n) === k;
}

const kindCache = new WeakMap<object, string>();
/** The alternative label when the grammar has one ("columnReference"), else the rule name. */
export function kind(n: Node): string {
  const ctor = n.constructor;
  let k = kindCache.get(ctor);
  if (k === undefined) {
    // A bundler may rename a class that refers to itself (esbuild: `_QueryStatementContext`, the CLI
    // bundle), so leading underscores are not part of the kind.
    const name = ctor.name.replace(/^_+/, "").replace(/Context$/, "");
    k = name.charAt(0).toLowerCase() + name.slice(1);
    kindCache.set(ctor, k);
  }
  return k;
}

export function kids(n: Node): ParseTree[] {
  return n.children ?? [];
}

export function ruleKids(n: Node): Node[] {
  return (n.children ?? []).filter((c): c is Node => !isTerminal(c));
}

export function child(n: Node, k: string): Node | undefined {
  for (const c of n.children ?? []) if (!isTerminal(c) && is(c as Node, k)) return c as Node;
  return undefined;
}

export function childrenOf(n: Node, k: string): Node[] {
  return (n.children ?? []).filter((c): c is Node => !isTerminal(c) && is(c as Node, k));
}

/** Terminal tokens directly under n, upper-cased. */
export function tokensOf(n: Node): string[] {
  return (n.children ?? []).filter(isTerminal).map((t) => t.symbol.text?.toUpperCase() ?? "");
}

export function hasToken(n: Node, text: string): boolean {
  return (n.children ?? []).some((c) => isTerminal(c) && c.symbol.text?.toUpperCase() === text);
}

/** Depth-first descendants of a kind; does not descend into nodes for which `stop` returns true. */
export function descendants(n: Node, k: string | ((x: Node) => boolean), stop?: (x: Node) => boolean): Node[] {
  const out: Node[] = [];
  const test = typeof k === "string" ? (x: Node) => is(x, k) : k;
  const walk = (x: Node) => {
    for (const c of x.children ?? []) {
      if (isTerminal(c)) continue;
      const cn = c as Node;
      if (test(cn)) out.push(cn);
      if (!stop || !stop(cn)) walk(cn);
    }
  };
  walk(n);
  return out;
}

export function first(n: Node, k: string): Node | undefined {
  for (const c of n.children ?? []) {
    if (isTerminal(c)) continue;
    const cn = c as Node;
    if (is(cn, k)) return cn;
    const d = first(cn, k);
    if (d) return d;
  }
  return undefined;
}

/** Start offset (inclusive) and end offset (exclusive) of a node in the parsed text. */
export function span(n: Node): { start: number; end: number } {
  const start = n.start?.start ?? 0;
  const stop: Token | null = n.stop;
  const end = stop && stop.stop >= stop.start ? stop.stop + 1 : start;
  return { start, end: Math.max(start, end) };
}

export function textOf(src: string, n: Node): string {
  const s = span(n);
  return src.slice(s.start, s.end);
}

/** Identifier text without backticks: `a b` -> a b. */
export function unquote(id: string): string {
  return id.startsWith("`") && id.endsWith("`") ? id.slice(1, -1).replace(/``/g, "`") : id;
}

/** Dotted path parts of a uid / tablePath / columnNamePath node. */
export function pathParts(src: string, n: Node): string[] {
  const ids = descendants(n, "identifier", (x) => is(x, "identifier"));
  const idNodes = ids.length > 0 ? ids : [n];
  // Some rules use other identifier spellings (e.g. unquotedIdentifier directly).
  return idNodes.map((i) => unquote(textOf(src, i)));
}
