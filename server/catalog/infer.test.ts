import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { inferColumnsFromJson, inferColumnsFromParquet } from "./infer";

describe("column inference", () => {
  it("reads a Parquet dataset with Hive partitions through DuckDB", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-infer-"));
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(`COPY (SELECT 'e1' AS event_id, 42::BIGINT AS coupon_id, 12.50::DECIMAL(12,2) AS amount,
      TIMESTAMP '2024-11-11 10:00:00' AS event_time, true AS redeemed, '2024-11-11' AS dt)
      TO '${dir}' (FORMAT parquet, PARTITION_BY (dt))`);
    conn.closeSync();
    const cols = await inferColumnsFromParquet(`${dir}/**/*.parquet`);
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
    await expect(inferColumnsFromParquet("/nonexistent/*.parquet")).rejects.toThrow(ValidationError);
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
