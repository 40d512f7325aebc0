import { describe, expect, it } from "vitest";
import { kind, type Node } from "./tree";
import { parseFlinkSql } from "./parser";

// Node kinds come from the parser's class names; the CLI bundle (esbuild) renames a class that refers
// to itself to `_NameContext`, which once made the stream translator refuse every GROUP BY there.

describe("kind", () => {
  it("is the class name without Context, first letter lower-cased", () => {
    const parsed = parseFlinkSql("SELECT a FROM t");
    expect(kind(parsed.tree)).toBe("program");
  });

  it("ignores the leading underscore a bundler gives a self-referencing class", () => {
    // Objects whose constructor carries the name, as a parse tree's nodes do.
    const node = (name: string) => ({ constructor: { name } }) as unknown as Node;
    expect(kind(node("_QueryStatementContext"))).toBe("queryStatement");
    expect(kind(node("QueryStatementContext"))).toBe("queryStatement");
  });
});
