import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { firstDifference, formatSql } from "./format";

const MESSY = `-- daily coupon totals
insert into dws_totals with a as (select user_id, count(*) c from \`ods\`.events /*+ OPTIONS('scan.startup.mode'='latest') */ where dt='\${bizdate}' and n > \${lo} group by user_id)
 select window_start, a.c /* inline note */ from TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) join a on a.user_id = t.user_id;
`;

function refusal(sql: string): ValidationError {
  try {
    formatSql({ sql });
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("formatSql", () => {
  it("lays out Flink SQL and keeps every token, variable, hint and comment", () => {
    const { sql, changed } = formatSql({ sql: MESSY });
    expect(changed).toBe(true);
    expect(sql).toContain("-- daily coupon totals\ninsert into\n  dws_totals\nwith\n  a as (");
    expect(sql).toContain("`ods`.events /*+ OPTIONS('scan.startup.mode'='latest') */");
    expect(sql).toContain("dt = '${bizdate}'");
    expect(sql).toContain("and n > ${lo}");
    expect(sql).toContain("/* inline note */");
    expect(sql).toContain("TUMBLE (TABLE t, DESCRIPTOR (ts), INTERVAL '1' MINUTE)");
    expect(sql.endsWith(";\n")).toBe(true);
    expect(sql.split("\n").length).toBeGreaterThan(15);
  });

  it("is idempotent", () => {
    for (const input of [MESSY, "SELECT x.a, d.`b c` FROM t AS x JOIN dim FOR SYSTEM_TIME AS OF x.proc AS d ON x.k = d.k", "SELECT a FROM t;\n-- end\n"]) {
      const once = formatSql({ sql: input }).sql;
      const twice = formatSql({ sql: once });
      expect(twice.sql).toBe(once);
      expect(twice.changed).toBe(false);
    }
  });

  it("keeps a trailing comment and the final newline", () => {
    expect(formatSql({ sql: "SELECT a FROM t;\n-- end\n" }).sql).toBe("SELECT\n  a\nFROM\n  t;\n\n-- end\n");
  });

  it("refuses SQL that does not parse, with the position of the error", () => {
    const e = refusal("SELECT a FROM t\nWHERE b = = 1");
    expect(e.issues[0]).toMatchObject({ path: "sql", line: 2 });
    expect(e.issues[0]?.message).toMatch(/^cannot format: /);
  });

  it("refuses empty input", () => {
    expect(() => formatSql({ sql: "" })).toThrow();
  });

  it("finds a changed token, a lost comment and a changed variable, located in the input", () => {
    expect(firstDifference("SELECT a FROM t", "SELECT\n  a\nFROM\n  t")).toBeUndefined();
    expect(firstDifference("SELECT a /* why */ FROM t", "SELECT\n  a /*  why */\nFROM t")).toBeUndefined();
    expect(firstDifference("SELECT a\nFROM t", "SELECT b FROM t")).toMatchObject({ message: "a token 'a' would become 'b'", at: { line: 1, column: 8 } });
    expect(firstDifference("SELECT a -- keep\nFROM t", "SELECT a FROM t")?.message).toBe("a comment '-- keep' would become 'FROM'");
    expect(firstDifference("SELECT a FROM t -- end", "SELECT a FROM t")?.message).toBe("a comment '-- end' would be lost");
    expect(firstDifference("SELECT '${bizdate}', ${a} FROM t", "SELECT '${bizdate}', ${b} FROM t")?.message).toBe("a token '${a}' would become '${b}'");
    expect(firstDifference("SELECT `a b` FROM t", "SELECT `a  b` FROM t")?.message).toMatch(/would become/);
  });
});
