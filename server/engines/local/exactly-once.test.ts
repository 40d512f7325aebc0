import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckSession, lit } from "./duck";
import { pgDatabase, type SqlDatabase } from "./jdbc";
import { writeTopicDay } from "../../demo/generator";
import { canon, tempDir } from "../testing/helpers";

// kill -9 in the middle of micro-batches (inside the state transaction, between the state commit and
// the sink delivery, and at a random moment), restart, and compare with a full recompute.

const DAY = "2024-11-11";
const COLS = ["dt", "coupon_id", "pv", "uv", "redeemed", "gmv_cents"];
const CHILD = fileURLToPath(new URL("../testing/stream-child.ts", import.meta.url));

interface Run { code: number | null; signal: NodeJS.Signals | null; out: string }

function runChild(configFile: string, killWhen?: (out: string) => boolean, killAfterMs?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    // `node --import tsx` rather than the tsx binary: one process, so SIGKILL hits the job itself.
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, configFile], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const kill = () => { if (child.exitCode === null) child.kill("SIGKILL"); };
    const timer = killAfterMs !== undefined ? setTimeout(kill, killAfterMs) : undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (killWhen?.(out)) kill();
    });
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`child failed (${String(code)}): ${err}`));
      else resolve({ code, signal, out });
    });
  });
}

describe("exactly-once under kill -9", () => {
  let url: string;
  let db: SqlDatabase;
  let stop: () => Promise<void>;
  const schema = `eo_${Date.now().toString(36)}_${process.pid}`;

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      url = process.env.DATABASE_URL;
      stop = async () => undefined;
    } else {
      // The embedded setup: PGlite served over the Postgres protocol, as `tandem dev` does.
      const pglite = await PGlite.create();
      const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 16 });
      await server.start();
      url = `postgres://postgres@127.0.0.1:${server.getServerConn().split(":").pop() ?? ""}/postgres`;
      stop = async () => { await server.stop(); await pglite.close(); };
    }
    db = pgDatabase(url);
    await db.query(`CREATE SCHEMA ${schema}`);
  }, 120_000);
  afterAll(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
    await stop();
  });

  it("loses and double counts nothing", async () => {
    const dir = tempDir();
    const topic = path.join(dir, ".tandem/demo/topic/coupon_events");
    await writeTopicDay(topic, { day: DAY, count: 40_000, users: 4000 });
    const base = { baseDir: dir, stateDir: path.join(dir, "state"), jobId: `eo-${schema}`, url, schema, day: DAY, maxBatchRows: 2000 };
    const cfg = (extra: object) => {
      const f = path.join(dir, `cfg-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(f, JSON.stringify({ ...base, ...extra }));
      return f;
    };
    const a = await runChild(cfg({ hangAt: { batch: 3, phase: "before-commit" } }), (o) => o.includes("HANG"));
    expect(a.signal).toBe("SIGKILL");
    const b = await runChild(cfg({ hangAt: { batch: 6, phase: "after-commit" } }), (o) => o.includes("HANG"));
    expect(b.signal).toBe("SIGKILL");
    expect(b.out).toContain("BATCH 3 2000"); // batch 3 was redone after the first kill
    // A kill at an arbitrary moment, after a few batches went through.
    const c = await runChild(cfg({}), (o) => (o.match(/BATCH/g)?.length ?? 0) >= 4 && Math.random() < 0.5);
    const d = await runChild(cfg({}));
    expect(d.out).toContain("DONE");
    if (c.signal !== "SIGKILL") expect(c.out).toContain("DONE");

    const s = await DuckSession.open();
    const expected = canon(await s.rows(`SELECT strftime(epoch_ms(ts_ms), '%Y-%m-%d') AS dt, coupon_id, count(*) AS pv, count(DISTINCT user_id) AS uv,
      sum(CASE WHEN action = 'redeem' THEN 1 ELSE 0 END) AS redeemed, sum(CASE WHEN action = 'redeem' THEN amount_cents ELSE 0 END) AS gmv_cents
      FROM read_json(${lit(path.join(topic, "*.jsonl"))}, format = 'newline_delimited') GROUP BY ALL`), COLS);
    s.close();
    const got = canon((await db.query(`SELECT * FROM ${schema}.ads_coupon_daily_rt`)).rows, COLS);
    expect(got).toEqual(expected);
    const commits = await db.query("SELECT batch_id FROM tandem_sink_commits WHERE job = $1", [base.jobId]);
    expect(Number(commits.rows[0]?.batch_id)).toBe(20);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);
});
