import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDatabaseError } from "../server/errors";
import { serveEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-server";

// A full disk under the embedded database. The writer gets one clear sentence; PGlite, which PANICs like
// Postgres when it cannot write its log, is restarted by the owner once space is free; clients meanwhile are
// refused with a sentence instead of hanging; and every committed row is still there. Needs a small tmpfs, so
// it runs as root (CI and these machines) and is skipped elsewhere.

const root = process.getuid?.() === 0;
let mount: string;
let server: EmbeddedDatabase | undefined;

async function connectWhenBack(url: string, ms: number): Promise<pg.Client> {
  const until = Date.now() + ms;
  for (;;) {
    const c = new pg.Client({ connectionString: url });
    c.on("error", () => undefined); // a refused attempt is retried below
    try {
      await c.connect();
      await c.query("SELECT 1");
      return c;
    } catch (e) {
      await c.end().catch(() => undefined); // already closed by the refusal
      if (Date.now() > until) throw e;
      expect(describeDatabaseError(e) ?? (e as Error).message).toMatch(/restarting|connection|terminated/i);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

describe.runIf(root)("embedded database on a full disk", () => {
  beforeAll(async () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mount]);
    server = await serveEmbeddedDatabase(path.join(mount, "data"), { command: "disk-full.test" });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    execFileSync("umount", ["-l", mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  });

  it("fails the write with a clear sentence, recovers once space is freed, and loses no committed row", async () => {
    // Space the "operator" frees later.
    fs.writeFileSync(path.join(mount, "ballast"), Buffer.alloc(12 * 1024 * 1024));
    const writer = new pg.Client({ connectionString: server!.url });
    writer.on("error", () => undefined); // the restart disconnects it; asserted through the failed query
    await writer.connect();
    await writer.query("CREATE TABLE filler (id serial PRIMARY KEY, pad text NOT NULL)");
    let committed = 0;
    let failure: unknown;
    for (let i = 0; i < 200 && !failure; i++) {
      await writer.query("INSERT INTO filler (pad) SELECT md5(g::text) || repeat('x', 2000) FROM generate_series(1, 2000) g")
        .then(() => (committed += 2000), (e: unknown) => (failure = e));
    }
    expect(describeDatabaseError(failure)).toMatch(/out of disk space: nothing was written/);
    fs.rmSync(path.join(mount, "ballast"));
    const reader = await connectWhenBack(server!.url, 30_000);
    const all = await reader.query<{ n: string }>("SELECT count(*) AS n FROM filler");
    expect(Number(all.rows[0]!.n)).toBe(committed);
    await reader.end();
  }, 90_000);
});
