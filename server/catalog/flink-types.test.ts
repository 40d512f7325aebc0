import { describe, expect, it } from "vitest";
import { formatFlinkType, isAssignable, normalizeFlinkType, parseFlinkType } from "./flink-types";

describe("Flink types", () => {
  it("normalizes spelling, aliases and defaults", () => {
    expect(normalizeFlinkType("bigint")).toBe("BIGINT");
    expect(normalizeFlinkType("integer not null")).toBe("INT NOT NULL");
    expect(normalizeFlinkType("decimal")).toBe("DECIMAL(10, 0)");
    expect(normalizeFlinkType("DECIMAL(12,2)")).toBe("DECIMAL(12, 2)");
    expect(normalizeFlinkType("timestamp(3) with local time zone")).toBe("TIMESTAMP_LTZ(3)");
    expect(normalizeFlinkType("map<string, array<int>>")).toBe("MAP<STRING, ARRAY<INT>>");
    expect(normalizeFlinkType("ROW<a INT, `b c` STRING>")).toBe("ROW<a INT, `b c` STRING>");
  });

  it("rejects unknown types with the valid options and positions", () => {
    expect(() => parseFlinkType("BIGINTEGER")).toThrow(/unknown type 'BIGINTEGER'.*expected one of .*BIGINT/);
    expect(() => parseFlinkType("DECIMAL(10,")).toThrow(/expected a number at position 12/);
    expect(() => parseFlinkType("INT INT")).toThrow(/expected end of type/);
  });

  it("allows widening but not narrowing or changing family", () => {
    const t = (s: string) => parseFlinkType(s);
    expect(isAssignable(t("INT"), t("BIGINT"))).toBe(true);
    expect(isAssignable(t("BIGINT"), t("INT"))).toBe(false);
    expect(isAssignable(t("VARCHAR(10)"), t("STRING"))).toBe(true);
    expect(isAssignable(t("STRING"), t("BIGINT"))).toBe(false);
    expect(isAssignable(t("TIMESTAMP(3)"), t("TIMESTAMP_LTZ(3)"))).toBe(false);
    expect(isAssignable(t("BIGINT"), t("DOUBLE"))).toBe(true);
    expect(formatFlinkType(t("ARRAY<STRING> NOT NULL"))).toBe("ARRAY<STRING> NOT NULL");
  });
});
