import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError, type Issue } from "../errors";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { parseProjectFile } from "../project-file/load";

const demo = fs.readFileSync(DEMO_PROJECT_FILE, "utf8");

function issuesOf(text: string): Issue[] {
  try {
    parseProjectFile(text);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  throw new Error("expected the file to be rejected");
}

function replaceOnce(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  if (i < 0) throw new Error(`fixture text not found: ${from}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

describe("project file validation", () => {
  it("accepts the demo file", () => {
    const { file } = parseProjectFile(demo);
    expect(file.metaTables.map((m) => m.name)).toContain("mix_coupon_events");
  });

  it("rejects an unknown physical table, naming meta-table, side and table, with the line", () => {
    const issues = issuesOf(replaceOnce(demo, "table: ods_coupon_events_di", "table: ods_coupon_events_dx"));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("metaTables.mix_coupon_events.batch.table");
    expect(issues[0]?.message).toMatch(/batch side of meta-table 'mix_coupon_events' binds unknown physical table 'ods_coupon_events_dx'/);
    const line = demo.split("\n").findIndex((l) => l.includes("table: ods_coupon_events_di")) + 1;
    expect(issues[0]?.line).toBe(line);
  });

  it("rejects a logical column that is neither mapped nor virtual on a side", () => {
    const issues = issuesOf(replaceOnce(demo, "      virtual:\n        dt: \"DATE_FORMAT(event_time, 'yyyy-MM-dd')\"\n", ""));
    expect(issues.map((i) => i.path)).toEqual(["metaTables.mix_coupon_events.stream.mappings.dt"]);
    expect(issues[0]?.message).toMatch(/column 'dt' is neither mapped nor virtual on the stream side of meta-table 'mix_coupon_events'/);
  });

  it("rejects a type mismatch between a side and the logical column, suggesting a CAST", () => {
    const issues = issuesOf(replaceOnce(demo, 'user_id: { expr: "CAST(user_id AS BIGINT)" }', "user_id: user_id"));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("metaTables.mix_coupon_events.batch.mappings.user_id");
    expect(issues[0]?.message).toMatch(/type mismatch on the batch side .*'user_id' is BIGINT but 'ods_coupon_events_di.user_id' is STRING; .*CAST\(user_id AS BIGINT\)/);
  });

  it("rejects a mapping expression whose stated type does not fit the logical column", () => {
    const issues = issuesOf(replaceOnce(demo, 'user_id: { expr: "CAST(user_id AS BIGINT)" }', 'user_id: { expr: "CAST(user_id AS DOUBLE)" }'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("metaTables.mix_coupon_events.batch.mappings.user_id");
    expect(issues[0]?.message).toBe("type mismatch on the batch side of meta-table 'mix_coupon_events': 'user_id' is BIGINT but its mapping CAST(user_id AS DOUBLE) gives DOUBLE; make it give BIGINT, e.g. CAST(... AS BIGINT)");
    const line = demo.split("\n").findIndex((l) => l.includes('user_id: { expr: "CAST(user_id AS BIGINT)" }')) + 1;
    expect(issues[0]?.line).toBe(line);
  });

  it("rejects duplicate names", () => {
    const dupTable = replaceOnce(demo, "  - name: ads_coupon_daily_di\n", "  - name: ads_coupon_daily_rt\n");
    expect(issuesOf(dupTable).some((i) => i.message === "duplicate physical table name 'ads_coupon_daily_rt'")).toBe(true);
    const dupColumn = replaceOnce(demo, "      - { name: dt, type: STRING }\n    stream:", "      - { name: coupon_id, type: BIGINT }\n      - { name: dt, type: STRING }\n    stream:");
    expect(issuesOf(dupColumn).map((i) => i.message)).toContain("meta-table 'mix_coupon_events' declares column 'coupon_id' more than once");
  });

  it("rejects a batch binding whose table has no partition spec", () => {
    const issues = issuesOf(replaceOnce(demo, "    partition: { column: dt, format: yyyy-MM-dd }\n    options:\n      path: .tandem/demo/warehouse/ods_coupon_events_di", "    options:\n      path: .tandem/demo/warehouse/ods_coupon_events_di"));
    expect(issues.map((i) => i.path)).toEqual(["metaTables.mix_coupon_events.batch.table"]);
    expect(issues[0]?.message).toMatch(/binds batch table 'ods_coupon_events_di', which has no partition spec/);
  });

  it("rejects reserved column names", () => {
    const issues = issuesOf(replaceOnce(demo, "      - { name: event_id, type: STRING }\n      - { name: user_id, type: BIGINT }\n      - { name: coupon_id, type: BIGINT }\n      - { name: action, type: STRING, description", "      - { name: __mode, type: STRING }\n      - { name: event_id, type: STRING }\n      - { name: user_id, type: BIGINT }\n      - { name: coupon_id, type: BIGINT }\n      - { name: action, type: STRING, description"));
    expect(issues.map((i) => i.path)).toEqual(["metaTables.mix_coupon_events.columns.__mode"]);
    expect(issues[0]?.message).toMatch(/reserved/);
  });

  it("rejects a mapping to a missing physical column with a suggestion", () => {
    const issues = issuesOf(replaceOnce(demo, "        coupon_id: coupon_id\n        action: action", "        coupon_id: copon_id\n        action: action"));
    expect(issues[0]?.message).toMatch(/maps 'coupon_id' to 'ods_coupon_events_rt.copon_id', which does not exist \(did you mean 'coupon_id'\?\)/);
  });

  it("reports schema errors with names instead of indices, and YAML syntax errors with a position", () => {
    const issues = issuesOf(replaceOnce(demo, "kind: batch", "kind: bacth"));
    expect(issues[0]?.path).toBe("physicalTables.ods_coupon_events_di.kind");
    expect(issues[0]?.message).toMatch(/"stream"\|"batch"/);
    const syntax = issuesOf("project: x\nconnections: [\n");
    expect(syntax[0]?.line).toBeGreaterThan(0);
  });
});

describe("mapping and virtual expressions", () => {
  const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

  it("a misspelt column in a mapping expression is an error naming side, column, expression position and YAML line", () => {
    const text = replaceOnce(demo, 'user_id: { expr: "CAST(user_id AS BIGINT)" }', 'user_id: { expr: "CAST(usr_id AS BIGINT)" }');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("metaTables.mix_coupon_events.batch.mappings.user_id");
    expect(issues[0]?.message).toMatch(/the mapping of 'user_id' on the batch side of meta-table 'mix_coupon_events' \(over 'ods_coupon_events_di'\), at line 1, column 6 of the expression: unknown column 'usr_id' \(did you mean 'user_id'\?\)/);
    expect(issues[0]?.line).toBe(lineOf(text, "CAST(usr_id AS BIGINT)"));
    expect(issues[0]?.column).toBeGreaterThan(1);
  });

  it("a syntax error in a mapping expression is an error at its position", () => {
    const text = replaceOnce(demo, 'amount_cents: { expr: "CAST(amount * 100 AS BIGINT)" }', 'amount_cents: { expr: "CAST(amount * 100 AS BIGINT" }');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("metaTables.mix_coupon_events.batch.mappings.amount_cents");
    expect(issues[0]?.message).toMatch(/at line \d+, column \d+ of the expression: syntax error/);
    expect(issues[0]?.line).toBe(lineOf(text, "CAST(amount * 100 AS BIGINT\""));
  });

  it("a virtual value over an unknown column, or a function the local engine cannot run, is an error", () => {
    const text = replaceOnce(demo, 'action: { expr: "CASE action_type', 'action: { expr: "CASE INITCAP(action_typ)');
    const messages = issuesOf(text).map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/unknown column 'action_typ' \(did you mean 'action_type'\?\)/),
      expect.stringMatching(/cannot run INITCAP/),
    ]));
  });
});
