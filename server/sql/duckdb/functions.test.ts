import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFlinkSql } from "../parser";
import { LOCAL_SETUP } from "../translate/local";
import { flinkSelectToDuckdb } from "./convert";
import { localFunctionIssues } from "./function-check";

// Each expected value is the result Flink's documentation gives for the expression (or follows from its
// stated rules: NULL handling, 0-based SPLIT_INDEX, NULL when REGEXP_EXTRACT finds nothing).

let db: DuckDBInstance;
let c: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:");
  c = await db.connect();
  for (const s of LOCAL_SETUP) await c.run(s);
});
afterAll(() => c.closeSync());

async function value(flinkExpr: string): Promise<unknown> {
  const r = await c.runAndReadAll(flinkSelectToDuckdb(`SELECT ${flinkExpr} AS v`));
  const v = r.getRowObjects()[0]?.v;
  return typeof v === "bigint" ? Number(v) : v;
}

async function expectValues(cases: [string, unknown][]): Promise<void> {
  for (const [expr, want] of cases) expect(await value(expr), expr).toEqual(want);
}

describe("regular expressions", () => {
  it("REGEXP_EXTRACT: the group (0 = whole match by default), NULL when nothing matches", async () => {
    await expectValues([
      ["REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2)", "bar"],
      ["REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 1)", "the"],
      ["REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)')", "foothebar"],
      ["REGEXP_EXTRACT('foothebar', 'x(y)', 1)", null],
      ["REGEXP_EXTRACT(CAST(NULL AS STRING), 'a(b)', 1)", null],
    ]);
  });

  it("REGEXP_REPLACE replaces every match and reads $n as a group; REGEXP matches any substring", async () => {
    await expectValues([
      ["REGEXP_REPLACE('foobar', 'oo|ar', '')", "fb"],
      ["REGEXP_REPLACE('2024-11-11', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1')", "11/11/2024"],
      ["REGEXP_REPLACE('a.b', '\\.', '\\$')", "a$b"],
      ["REGEXP('abc', 'b')", true],
      ["REGEXP('abc', '^b')", false],
    ]);
  });

  it("refuses Java-only regex constructs and a group past the pattern's groups, at validation", () => {
    const issues = (sql: string) => localFunctionIssues(parseFlinkSql(sql)).map((i) => i.message);
    expect(issues("SELECT REGEXP_EXTRACT(s, '(?<=a)b', 0) FROM t")).toEqual([expect.stringMatching(/lookahead or lookbehind \(Java regex\)/)]);
    expect(issues("SELECT REGEXP_REPLACE(s, '(a)\\1', '') FROM t")).toEqual([expect.stringMatching(/backreferences/)]);
    expect(issues("SELECT REGEXP_EXTRACT(s, 'a(b)', 2) FROM t")).toEqual([expect.stringMatching(/group 2: the pattern has only 1 group/)]);
    expect(issues("SELECT REGEXP_EXTRACT(s, p, 1) FROM t")).toEqual([expect.stringMatching(/pattern that is not a string literal/)]);
    expect(issues("SELECT REGEXP_EXTRACT(s, '\\(x\\)[(]', 0) FROM t")).toEqual([]);
    expect(() => flinkSelectToDuckdb("SELECT REGEXP_EXTRACT(s, 'a*+', 0) FROM t")).toThrow(/possessive quantifiers/);
  });
});

describe("strings", () => {
  it("follow Flink's positions and NULL rules", async () => {
    await expectValues([
      ["CONCAT('AA', 'BB', 'CC')", "AABBCC"],
      ["CONCAT('AA', CAST(NULL AS STRING))", null],
      ["CONCAT_WS('~', 'AA', CAST(NULL AS STRING), 'BB', '', 'CC')", "AA~BB~~CC"],
      ["SPLIT_INDEX('Jack,John,Mary', ',', 2)", "Mary"],
      ["SPLIT_INDEX('Jack,John,Mary', ',', 0)", "Jack"],
      ["SPLIT_INDEX('Jack,John,Mary', ',', 3)", null],
      ["SPLIT_INDEX('Jack,John,Mary', ',', -1)", null],
      ["SPLIT_INDEX('a,,b', ',', 1)", ""],
      ["LPAD('hi', 4, '??')", "??hi"],
      ["LPAD('hi', 1, '??')", "h"],
      ["RPAD('hi', 4, '??')", "hi??"],
      ["LOCATE('b', 'abc')", 2],
      ["LOCATE('z', 'abc')", 0],
      ["SUBSTRING('hello', 2, 3)", "ell"],
      ["SUBSTR('hello', 2)", "ello"],
      ["REPEAT('ab', 3)", "ababab"],
      ["REVERSE('abc')", "cba"],
      ["TO_BASE64('hello world')", "aGVsbG8gd29ybGQ="],
      ["FROM_BASE64('aGVsbG8gd29ybGQ=')", "hello world"],
      ["MD5('')", "d41d8cd98f00b204e9800998ecf8427e"],
    ]);
  });
});

