import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { flinkSyntaxErrors } from "./parser";

// The acceptance run of `tandem translate` and `tandem validate` as a user types them.

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const tandem = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(root, "cli/main.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

describe("tandem translate / validate", { timeout: 180_000 }, () => {
  it("translate --json on the demo job: four scripts that re-parse; the batch reads only dt = '2024-11-11'", () => {
    const r = tandem("translate", "-f", "examples/double11.yaml", "--job", "coupon_daily_stats", "--bizdate", "2024-11-11", "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & { stream: string; batch: string; hybrid: string; local: { stream: unknown; batch: unknown }; errors: unknown[] };
    expect(Object.keys(out)).toEqual(["job", "bizdate", "stream", "batch", "hybrid", "local", "lineage", "errors", "warnings"]);
    for (const s of [out.stream, out.batch, out.hybrid]) expect(flinkSyntaxErrors(s)).toEqual([]);
    expect(out.local.stream).not.toBeNull();
    expect(out.local.batch).not.toBeNull();
    expect(out.errors).toEqual([]);
    const view = out.batch.slice(out.batch.indexOf("CREATE TEMPORARY VIEW mix_coupon_events"));
    expect(view.slice(0, view.indexOf(";"))).toMatch(/FROM ods_coupon_events_di\nWHERE dt = '2024-11-11'$/);
  });

  it("an invalid job exits 1 with located errors", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-sql-"));
    const file = path.join(dir, "p.yaml");
    const text = fs.readFileSync(path.join(root, "examples/double11.yaml"), "utf8")
      .replace("FROM mix_coupon_events\n      WHERE dt = '${bizdate}' OR __mode = 'stream'\n      GROUP BY dt, coupon_id;", "FROM mix_coupon_event\n      WHERE dt = '${bizdat}'\n      GROUP BY dt, coupon_id;");
    fs.writeFileSync(file, text);
    const r = tandem("translate", "-f", file, "--job", "coupon_daily_stats", "--json");
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { stream: unknown; errors: { line: number; column: number; message: string }[] };
    expect(out.stream).toBeNull();
    expect(out.errors.map((e) => e.message).join("\n")).toMatch(/unknown table 'mix_coupon_event'[\s\S]*undefined variable '\$\{bizdat\}'|undefined variable '\$\{bizdat\}'[\s\S]*unknown table/);
    const v = tandem("validate", "-f", file);
    expect(v.status).toBe(1);
    expect(v.stdout).toMatch(/job coupon_daily_stats: 2 problems/);
    expect(v.stdout).toMatch(/jobs\.coupon_daily_stats\.sql \(line 10, column 6\): unknown table 'mix_coupon_event'/);
    expect(v.stdout).toMatch(/jobs\.coupon_daily_stats\.sql \(line 11, column 13\): undefined variable/);
  });
});
