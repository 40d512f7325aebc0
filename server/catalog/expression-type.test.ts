import { describe, expect, it } from "vitest";
import { expressionType } from "./expression-type";
import { formatFlinkType, parseFlinkType, type FlinkType } from "./flink-types";

const columns = new Map<string, FlinkType | undefined>([
  ["user_id", parseFlinkType("STRING")],
  ["ts_ms", parseFlinkType("BIGINT")],
  ["amount", parseFlinkType("DECIMAL(12, 2)")],
]);
const typeOf = (expr: string) => {
  const t = expressionType(expr, columns);
  return t ? formatFlinkType(t) : undefined;
};

describe("expressionType", () => {
  it("reads the type a mapping expression states", () => {
    expect(typeOf("CAST(user_id AS BIGINT)")).toBe("BIGINT");
    expect(typeOf("  ( TRY_CAST(amount * 100 AS DECIMAL(14, 0)) ) ")).toBe("DECIMAL(14, 0)");
    expect(typeOf("CAST(CAST(ts_ms AS STRING) AS INT)")).toBe("INT");
    expect(typeOf("CAST(event_time AS TIMESTAMP_LTZ(3))")).toBe("TIMESTAMP_LTZ(3)");
    expect(typeOf("`ts_ms`")).toBe("BIGINT");
    expect(typeOf("'V'")).toBe("STRING");
    expect(typeOf("42")).toBe("INT");
    expect(typeOf("CASE action_type WHEN 'V' THEN 'view' WHEN 'C' THEN 'claim' ELSE NULL END")).toBe("STRING");
    expect(typeOf("CASE WHEN is_new = 'Y' THEN 1 ELSE 0 END")).toBe("INT");
    expect(typeOf("DATE_FORMAT(event_time, 'yyyy-MM-dd')")).toBe("STRING");
    expect(typeOf("TO_TIMESTAMP_LTZ(ts_ms, 3)")).toBe("TIMESTAMP_LTZ(3)");
    expect(typeOf("user_id || '-' || CAST(ts_ms AS STRING)")).toBe("STRING");
  });

  it("gives no answer rather than a guess", () => {
    expect(typeOf("amount * 100")).toBeUndefined();
    expect(typeOf("CAST(a AS BIGINT) + 1")).toBeUndefined();
    expect(typeOf("CASE WHEN a THEN b ELSE 'x' END")).toBeUndefined();
    expect(typeOf("CASE WHEN a THEN 'x' ELSE 1 END")).toBeUndefined();
    expect(typeOf("CASE WHEN a THEN CASE WHEN b THEN 'x' END ELSE 'y' END")).toBeUndefined();
    expect(typeOf("COALESCE(user_id, 'x')")).toBeUndefined();
    expect(typeOf("unknown_column")).toBeUndefined();
    expect(typeOf("CAST(x AS NOT_A_TYPE)")).toBeUndefined();
    expect(typeOf("'it''s' AS x")).toBeUndefined();
    expect(typeOf("CAST('a) AS' AS INT)")).toBe("INT");
  });
});
