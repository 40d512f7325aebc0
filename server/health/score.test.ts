import { describe, expect, it } from "vitest";
import { healthScore, sortFindings, type HealthFinding, type Risk } from "./score";

// The score rule alone: 100, less 5 per high-risk finding, 3 per medium, 1 per low, never below 0.

const finding = (risk: Risk, at?: string): HealthFinding => ({ source: "test", code: risk, risk, message: `a ${risk} finding`, action: "do something", ...(at ? { at: new Date(at) } : {}) });

describe("the health score", () => {
  it("is 100 without findings", () => {
    expect(healthScore([])).toBe(100);
  });

  it("takes 5 for a high-risk finding, 3 for a medium one, 1 for a low one", () => {
    expect(healthScore([finding("high")])).toBe(95);
    expect(healthScore([finding("medium")])).toBe(97);
    expect(healthScore([finding("low")])).toBe(99);
    expect(healthScore([finding("high"), finding("high"), finding("medium"), finding("low"), finding("low")])).toBe(100 - 10 - 3 - 2);
  });

  it("never goes below 0", () => {
    expect(healthScore(Array.from({ length: 20 }, () => finding("high")))).toBe(0);
    expect(healthScore(Array.from({ length: 21 }, () => finding("high")))).toBe(0);
    const nineteen = Array.from({ length: 19 }, () => finding("high"));
    expect(healthScore([...nineteen, finding("medium")])).toBe(2);
    expect(healthScore([...nineteen, finding("medium"), finding("low"), finding("low"), finding("low")])).toBe(0);
  });

  it("lists the worst findings first, the newest first among equals", () => {
    const sorted = sortFindings([finding("low", "2024-11-12"), finding("high", "2024-11-10"), finding("medium"), finding("high", "2024-11-11")]);
    expect(sorted.map((f) => `${f.risk} ${f.at?.toISOString().slice(0, 10) ?? "-"}`)).toEqual(["high 2024-11-11", "high 2024-11-10", "medium -", "low 2024-11-12"]);
  });
});
