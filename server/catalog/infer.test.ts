import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { confinePath, inferColumnsFromJson, inferColumnsFromParquet, type ReadableFolders } from "./infer";

describe("column inference", () => {
  it("reads a Parquet dataset with Hive partitions through DuckDB", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-infer-"));
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(`COPY (SELECT 'e1' AS event_id, 42::BIGINT AS coupon_id, 12.50::DECIMAL(12,2) AS amount,
      TIMESTAMP '2024-11-11 10:00:00' AS event_time, true AS redeemed, '2024-11-11' AS dt)
      TO '${dir}' (FORMAT parquet, PARTITION_BY (dt))`);
    conn.closeSync();
    const cols = await inferColumnsFromParquet(`${dir}/**/*.parquet`, { dataDir: "/nonexistent/data", folders: [dir] });
    expect(cols).toEqual([
      { name: "event_id", type: "STRING" },
      { name: "coupon_id", type: "BIGINT" },
      { name: "amount", type: "DECIMAL(12, 2)" },
      { name: "event_time", type: "TIMESTAMP(3)" },
      { name: "redeemed", type: "BOOLEAN" },
      { name: "dt", type: "STRING" },
    ]);
  });

  it("reports an unreadable Parquet path as a validation error", async () => {
    await expect(inferColumnsFromParquet("/nonexistent/*.parquet", { dataDir: "/nonexistent", folders: ["/nonexistent"] })).rejects.toThrow("cannot read Parquet at '/nonexistent/*.parquet'");
  });

  it("reads only inside the data folder and the project's filesystem connections", () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "tandem-confine-")));
    const dataDir = path.join(root, ".tandem");
    const warehouse = path.join(root, "lake", "warehouse");
    fs.mkdirSync(path.join(dataDir, "demo"), { recursive: true });
    fs.mkdirSync(warehouse, { recursive: true });
    fs.symlinkSync("/etc", path.join(warehouse, "escape"));
    const readable: ReadableFolders = { dataDir, folders: [dataDir, warehouse] };
    const refused = (p: string) => {
      try {
        confinePath(p, readable);
        return "read";
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        return (e as ValidationError).issues[0]?.message ?? "";
      }
    };
    // Relative paths resolve as the local engine resolves them: .tandem is the data folder, the rest beside it.
    expect(confinePath(".tandem/demo/**/*.parquet", readable)).toBe(path.join(dataDir, "demo", "**", "*.parquet"));
    expect(confinePath("lake/warehouse/t/*.parquet", readable)).toBe(path.join(warehouse, "t", "*.parquet"));
    expect(confinePath(`${warehouse}/x.parquet`, readable)).toBe(path.join(warehouse, "x.parquet"));
    expect(refused("/etc/passwd")).toContain("'/etc/passwd' is outside the folders Tandem reads for this project");
    expect(refused(`${warehouse}/../../../etc/*.parquet`)).toContain("is outside the folders");
    expect(refused(`${warehouse}/escape/*.parquet`)).toContain("is outside the folders");
    expect(refused(`${root}/lake/ware*/x.parquet`)).toContain("is outside the folders");
    expect(refused("https://example.com/x.parquet")).toBe("'https://example.com/x.parquet' is a URL; inference reads files on the server only");
    expect(refused("s3://bucket/x.parquet")).toContain("is a URL");
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("merges JSON lines, widening numbers and naming bad lines", () => {
    expect(inferColumnsFromJson('{"a": 1, "b-c": "x"}\n{"a": 1.5, "d": null}')).toEqual([
      { name: "a", type: "DOUBLE" },
      { name: "b_c", type: "STRING", comment: 'JSON field "b-c"' },
      { name: "d", type: "STRING" },
    ]);
    try {
      inferColumnsFromJson('{"a": 1}\n[1]');
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues[0]).toMatchObject({ line: 2, message: "a message must be a JSON object" });
    }
  });
});