describe("JSON_VALUE", () => {
  it("returns scalars as strings and NULL for objects, arrays, missing paths and invalid JSON", async () => {
    await expectValues([
      [`JSON_VALUE('{"a": true}', '$.a')`, "true"],
      [`JSON_VALUE('{"a": {"b": "x"}}', '$.a.b')`, "x"],
      [`JSON_VALUE('{"a": [10, 20]}', '$.a[1]')`, "20"],
      [`JSON_VALUE('{"a": {"b": 1}}', '$.a')`, null],
      [`JSON_VALUE('{"a": [1]}', '$.a')`, null],
      [`JSON_VALUE('{"a": 1}', '$.b')`, null],
      [`JSON_VALUE('not json', '$.a')`, null],
    ]);
  });
});

describe("math and conditionals", () => {
  it("follow Flink's definitions (LOG is natural, GREATEST is NULL with a NULL argument)", async () => {
    await expectValues([
      ["LOG(2, 8)", 3],
      ["ROUND(LOG(EXP(2)), 6)", 2],
      ["LOG10(1000)", 3],
      ["LOG2(8)", 3],
      ["MOD(-7, 3)", -1],
      ["GREATEST(1, 5, 3)", 5],
      ["GREATEST(1, CAST(NULL AS INT), 3)", null],
      ["LEAST(4, 2, 3)", 2],
      ["LEAST(4, CAST(NULL AS INT))", null],
      ["IFNULL(CAST(NULL AS STRING), 'x')", "x"],
      ["COALESCE(CAST(NULL AS INT), 5)", 5],
      ["IF(1 > 0, 'a', 'b')", "a"],
      ["NULLIF(3, 3)", null],
    ]);
  });
});

describe("date and time", () => {
  it("parse and format as Flink does (NULL for a string that does not match)", async () => {
    await expectValues([
      ["DAYOFWEEK(DATE '1994-09-27')", 3],
      ["DAYOFWEEK(DATE '2024-11-10')", 1],
      ["CAST(TO_DATE('2024-11-11') AS STRING)", "2024-11-11"],
      ["CAST(TO_DATE('20241111', 'yyyyMMdd') AS STRING)", "2024-11-11"],
      ["TO_DATE('2024-13-45')", null],
      ["DATE_FORMAT(TO_TIMESTAMP('2024-11-11 23:59:59'), 'yyyyMMdd HH:mm:ss')", "20241111 23:59:59"],
      ["TO_TIMESTAMP('11/11/2024 00:00:01', 'MM/dd/yyyy HH:mm:ss') IS NOT NULL", true],
      ["TO_TIMESTAMP('not a time')", null],
      ["FROM_UNIXTIME(44)", "1970-01-01 00:00:44"],
      ["FROM_UNIXTIME(1731369599, 'yyyyMMdd')", "20241111"],
    ]);
  });
});

describe("unmapped functions", () => {
  it("are refused at validation with the reason, and unknown names as unknown", () => {
    const messages = localFunctionIssues(parseFlinkSql("SELECT a FROM t WHERE INITCAP(a) = 'X' AND NO_SUCH_FN(a) = 1")).map((i) => i.message);
    expect(messages).toEqual([
      expect.stringMatching(/cannot run INITCAP: DuckDB has no function/),
      expect.stringMatching(/NO_SUCH_FN is not a Flink built-in the local engine knows/),
    ]);
  });
});
