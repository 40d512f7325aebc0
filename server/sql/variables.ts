import type { Issue } from "../errors";

// `${name}` substitution before parsing. The substituted text is what the parser sees, so every
// position the parser reports is mapped back to the user's text through a SourceMap.

export type Mode = "stream" | "batch";

export interface VariableContext {
  /** YYYY-MM-DD */
  bizdate: string;
  mode: Mode;
  /** The job's own variables; values may use the built-in ones. */
  user?: Readonly<Record<string, string>>;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The built-in variables for one bizdate and mode; documented in docs/sql-translation.md. */
export function builtinVariables(bizdate: string, mode: Mode): Record<string, string> {
  const prev = addDays(bizdate, -1);
  const next = addDays(bizdate, 1);
  const monthStart = `${bizdate.slice(0, 7)}-01`;
  const monthEnd = addDays(addMonths(monthStart, 1), -1);
  return {
    bizdate,
    bizdate_nodash: nodash(bizdate),
    bizdate_start: `${bizdate} 00:00:00`,
    bizdate_end: `${bizdate} 23:59:59.999`,
    bizdate_prev: prev,
    bizdate_prev_nodash: nodash(prev),
    bizdate_next: next,
    bizdate_next_nodash: nodash(next),
    bizdate_month: bizdate.slice(0, 7),
    bizdate_month_nodash: nodash(bizdate.slice(0, 7)),
    bizdate_month_start: monthStart,
    bizdate_month_end: monthEnd,
    bizdate_prev_month: addMonths(monthStart, -1).slice(0, 7),
    bizdate_year: bizdate.slice(0, 4),
    mode,
  };
}

/** Names a job may not use for its own variables: the built-ins, whatever the date. */
export const BUILTIN_VARIABLE_NAMES: ReadonlySet<string> = new Set(Object.keys(builtinVariables("2000-01-01", "batch")));

function nodash(date: string): string {
  return date.replace(/-/g, "");
}

/** `date` is the first of a month; the first of the month `months` later. */
function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** One issue per job variable named like a built-in (it would otherwise be silently shadowed). */
export function variableClashes(user: Readonly<Record<string, string>> | undefined, jobPath: string): Issue[] {
  return Object.keys(user ?? {}).filter((k) => BUILTIN_VARIABLE_NAMES.has(k)).map((k) => ({
    path: `${jobPath}.variables.${k}`,
    message: `the variable '${k}' is built in and cannot be redefined; rename it (e.g. '${k}_custom') or use the built-in \${${k}}`,
  }));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

interface Segment { src: number; dst: number; srcLen: number; dstLen: number }

/** Maps offsets of the substituted text back to the original text. */
export class SourceMap {
  private readonly lineStarts: number[];
  constructor(readonly original: string, private readonly segments: Segment[]) {
    this.lineStarts = lineStarts(original);
  }

  /** Original offset of an offset in the substituted text; inside a substituted value, the `${`. */
  toOriginalOffset(dst: number): number {
    let shift = 0;
    for (const s of this.segments) {
      if (dst < s.dst) break;
      if (dst < s.dst + s.dstLen) return s.src;
      shift = s.src + s.srcLen - (s.dst + s.dstLen);
    }
    return dst + shift;
  }

  /** 1-based line and column in the original text. */
  position(dst: number): { line: number; column: number } {
    return positionOf(this.lineStarts, this.toOriginalOffset(dst));
  }
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function positionOf(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

export function offsetOf(starts: number[], line: number, column: number): number {
  return (starts[line - 1] ?? 0) + column - 1;
}

export interface Substituted {
  text: string;
  map: SourceMap;
  issues: Issue[];
  /** Names actually used, for the job's dependency on ${mode}. */
  used: Set<string>;
}

/**
 * Replaces every `${name}`. User variables may refer to built-ins (one level); an undefined
 * variable is reported at its position and left in place so parsing can go on.
 */
export function substituteVariables(sql: string, ctx: VariableContext, path: string): Substituted {
  const builtins = builtinVariables(ctx.bizdate, ctx.mode);
  const values = new Map<string, string>(Object.entries(builtins));
  for (const [k, v] of Object.entries(ctx.user ?? {})) {
    if (!values.has(k)) values.set(k, v.replace(VAR, (m, n: string) => builtins[n] ?? m));
  }
  const issues: Issue[] = [];
  const used = new Set<string>();
  const segments: Segment[] = [];
  const starts = lineStarts(sql);
  let out = "";
  let last = 0;
  for (const m of sql.matchAll(VAR)) {
    const name = m[1] ?? "";
    const at = m.index;
    const value = values.get(name);
    if (value === undefined) {
      const known = [...values.keys()].sort().join(", ");
      issues.push({ path, ...positionOf(starts, at), message: `undefined variable '\${${name}}'; defined: ${known} (declare it under the job's variables)` });
      continue;
    }
    used.add(name);
    out += sql.slice(last, at);
    segments.push({ src: at, dst: out.length, srcLen: m[0].length, dstLen: value.length });
    out += value;
    last = at + m[0].length;
  }
  out += sql.slice(last);
  return { text: out, map: new SourceMap(sql, segments), issues, used };
}
