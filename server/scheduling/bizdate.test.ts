import { describe, expect, it } from "vitest";
import { Bizdate, bizdateFor, bizdateRange } from "./bizdate";

describe("Bizdate", () => {
  it("parses both forms to the same day and formats per pattern", () => {
    const a = Bizdate.parse("20240229");
    expect(a.equals(Bizdate.parse("2024-02-29"))).toBe(true);
    expect(a.format("yyyy-MM-dd")).toBe("2024-02-29");
    expect(a.format("yyyy/MM/dd")).toBe("2024/02/29");
    expect(String(a)).toBe("20240229");
  });

  it("rejects text that is not a calendar day with a clear message", () => {
    expect(() => Bizdate.parse("20230229")).toThrow(/not a calendar day/);
    expect(() => Bizdate.parse("2024-13-01")).toThrow(/not a calendar day/);
    expect(() => Bizdate.parse("yesterday")).toThrow(/YYYYMMDD or YYYY-MM-DD/);
    expect(() => Bizdate.parse("2024-1-1")).toThrow(/YYYYMMDD/);
  });

  it("does day arithmetic across month, leap-day and year ends", () => {
    expect(Bizdate.parse("20240228").addDays(1).toString()).toBe("20240229");
    expect(Bizdate.parse("20240301").addDays(-1).toString()).toBe("20240229");
    expect(Bizdate.parse("20231231").addDays(1).toString()).toBe("20240101");
    expect(Bizdate.parse("20240101").daysUntil(Bizdate.parse("20250101"))).toBe(366);
    expect(() => Bizdate.parse("20240101").addDays(0.5)).toThrow(/whole days/);
  });
});

describe("bizdateFor", () => {
  it("takes the scheduled day in the job's time zone, then the offset", () => {
    // 2024-03-10 00:30 in Berlin is still 2024-03-09 in UTC.
    const at = new Date("2024-03-09T23:30:00Z");
    expect(bizdateFor(at, { timezone: "Europe/Berlin", bizdateOffsetDays: -1 }).toString()).toBe("20240309");
    expect(bizdateFor(at, { timezone: "UTC", bizdateOffsetDays: -1 }).toString()).toBe("20240308");
    expect(bizdateFor(at, { timezone: "America/New_York", bizdateOffsetDays: 0 }).toString()).toBe("20240309");
  });

  it("names an unknown time zone", () => {
    expect(() => bizdateFor(new Date(), { timezone: "Mars/Olympus", bizdateOffsetDays: -1 })).toThrow(/Mars\/Olympus/);
  });
});

describe("bizdateRange", () => {
  it("includes both ends and refuses an inverted range", () => {
    const days = bizdateRange(Bizdate.parse("20240227"), Bizdate.parse("20240302")).map(String);
    expect(days).toEqual(["20240227", "20240228", "20240229", "20240301", "20240302"]);
    expect(() => bizdateRange(Bizdate.parse("20240302"), Bizdate.parse("20240301"))).toThrow(/before it starts/);
  });
});
