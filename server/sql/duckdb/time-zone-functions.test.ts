import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSetup } from "../translate/local";
import { flinkSelectToDuckdb } from "./convert";

// Flink's time functions in a session zone (table.local-time-zone), one expression at a time. Expected
// values follow Flink's rules: an LTZ is an instant shown in the session zone; a TIMESTAMP is wall clock.

let db: DuckDBInstance;
const sessions = new Map<string, DuckDBConnection>();
beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:");
  for (const zone of ["UTC", "Asia/Shanghai", "America/Los_Angeles"]) {
    const c = await db.connect();
    for (const s of localSetup(zone)) await c.run(s);
    sessions.set(zone, c);
  }
});
afterAll(() => { for (const c of sessions.values()) c.closeSync(); });

async function value(zone: string, flinkExpr: string): Promise<unknown> {
  const c = sessions.get(zone);
  if (!c) throw new Error(zone);
  const r = await c.runAndReadAll(flinkSelectToDuckdb(`SELECT ${flinkExpr} AS v`, zone));
  const v = r.getRowObjects()[0]?.v;
  return typeof v === "bigint" ? Number(v) : v === null || typeof v === "number" || typeof v === "string" ? v : String(v);
}

// 2024-11-11T16:00:00Z: midnight of 2024-11-12 in Shanghai, 08:00 of 2024-11-11 in Los Angeles.
const MS = 1731340800000;

describe("session time zone: Flink time functions on DuckDB", () => {
  it("TO_TIMESTAMP_LTZ gives the instant; DATE_FORMAT, HOUR, CAST to TIMESTAMP and STRING show it in the zone", async () => {
    const cases: [string, string, unknown][] = [
      ["Asia/Shanghai", `DATE_FORMAT(TO_TIMESTAMP_LTZ(${MS}, 3), 'yyyy-MM-dd HH:mm:ss')`, "2024-11-12 00:00:00"],
      ["America/Los_Angeles", `DATE_FORMAT(TO_TIMESTAMP_LTZ(${MS}, 3), 'yyyy-MM-dd HH:mm:ss')`, "2024-11-11 08:00:00"],
      ["UTC", `DATE_FORMAT(TO_TIMESTAMP_LTZ(${MS}, 3), 'yyyy-MM-dd HH:mm:ss')`, "2024-11-11 16:00:00"],
      ["Asia/Shanghai", `DATE_FORMAT(TO_TIMESTAMP_LTZ(${MS / 1000}, 0), 'yyyy-MM-dd HH')`, "2024-11-12 00"],
      ["Asia/Shanghai", `HOUR(TO_TIMESTAMP_LTZ(${MS - 1}, 3))`, 23],
      ["America/Los_Angeles", `HOUR(TO_TIMESTAMP_LTZ(${MS}, 3))`, 8],
      ["Asia/Shanghai", `CAST(CAST(TO_TIMESTAMP_LTZ(${MS + 999}, 3) AS TIMESTAMP(3)) AS STRING)`, "2024-11-12 00:00:00.999"],
      ["Asia/Shanghai", `CAST(TO_TIMESTAMP_LTZ(${MS + 999}, 3) AS STRING)`, "2024-11-12 00:00:00.999"],
      ["UTC", `CAST(TO_TIMESTAMP_LTZ(${MS + 999}, 3) AS STRING)`, "2024-11-11 16:00:00.999"],
      ["Asia/Shanghai", `CAST(TO_TIMESTAMP_LTZ(${MS + 999}, 3) AS BIGINT)`, MS / 1000],
      ["Asia/Shanghai", `CAST(FLOOR(TO_TIMESTAMP_LTZ(${MS + 5 * 3600_000}, 3) TO DAY) AS BIGINT)`, MS / 1000],
      ["America/Los_Angeles", `CAST(FLOOR(TO_TIMESTAMP_LTZ(${Date.parse("2024-11-03T23:00:00Z")}, 3) TO DAY) AS BIGINT)`, Date.parse("2024-11-03T07:00:00Z") / 1000],
      // A TIMESTAMP is wall clock: the zone changes nothing, until it is cast to an instant.
      ["America/Los_Angeles", "DATE_FORMAT(TIMESTAMP '2024-11-12 00:00:00', 'yyyy-MM-dd HH:mm')", "2024-11-12 00:00"],
      ["Asia/Shanghai", "CAST(CAST(TIMESTAMP '2024-11-12 00:00:00' AS TIMESTAMP_LTZ(3)) AS BIGINT)", MS / 1000],
      ["Asia/Shanghai", "FROM_UNIXTIME(0)", "1970-01-01 08:00:00"],
      ["America/Los_Angeles", "FROM_UNIXTIME(0, 'yyyy-MM-dd')", "1969-12-31"],
    ];
    for (const [zone, expr, want] of cases) expect(await value(zone, expr), `${zone}: ${expr}`).toEqual(want);
  });

  it("CURRENT_TIMESTAMP and PROCTIME() are now; LOCALTIMESTAMP and CURRENT_DATE are the zone's wall clock and day", async () => {
    const now = Date.now();
    const local = (zone: string, ms: number) => new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" }).format(new Date(ms));
    for (const zone of ["Asia/Shanghai", "America/Los_Angeles"]) {
      for (const e of ["CURRENT_TIMESTAMP", "PROCTIME()"]) {
        const ms = Number(await value(zone, `CAST(${e} AS BIGINT)`)) * 1000;
        expect(Math.abs(ms - now), `${zone}: ${e}`).toBeLessThan(60_000);
      }
      // Before or after the queries: an hour may turn while they run.
      const hours = [local(zone, now), local(zone, Date.now() + 5000)];
      expect(hours, zone).toContain(await value(zone, "DATE_FORMAT(LOCALTIMESTAMP, 'yyyy-MM-dd HH')"));
      expect(hours.map((h) => h.slice(0, 10)), zone).toContain(await value(zone, "CAST(CURRENT_DATE AS STRING)"));
    }
  });
});
