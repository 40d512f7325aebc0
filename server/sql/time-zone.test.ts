import { describe, expect, it } from "vitest";
import { DEMO_FILE_TEXT, projectFileIssues } from "../testing/demo-project";
import { parseProjectFile } from "../project-file/load";
import { translate } from "./__golden__/helpers";
import { duckdbTimeZone, isTimeZone, isUtc } from "./time-zone";

const SQL = "INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM mix_user_events WHERE ds = '${bizdate_nodash}' GROUP BY channel;";
const demo = DEMO_FILE_TEXT;

const projectIssues = projectFileIssues;

describe("session time zone", () => {
  it("accepts IANA zones and fixed offsets, and rejects anything else", () => {
    for (const z of ["UTC", "Asia/Shanghai", "America/Los_Angeles", "GMT+08:00", "Etc/GMT-8"]) expect(isTimeZone(z), z).toBe(true);
    for (const z of ["Asia/Shangai", "", "+8", "Mars/Olympus"]) expect(isTimeZone(z), z).toBe(false);
    expect(isUtc("Etc/UTC")).toBe(true);
    expect(isUtc("Asia/Shanghai")).toBe(false);
  });

  it("a job's time zone reaches its Flink scripts as table.local-time-zone", () => {
    for (const zone of ["Asia/Shanghai", "America/Los_Angeles"]) {
      const t = translate(SQL, { timeZone: zone });
      expect(t.errors).toEqual([]);
      expect(t.stream).toContain(`SET 'table.local-time-zone' = '${zone}';`);
      expect(t.batch).toContain(`SET 'table.local-time-zone' = '${zone}';`);
    }
    expect(translate(SQL).stream).not.toContain("table.local-time-zone");
  });

  it("local scripts run in the session zone (ICU's name for it); a zone ICU cannot name is refused", () => {
    const byJob = translate(SQL, { timeZone: "Asia/Shanghai" });
    expect(byJob.local?.errors).toEqual([]);
    expect(byJob.local?.batch?.timeZone).toBe("Asia/Shanghai");
    expect(byJob.local?.stream?.setup).toContain("SET TimeZone = 'Asia/Shanghai'");
    const bySet = translate(`SET 'table.local-time-zone' = 'America/Los_Angeles';\n${SQL}`, { timeZone: "Asia/Shanghai" });
    expect(bySet.local?.batch?.timeZone).toBe("America/Los_Angeles");
    expect(translate(SQL, { timeZone: "GMT+08:00" }).local?.stream?.timeZone).toBe("Etc/GMT-8");
    expect(translate(SQL, { timeZone: "Etc/UTC" }).local?.stream?.timeZone).toBe("UTC");
    const odd = translate(SQL, { timeZone: "GMT+05:30" });
    expect(odd.local?.batch).toBeNull();
    expect(odd.local?.errors[0]?.message).toMatch(/cannot apply the session time zone 'GMT\+05:30'/);
    expect(duckdbTimeZone("GMT-03")).toBe("Etc/GMT+3");
    const windowed = translate("INSERT INTO ads_channel_total SELECT channel, COUNT(*) FROM TABLE(TUMBLE(TABLE mix_user_events, DESCRIPTOR(event_time), INTERVAL '1' DAY)) GROUP BY window_start, window_end, channel;", { timeZone: "Asia/Shanghai" });
    // Windows on an LTZ time attribute align to the zone's wall clock, as in Flink.
    expect(windowed.local?.errors).toEqual([]);
    expect(JSON.stringify(windowed.local?.stream?.statements ?? [])).toContain("AS TIMESTAMP)");
  });

  it("the project file sets a default zone for its jobs; a job's own zone wins; a bad zone is an error at its line", () => {
    const withProjectZone = demo.replace(/^project: (.*)$/m, "project: $1\ntimeZone: Asia/Shanghai");
    expect(withProjectZone).not.toBe(demo);
    const { file } = parseProjectFile(withProjectZone);
    expect(file.jobs.every((j) => j.timeZone === "Asia/Shanghai")).toBe(true);
    const own = withProjectZone.replace("  - name: coupon_daily_stats\n", "  - name: coupon_daily_stats\n    timeZone: America/Los_Angeles\n");
    expect(parseProjectFile(own).file.jobs.find((j) => j.name === "coupon_daily_stats")?.timeZone).toBe("America/Los_Angeles");
    const bad = demo.replace(/^project: (.*)$/m, "project: $1\ntimeZone: Asia/Shangai");
    const issues = projectIssues(bad);
    expect(issues).toEqual([expect.objectContaining({ path: "timeZone", message: expect.stringMatching(/must be a time zone/) })]);
    expect(issues[0]?.line).toBe(bad.split("\n").findIndex((l) => l.startsWith("timeZone:")) + 1);
  });
});
