import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../db/client";
import { serveEmbeddedDatabase, type EmbeddedDatabase } from "../../db/embedded-server";
import { uniqueName } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { appRouter } from "./root";
import { createCallerFactory } from "./trpc";

// The API under concurrent readers and writers, the way the workbench reaches the database: node-postgres
// pool → the embedded owner's socket (or the Postgres at DATABASE_URL). `npm run bench:api` is the long
// version of this test against the production build over HTTP.

let dir: string | undefined;
let served: EmbeddedDatabase | undefined;
let handle: DatabaseHandle;
let project: string;
const box = new SecretBox(crypto.randomBytes(32));
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });

beforeAll(async () => {
  let url = process.env.DATABASE_URL;
  if (!url) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-concurrency-"));
    served = await serveEmbeddedDatabase(dir, { command: "concurrency.test" });
    url = served.url;
  }
  handle = await openDatabase({ kind: "postgres", url, poolSize: 10 }, { migrate: !process.env.DATABASE_URL });
  project = uniqueName("load");
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  await applyProjectFile(handle.db, parseProjectFile(text).file, { secretBox: box, readEnv: () => undefined });
}, 60_000);

afterAll(async () => {
  await handle.close();
  await served?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("API under concurrent load", () => {
  it("answers every reader and writer correctly and leaves no rows behind", async () => {
    const template = (await api().catalog.tables.get({ project, name: "ods_coupon_events_di" })).spec;
    const expectedTables = (await api().catalog.tables.list({ project })).total;
    const expectedConnections = (await api().catalog.connections.list({ project })).length;
    const errors: string[] = [];
    let reads = 0;
    let writes = 0;
    const deadline = Date.now() + 5_000;
    const reader = async () => {
      while (Date.now() < deadline) {
        try {
          const [tables, connections] = await Promise.all([
            api().catalog.tables.list({ project, search: "coupon" }),
            api().catalog.connections.list({ project }),
          ]);
          reads += 2;
          if (!tables.rows.every((r) => `${r.name} ${r.description}`.toLowerCase().includes("coupon"))) errors.push(`tables answer crossed: ${JSON.stringify(tables.rows.slice(0, 2))}`);
          if (connections.length !== expectedConnections) errors.push(`connections answer crossed: ${connections.length}`);
        } catch (e) {
          errors.push(`read: ${(e as Error).message}`);
        }
      }
    };
    const writer = async (n: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const name = `load_w${n}_${i}`;
        try {
          await api().catalog.tables.create({ project, spec: { ...template, name } });
          await api().catalog.tables.delete({ project, name });
          writes += 1;
        } catch (e) {
          errors.push(`write ${name}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all([...Array.from({ length: 12 }, () => reader()), ...Array.from({ length: 4 }, (_, n) => writer(n))]);
    expect(errors.slice(0, 5)).toEqual([]);
    expect(reads).toBeGreaterThan(50);
    expect(writes).toBeGreaterThan(5);
    expect((await api().catalog.tables.list({ project })).total).toBe(expectedTables);
  }, 60_000);
});
