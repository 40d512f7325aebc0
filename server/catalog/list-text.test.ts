import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { appRouter } from "../api/root";
import { createCallerFactory } from "../api/trpc";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { SecretBox } from "./secrets";
import { LIST_DESCRIPTION_CHARS } from "./list-text";

// A long description is stored whole and shown whole on the detail view, but every list shows only its start.

let handle: DatabaseHandle;
let project: string;
const box = new SecretBox(crypto.randomBytes(32));
const api = () => createCallerFactory(appRouter)({ db: handle.db, actor: { kind: "local" }, secretBox: box });

beforeAll(async () => {
  handle = await openTestDatabase();
  project = uniqueName("listtext");
  const long = "é".repeat(9_000);
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  const file = parseProjectFile(text).file;
  file.physicalTables[0]!.description = long;
  file.metaTables[0]!.description = long;
  file.connections[0]!.description = long;
  await applyProjectFile(handle.db, file, { secretBox: box, readEnv: () => undefined });
});
afterAll(async () => {
  await handle.close();
});

describe("descriptions in lists", () => {
  it("are cut to their start in every list and whole in the detail", async () => {
    const tables = await api().catalog.tables.list({ project, pageSize: 500 });
    const metas = await api().catalog.metaTables.list({ project, pageSize: 500 });
    const conns = await api().catalog.connections.list({ project });
    for (const d of [...tables.rows, ...metas.rows, ...conns].map((r) => r.description)) expect(d.length).toBeLessThanOrEqual(LIST_DESCRIPTION_CHARS);
    const longOne = tables.rows.find((r) => r.description.length === LIST_DESCRIPTION_CHARS);
    expect(longOne).toBeDefined();
    const detail = await api().catalog.tables.get({ project, name: longOne!.name });
    expect(detail.spec.description).toHaveLength(9_000);
  });
});
