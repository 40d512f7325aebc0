// Flink SQL data types, parsed from the strings users write in DDL ("DECIMAL(10, 2) NOT NULL",
// "ROW<a INT, b ARRAY<STRING>>"). The catalog stores the normalized string; the parsed form is used to
// compare the two sides of a meta-table and to map types to DuckDB for the local engine.

export type FlinkType =
  | { kind: "scalar"; name: ScalarName; params: number[]; nullable: boolean }
  | { kind: "array"; element: FlinkType; nullable: boolean }
  | { kind: "map"; key: FlinkType; value: FlinkType; nullable: boolean }
  | { kind: "row"; fields: { name: string; type: FlinkType }[]; nullable: boolean };

export const SCALAR_NAMES = [
  "CHAR", "VARCHAR", "STRING", "BOOLEAN", "BINARY", "VARBINARY", "BYTES",
  "DECIMAL", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE",
  "DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ",
] as const;
export type ScalarName = (typeof SCALAR_NAMES)[number];

const ALIASES: Record<string, ScalarName> = {
  INTEGER: "INT", NUMERIC: "DECIMAL", DEC: "DECIMAL", "DOUBLE PRECISION": "DOUBLE",
  "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP", "TIMESTAMP WITH LOCAL TIME ZONE": "TIMESTAMP_LTZ",
};

export class FlinkTypeError extends Error {}

/** Parses a Flink SQL type string; throws FlinkTypeError with the offending position. */
export function parseFlinkType(input: string): FlinkType {
  const p = new TypeParser(input);
  const t = p.parseType();
  p.expectEnd();
  return t;
}

/** Canonical spelling: upper-case names, normalized spacing, defaults made explicit where Flink has them. */
export function formatFlinkType(t: FlinkType): string {
  const nn = t.nullable ? "" : " NOT NULL";
  switch (t.kind) {
    case "scalar":
      return `${t.name}${t.params.length ? `(${t.params.join(", ")})` : ""}${nn}`;
    case "array":
      return `ARRAY<${formatFlinkType(t.element)}>${nn}`;
    case "map":
      return `MAP<${formatFlinkType(t.key)}, ${formatFlinkType(t.value)}>${nn}`;
    case "row":
      return `ROW<${t.fields.map((f) => `${quoteIfNeeded(f.name)} ${formatFlinkType(f.type)}`).join(", ")}>${nn}`;
  }
}

export function normalizeFlinkType(input: string): string {
  return formatFlinkType(parseFlinkType(input));
}

type Family = "string" | "boolean" | "binary" | "exact" | "approx" | "date" | "time" | "timestamp" | "timestamp_ltz";
const FAMILY: Record<ScalarName, Family> = {
  CHAR: "string", VARCHAR: "string", STRING: "string", BOOLEAN: "boolean",
  BINARY: "binary", VARBINARY: "binary", BYTES: "binary",
  DECIMAL: "exact", TINYINT: "exact", SMALLINT: "exact", INT: "exact", BIGINT: "exact",
  FLOAT: "approx", DOUBLE: "approx", DATE: "date", TIME: "time",
  TIMESTAMP: "timestamp", TIMESTAMP_LTZ: "timestamp_ltz",
};
const INT_RANK: Partial<Record<ScalarName, number>> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5 };

/**
 * Whether a value of type `from` can stand where `to` is declared without changing meaning:
 * same family, and for integers no narrowing. Character lengths and timestamp precision are not
 * compared: Flink casts those implicitly and both sides of a meta-table meet in one view.
 */
export function isAssignable(from: FlinkType, to: FlinkType): boolean {
  if (from.kind !== to.kind) return false;
  if (from.kind === "scalar" && to.kind === "scalar") {
    const ff = FAMILY[from.name], tf = FAMILY[to.name];
    if (ff !== tf) return tf === "approx" && ff === "exact";
    if (ff === "exact") return (INT_RANK[from.name] ?? 0) <= (INT_RANK[to.name] ?? 0);
    if (ff === "approx") return !(from.name === "DOUBLE" && to.name === "FLOAT");
    return true;
  }
  if (from.kind === "array" && to.kind === "array") return isAssignable(from.element, to.element);
  if (from.kind === "map" && to.kind === "map") return isAssignable(from.key, to.key) && isAssignable(from.value, to.value);
  if (from.kind === "row" && to.kind === "row") {
    return from.fields.length === to.fields.length &&
      from.fields.every((f, i) => { const g = to.fields[i]; return g !== undefined && isAssignable(f.type, g.type); });
  }
  return false;
}

