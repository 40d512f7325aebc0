import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConnectionSpec, PhysicalTableSpec } from "../../catalog/schemas";
import { DuckSession, lit } from "./duck";
import { StreamRunner } from "./stream";
import { sinkEnv, tempDir } from "../testing/helpers";
import type { BoundTable, LocalStreamJob } from "./plan";

// datagen (Flink's options) as a stream source into a duckdb sink, windowless aggregate with upserts.

function table(conn: string, type: "datagen" | "duckdb", spec: object, options: Record<string, string>): BoundTable {
  return { table: PhysicalTableSpec.parse(spec), connection: ConnectionSpec.parse({ name: conn, type }), options };
}

describe("datagen source and duckdb sink", () => {
  it("generates deterministic rows at the configured rate and upserts aggregates into a DuckDB file", async () => {
    const dir = tempDir();
    const sinkFile = path.join(dir, "serving.duckdb");
    const job: LocalStreamJob = {
      kind: "stream", name: "gen", startFrom: "earliest",
      sources: [{
        name: "orders", role: "scan",
        table: table("gen", "datagen", { name: "orders", connection: "gen", kind: "stream", columns: [{ name: "id", type: "BIGINT" }, { name: "shop", type: "INT" }, { name: "amount", type: "BIGINT" }] },
          { "rows-per-second": "1000000", "number-of-rows": "25000", "fields.id.kind": "sequence", "fields.id.start": "1", "fields.shop.min": "1", "fields.shop.max": "7", "fields.amount.min": "1", "fields.amount.max": "100" }),
      }],
      views: [],
      statements: [{
        sink: {
          table: table("out", "duckdb", { name: "shop_totals", connection: "out", kind: "stream", columns: [{ name: "shop", type: "INT" }, { name: "n", type: "BIGINT" }, { name: "total", type: "BIGINT" }, { name: "max_id", type: "BIGINT" }], primaryKey: ["shop"] }, { path: sinkFile }),
          mode: "upsert", columns: ["shop", "n", "total", "max_id"],
        },
        input: "SELECT * FROM orders",
        aggregation: {
          groupKeys: [{ name: "shop", expr: "shop" }],
          aggregates: [{ name: "n", fn: "count" }, { name: "total", fn: "sum", arg: "amount" }, { name: "max_id", fn: "max", arg: "id" }],
          output: ["shop", "n", "total", "max_id"],
        },
      }],
    };
    const runner = await StreamRunner.open(job, { jobId: "gen", stateDir: path.join(dir, "state"), env: sinkEnv(dir), maxBatchRows: 10_000 });
    let rows = 0;
    try {
      for (let i = 0; i < 200 && rows < 25_000; i++) {
        const m = await runner.step();
        if (m) rows += m.rowsIn;
        else await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await runner.close();
    }
    expect(rows).toBe(25_000);
    const s = await DuckSession.open();
    try {
      await s.run(`ATTACH ${lit(sinkFile)} AS out (READ_ONLY)`);
      const got = await s.rows("SELECT sum(n) AS n, max(max_id) AS max_id, count(*) AS shops, min(shop) AS lo, max(shop) AS hi FROM out.shop_totals");
      expect(got[0]).toMatchObject({ n: 25_000n, max_id: 25_000n, shops: 7n, lo: 1, hi: 7 });
      const expected = await s.rows("SELECT sum(1 + hash(i, 'amount') % 100) AS total FROM range(0, 25000) t(i)");
      const total = await s.rows("SELECT sum(total) AS total FROM out.shop_totals");
      expect(total[0]?.total).toBe(expected[0]?.total);
    } finally {
      s.close();
    }
  });

  it("a TIMESTAMP_LTZ field is the generated instant, shown in the session zone", async () => {
    const dir = tempDir();
    const sinkFile = path.join(dir, "serving.duckdb");
    const start = Date.parse("2024-11-11T16:00:00Z"); // midnight of 2024-11-12 in Shanghai
    let clock = start - 1000; // the source starts at `start`; each later reading is a second on
    const job: LocalStreamJob = {
      kind: "stream", name: "gen_tz", startFrom: "earliest", timeZone: "Asia/Shanghai",
      sources: [{
        name: "ticks", role: "scan",
        table: table("gen", "datagen", { name: "ticks", connection: "gen", kind: "stream", columns: [{ name: "id", type: "BIGINT" }, { name: "ts", type: "TIMESTAMP_LTZ(3)" }] },
          { "rows-per-second": "1000000", "number-of-rows": "3", "fields.id.kind": "sequence", "fields.id.start": "0" }),
      }],
      views: [],
      statements: [{
        sink: {
          table: table("out", "duckdb", { name: "ticks_out", connection: "out", kind: "stream", columns: [{ name: "id", type: "BIGINT" }, { name: "ms", type: "BIGINT" }, { name: "shown", type: "STRING" }] }, { path: sinkFile }),
          mode: "append", columns: ["id", "ms", "shown"],
        },
        input: "SELECT id, epoch_ms(ts) AS ms, strftime(ts, '%Y-%m-%d %H:%M') AS shown FROM ticks",
      }],
    };
    const runner = await StreamRunner.open(job, { jobId: "gen_tz", stateDir: path.join(dir, "state"), env: sinkEnv(dir), now: () => (clock += 1000) });
    try {
      for (let i = 0; i < 5; i++) await runner.step();
    } finally {
      await runner.close();
    }
    const s = await DuckSession.open();
    try {
      await s.run(`ATTACH ${lit(sinkFile)} AS out (READ_ONLY)`);
      const got = await s.rows("SELECT id, ms, shown FROM out.ticks_out ORDER BY id");
      expect(got.map((r) => [Number(r.id), Number(r.ms) - start, r.shown])).toEqual([[0, 0, "2024-11-12 00:00"], [1, 1, "2024-11-12 00:00"], [2, 2, "2024-11-12 00:00"]]);
    } finally {
      s.close();
    }
  });
});
