import { afterEach, describe, expect, it, vi } from "vitest";
import { parseFlinkSql, syntaxSuggestions } from "./parser";

// Syntax errors reach the caller, worded from the caller's own text, and never the server log:
// dt-sql-parser words an error from the text of its last cached parse (a completion's, say) and re-parses
// slices of it with antlr's console listener on.

const HALF_TYPED = ["INSERT INTO ads_coupon_daily", "SELECT dt,", "  coupon_id,", "  COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,", "  act", "FROM mix_coupon_events", "GROUP BY dt, coupon_id"].join("\n");
const BROKEN = ["INSERT INTO ads_coupon_daily", "SELECT dt,", "  coupon_id,", "act", "  COUNT(*) AS pv, COUNT(DISTINCT user_id) AS uv,", "  0 AS redeemed, 0 AS gmv_cents", "FROM mix_coupon_events", "GROUP BY dt, coupon_id"].join("\n");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("parseFlinkSql", () => {
  it("words a statement's errors from its own text, whatever was parsed before, and prints nothing", () => {
    const printed = vi.spyOn(console, "error");
    const first = parseFlinkSql(BROKEN).errors;
    expect(first.length).toBeGreaterThan(0);
    expect(BROKEN.slice(0, first[0]?.start).split("\n")).toHaveLength(5); // the first error is on line 5
    // A completion in between (another text in dt-sql-parser's cache) changes nothing.
    expect(syntaxSuggestions(HALF_TYPED, 5, 6).word).toBe("act");
    expect(parseFlinkSql(BROKEN).errors).toEqual(first);
    expect(printed).not.toHaveBeenCalled();
  });

  it("reports lexer errors (an unterminated string) without printing them", () => {
    const printed = vi.spyOn(console, "error");
    expect(parseFlinkSql("SELECT 'abc FROM t").errors.length).toBeGreaterThan(0);
    expect(parseFlinkSql("SELECT a FROM t").errors).toEqual([]);
    expect(printed).not.toHaveBeenCalled();
  });

  it("leaves other console errors alone", () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => undefined);
    parseFlinkSql(BROKEN);
    console.error("something else");
    expect(printed).toHaveBeenCalledWith("something else");
  });
});