function quoteIfNeeded(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, "``")}\``;
}

class TypeParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseType(): FlinkType {
    const word = this.readWords();
    if (word === "ARRAY") {
      this.expect("<");
      const element = this.parseType();
      this.expect(">");
      return { kind: "array", element, nullable: this.readNullability() };
    }
    if (word === "MAP") {
      this.expect("<");
      const key = this.parseType();
      this.expect(",");
      const value = this.parseType();
      this.expect(">");
      return { kind: "map", key, value, nullable: this.readNullability() };
    }
    if (word === "ROW") {
      const close = this.peek() === "(" ? ")" : ">";
      this.expect(close === ")" ? "(" : "<");
      const fields: { name: string; type: FlinkType }[] = [];
      while (this.peek() !== close) {
        const name = this.readIdentifier();
        fields.push({ name, type: this.parseType() });
        if (this.peek() === "'") this.skipString(); // field description
        if (this.peek() === ",") this.pos++;
        else break;
        this.skipSpace();
      }
      this.expect(close);
      return { kind: "row", fields, nullable: this.readNullability() };
    }
    const name = (ALIASES[word] ?? word) as ScalarName;
    if (!(SCALAR_NAMES as readonly string[]).includes(name)) {
      throw new FlinkTypeError(`unknown type '${word}' in '${this.src}'; expected one of ${SCALAR_NAMES.join(", ")}, ARRAY<..>, MAP<..>, ROW<..>`);
    }
    const params: number[] = [];
    if (this.peek() === "(") {
      this.pos++;
      for (;;) {
        this.skipSpace();
        const m = /^\d+/.exec(this.src.slice(this.pos));
        if (!m) throw this.error("a number");
        params.push(Number(m[0]));
        this.pos += m[0].length;
        this.skipSpace();
        if (this.peek() === ",") { this.pos++; continue; }
        this.expect(")");
        break;
      }
    }
    // TIMESTAMP(3) WITH LOCAL TIME ZONE puts the precision before the suffix.
    let finalName = name;
    if (name === "TIMESTAMP") {
      const rest = this.src.slice(this.pos).toUpperCase();
      const m = /^\s*(WITH LOCAL TIME ZONE|WITHOUT TIME ZONE)\b/.exec(rest);
      if (m) {
        this.pos += m[0].length;
        if (m[1] === "WITH LOCAL TIME ZONE") finalName = "TIMESTAMP_LTZ";
      }
    }
    return { kind: "scalar", name: finalName, params: defaultParams(finalName, params), nullable: this.readNullability() };
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.src.length) throw this.error("end of type");
  }

  private readWords(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw this.error("a type name");
    this.pos += m[0].length;
    let word = m[0].toUpperCase();
    if (word === "DOUBLE") {
      const n = /^\s+PRECISION\b/i.exec(this.src.slice(this.pos));
      if (n) { this.pos += n[0].length; word = "DOUBLE PRECISION"; }
    }
    return word;
  }

  private readIdentifier(): string {
    this.skipSpace();
    if (this.peek() === "`") {
      const end = this.src.indexOf("`", this.pos + 1);
      if (end < 0) throw this.error("closing backtick");
      const name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos));
    if (!m) throw this.error("a field name");
    this.pos += m[0].length;
    return m[0];
  }

  private readNullability(): boolean {
    const m = /^\s*(NOT\s+NULL|NULL)\b/i.exec(this.src.slice(this.pos));
    if (!m) return true;
    this.pos += m[0].length;
    return !/^NOT/i.test(m[1] ?? "");
  }

  private skipString(): void {
    const end = this.src.indexOf("'", this.pos + 1);
    this.pos = end < 0 ? this.src.length : end + 1;
    this.skipSpace();
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.src[this.pos];
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw this.error(`'${ch}'`);
    this.pos++;
  }

  private error(expected: string): FlinkTypeError {
    return new FlinkTypeError(`invalid type '${this.src}': expected ${expected} at position ${this.pos + 1}`);
  }
}

function defaultParams(name: ScalarName, params: number[]): number[] {
  if (params.length) return params;
  switch (name) {
    case "DECIMAL": return [10, 0];
    case "CHAR": case "BINARY": return [1];
    default: return [];
  }
}
