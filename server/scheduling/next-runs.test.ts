import { describe, expect, it } from "vitest";
import { nextRuns } from "./next-runs";

// The next firings shown in the studio's settings: in the job's zone, with the day each one processes.

describe("next runs of a batch schedule", () => {
  it("fires at 00:30 Shanghai time (16:30 UTC the day before) and processes the Shanghai day before", () => {
    const r = nextRuns({ cron: "0 30 0 * * *", timezone: "Asia/Shanghai", bizdateOffsetDays: -1 }, new Date("2024-11-11T12:00:00Z"), 3);
    expect(r).toEqual({
      ok: true,
      runs: [
        { at: new Date("2024-11-11T16:30:00Z"), bizdate: "2024-11-11" },
        { at: new Date("2024-11-12T16:30:00Z"), bizdate: "2024-11-12" },
        { at: new Date("2024-11-13T16:30:00Z"), bizdate: "2024-11-13" },
      ],
    });
  });

  it("takes 5-field crons and a zone west of UTC", () => {
    const r = nextRuns({ cron: "15 2 * * 1", timezone: "America/Los_Angeles", bizdateOffsetDays: 0 }, new Date("2024-11-11T00:00:00Z"), 2);
    expect(r.ok && r.runs.map((x) => [x.at.toISOString(), x.bizdate])).toEqual([["2024-11-11T10:15:00.000Z", "2024-11-11"], ["2024-11-18T10:15:00.000Z", "2024-11-18"]]);
  });

  it("says a zone is unknown instead of throwing (the settings panel asks while the zone is being typed)", () => {
    for (const timezone of ["Asia/Shang", "Mars/Olympus", "GMT+05:30"]) {
      const r = nextRuns({ cron: "0 30 0 * * *", timezone, bizdateOffsetDays: -1 }, new Date("2024-11-11T12:00:00Z"), 5);
      expect(r).toEqual({ ok: false, error: `the time zone '${timezone}' is unknown; use an IANA name such as Asia/Shanghai or UTC` });
    }
  });

  it("says what is wrong with a bad cron instead of throwing", () => {
    const r = nextRuns({ cron: "99 * * * *", timezone: "UTC", bizdateOffsetDays: -1 }, new Date(), 5);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/'99 \* \* \* \*' in UTC is not valid/);
  });
});
