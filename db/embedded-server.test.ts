import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-server";

// The embedded owner serves one PGlite (one session) to many clients. Every extended-protocol exchange and
// every transaction must own it exclusively, or clients receive each other's answers under load.

let dir: string;
let server: EmbeddedDatabase;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-embedded-"));
  server = await serveEmbeddedDatabase(dir, { command: "embedded-server.test" });
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query("CREATE TABLE IF NOT EXISTS load_probe (id int primary key, owner text not null)");
  await c.end();
}, 60_000);

afterAll(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("embedded database server", () => {
  it("keeps every client's answers its own under concurrent extended-protocol queries and transactions", async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 24 });
    const failures: string[] = [];
    const deadline = Date.now() + 4_000;
    const reader = async (n: number) => {
      let i = 0;
      while (Date.now() < deadline) {
        i++;
        try {
          // Different parameter counts and row shapes, so a crossed answer cannot pass unnoticed.
          if (i % 2) {
            const r = await pool.query<{ s: number }>("SELECT $1::int + $2::int AS s", [n, i]);
            if (r.rows[0]?.s !== n + i) failures.push(`reader ${n}: ${JSON.stringify(r.rows)}`);
          } else {
            const r = await pool.query<{ who: string; k: number }>("SELECT $1::text AS who, 7 AS k", [`r${n}`]);
            if (r.rows[0]?.who !== `r${n}` || r.rows[0]?.k !== 7) failures.push(`reader ${n}: ${JSON.stringify(r.rows)}`);
          }
        } catch (e) {
          failures.push(`reader ${n}: ${(e as Error).message}`);
        }
      }
    };
    const writer = async (n: number) => {
      let i = 0;
      while (Date.now() < deadline) {
        const id = n * 1_000_000 + i++;
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query("INSERT INTO load_probe (id, owner) VALUES ($1, $2)", [id, `w${n}`]);
          const seen = await client.query<{ owner: string }>("SELECT owner FROM load_probe WHERE id = $1", [id]);
          if (seen.rows[0]?.owner !== `w${n}`) failures.push(`writer ${n}: saw ${JSON.stringify(seen.rows)}`);
          await client.query("DELETE FROM load_probe WHERE id = $1", [id]);
          await client.query("COMMIT");
        } catch (e) {
          failures.push(`writer ${n}: ${(e as Error).message}`);
          await client.query("ROLLBACK").catch(() => undefined); // the failure is already recorded
        } finally {
          client.release();
        }
      }
    };
    await Promise.all([...Array.from({ length: 16 }, (_, n) => reader(n)), ...Array.from({ length: 6 }, (_, n) => writer(n))]);
    const left = await pool.query<{ n: string }>("SELECT count(*) AS n FROM load_probe");
    await pool.end();
    expect(failures.slice(0, 5)).toEqual([]);
    expect(Number(left.rows[0]?.n)).toBe(0);
  }, 30_000);

  it("rolls back the transaction of a client that disconnects in the middle of it, and serves the others", async () => {
    const a = new pg.Client({ connectionString: server.url });
    a.on("error", () => undefined); // the test kills this client's socket on purpose
    await a.connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO load_probe (id, owner) VALUES (-1, 'gone')");
    // Kill the socket without a Terminate message, as a crashed process would.
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const b = new pg.Client({ connectionString: server.url });
    await b.connect();
    const r = await b.query<{ n: string }>("SELECT count(*) AS n FROM load_probe WHERE id = -1");
    expect(Number(r.rows[0]?.n)).toBe(0);
    await b.end();
  }, 20_000);

  it("keeps each client's named prepared statements its own, and closes them when the client leaves", async () => {
    const a = new pg.Client({ connectionString: server.url });
    const b = new pg.Client({ connectionString: server.url });
    await a.connect();
    await b.connect();
    // The same name with different text and shapes, as two programs that never heard of each other would use.
    expect((await a.query<{ x: number }>({ name: "q", text: "SELECT $1::int + 1 AS x", values: [1] })).rows).toEqual([{ x: 2 }]);
    expect((await b.query<{ y: string }>({ name: "q", text: "SELECT $1::text AS y", values: ["z"] })).rows).toEqual([{ y: "z" }]);
    expect((await a.query<{ x: number }>({ name: "q", text: "SELECT $1::int + 1 AS x", values: [5] })).rows).toEqual([{ x: 6 }]);
    await a.end();
    await b.end();
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    const left = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_prepared_statements");
    expect(Number(left.rows[0]!.n)).toBe(0);
    await c.end();
  });

  it("admits only clients that present the password of the data folder", async () => {
    const url = new URL(server.url);
    for (const password of ["", "wrong"]) {
      url.password = password;
      const c = new pg.Client({ connectionString: url.toString() });
      c.on("error", () => undefined); // the refusal is asserted below
      await expect(c.connect()).rejects.toThrow(/password authentication failed|password/);
    }
    // Any user name works with the password; without it, even "postgres" (the old open door) is refused.
    const guest = new pg.Client({ host: "127.0.0.1", port: server.port, user: "postgres", database: "postgres" });
    guest.on("error", () => undefined);
    await expect(guest.connect()).rejects.toThrow();
  });

  it("keeps the data folder and the password file private to their owner", () => {
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, "db.password")).mode & 0o777).toBe(0o600);
  });
});
