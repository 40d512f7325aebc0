import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConnectionSpec, PhysicalTableSpec } from "../../catalog/schemas";
import { DuckSession, lit } from "./duck";
import { StreamRunner } from "./stream";
import { sinkEnv, tempDir } from "../testing/helpers";
import type { BoundTable, LocalStreamJob } from "./plan";

// A recomputed statement (keep-last-row feeding a GROUP BY, as a hand plan) into a duckdb sink: groups
// that empty are deleted from the sink file, across a crash inside the batch transaction and one between
// commit and delivery, so the sink equals a recompute.

function table(conn: string, type: "datagen" | "duckdb", spec: object, options: Record<string, string>): BoundTable {
  return { table: PhysicalTableSpec.parse(spec), connection: ConnectionSpec.parse({ name: conn, type }), options };
}

const ROWS = 25_000;

describe("recomputed statements into a duckdb sink", () => {
  it("keep-last per amount, counted per shop: rows of shops that lose their last key are deleted", async () => {
    const dir = tempDir();
    const sinkFile = path.join(dir, "serving.duckdb");
    const job: LocalStreamJob = {
      kind: "stream", name: "latest", startFrom: "earliest",
      sources: [{
        name: "orders", role: "scan",
        table: table("gen", "datagen", { name: "orders", connection: "gen", kind: "stream", columns: [{ name: "id", type: "BIGINT" }, { name: "shop", type: "INT" }, { name: "amount", type: "BIGINT" }] },
          { "rows-per-second": "1000000", "number-of-rows": String(ROWS), "fields.id.kind": "sequence", "fields.id.start": "1", "fields.shop.min": "1", "fields.shop.max": "7", "fields.amount.min": "1", "fields.amount.max": "100" }),
      }],
      views: [],
      statements: [{
        sink: {
          table: table("out", "duckdb", { name: "shop_latest", connection: "out", kind: "stream", columns: [{ name: "shop", type: "INT" }, { name: "n", type: "BIGINT" }, { name: "top", type: "BIGINT" }], primaryKey: ["shop"] }, { path: sinkFile }),
          mode: "upsert", columns: ["shop", "n", "top"],
        },
        input: "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY amount ORDER BY id DESC) AS rn FROM orders) WHERE rn = 1",
        recompute: {
          relation: "__tandem_inner", columns: ["id", "shop", "amount", "rn"], alias: "l", groupKeys: ["l.shop"],
          // Only three keys count: at the end at most three shops have rows, though more had some on the way.
          select: "SELECT shop, count(*) AS n, max(id) AS top FROM (SELECT * FROM __tandem_inner) AS l WHERE rn = 1 AND amount <= 3 GROUP BY shop",
          lastRow: { keys: ["amount"], order: "id" },
        },
      }],
    };
    // Three runs: the first fails inside its 4th batch's transaction (rolled back, re-read later), the
    // second after the 8th batch's commit and before its delivery (its upserts and deletes wait in the
    // outbox and are delivered at the next start), the third runs to the end.
    const failures = [{ before: 4 }, { after: 8 }, {}];
    let rows = 0;
    let crashes = 0;
    for (const fail of failures) {
      const runner = await StreamRunner.open(job, {
        jobId: "latest", stateDir: path.join(dir, "state"), env: sinkEnv(dir), maxBatchRows: 1000,
        beforeCommit: (b) => { if ("before" in fail && b === fail.before) throw new Error("crash before commit"); },
        afterCommit: (b) => { if ("after" in fail && b === fail.after) throw new Error("crash before delivery"); },
      });
      try {
        for (let i = 0; i < 1000 && runner.position.batchId * 1000 < ROWS; i++) {
          const m = await runner.step();
          if (m) rows += m.rowsIn;
          else await new Promise((r) => setTimeout(r, 20));
        }
      } catch (e) {
        expect(String(e)).toMatch(/crash/);
        crashes++;
      } finally {
        await runner.close();
      }
    }
    // The rolled-back batch is read again (and counted then); the one that failed after its commit is
    // committed and counted by no step.
    rows += 1000;
    expect(crashes).toBe(2);
    expect(rows).toBe(ROWS);
    const s = await DuckSession.open();
    try {
      await s.run(`ATTACH ${lit(sinkFile)} AS out (READ_ONLY)`);
      const got = await s.rows("SELECT shop, n, top FROM out.shop_latest ORDER BY shop");
      const events = `SELECT 1 + i AS id, CAST(1 + hash(i, 'shop') % 7 AS INT) AS shop, 1 + hash(i, 'amount') % 100 AS amount FROM range(0, ${ROWS}) AS t(i)`;
      const expected = await s.rows(`SELECT shop, count(*)::BIGINT AS n, max(id)::BIGINT AS top FROM (SELECT *, row_number() OVER (PARTITION BY amount ORDER BY id DESC) AS rn FROM (${events}))
        WHERE rn = 1 AND amount <= 3 GROUP BY shop ORDER BY shop`);
      expect(expected.length).toBeLessThanOrEqual(3);
      expect(got).toEqual(expected);
      // Early batches had rows for more shops: the deletes removed them.
      const early = await s.rows(`SELECT count(DISTINCT shop) AS shops FROM (${events}) WHERE id <= 1000 AND amount <= 3`);
      expect(Number(early[0]?.shops)).toBeGreaterThan(expected.length);
    } finally {
      s.close();
    }
  }, 120_000);
});
