import { describe, expect, it } from "vitest";
import { DEMO_FILE_TEXT, projectFileIssues } from "../testing/demo-project";
import { builtinVariables, substituteVariables, variableClashes } from "./variables";

const demo = DEMO_FILE_TEXT;

const projectIssues = projectFileIssues;

describe("built-in variables", () => {
  it("offer the bizdate in several formats, across month and year ends", () => {
    const v = builtinVariables("2024-03-01", "batch");
    expect(v).toMatchObject({
      bizdate: "2024-03-01", bizdate_nodash: "20240301",
      bizdate_prev: "2024-02-29", bizdate_prev_nodash: "20240229",
      bizdate_next: "2024-03-02", bizdate_next_nodash: "20240302",
      bizdate_month: "2024-03", bizdate_month_nodash: "202403",
      bizdate_month_start: "2024-03-01", bizdate_month_end: "2024-03-31",
      bizdate_prev_month: "2024-02", bizdate_year: "2024",
    });
    const y = builtinVariables("2025-01-31", "stream");
    expect(y).toMatchObject({ bizdate_next: "2025-02-01", bizdate_month_end: "2025-01-31", bizdate_prev_month: "2024-12", mode: "stream" });
    expect(builtinVariables("2023-02-15", "batch").bizdate_month_end).toBe("2023-02-28");
  });

  it("substitute the new forms in a script", () => {
    const sub = substituteVariables("WHERE ds BETWEEN '${bizdate_month_start}' AND '${bizdate_prev_nodash}'", { bizdate: "2024-11-11", mode: "batch" }, "p");
    expect(sub.issues).toEqual([]);
    expect(sub.text).toBe("WHERE ds BETWEEN '2024-11-01' AND '20241110'");
  });
});

describe("job variables named like a built-in", () => {
  it("are reported, one issue per clash, naming the variable", () => {
    const issues = variableClashes({ bizdate: "20241111", region: "cn", bizdate_nodash: "x" }, "jobs.j");
    expect(issues.map((i) => i.path)).toEqual(["jobs.j.variables.bizdate", "jobs.j.variables.bizdate_nodash"]);
    expect(issues[0]?.message).toMatch(/'bizdate' is built in and cannot be redefined/);
  });

  it("are rejected in a project file with the YAML line of the variable", () => {
    const text = demo.replace("  - name: coupon_daily_stats\n", "  - name: coupon_daily_stats\n    variables:\n      bizdate: \"20241111\"\n");
    expect(text).not.toBe(demo);
    const issues = projectIssues(text);
    const clash = issues.find((i) => i.path === "jobs.coupon_daily_stats.variables.bizdate");
    expect(clash?.message).toMatch(/built in and cannot be redefined/);
    const line = text.split("\n").findIndex((l) => l.includes('bizdate: "20241111"')) + 1;
    expect(clash?.line).toBe(line);
  });
});
