import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { applyDemoProject, type DemoProject } from "../testing/demo-project";
import { LIST_DESCRIPTION_CHARS } from "./list-text";

// A long description is stored whole and shown whole on the detail view, but every list shows only its start.

let handle: DatabaseHandle;
let demo: DemoProject;
let project: string;
const api = () => demo.api();

beforeAll(async () => {
  handle = await openTestDatabase();
  const long = "é".repeat(9_000);
  demo = await applyDemoProject(handle.db, "listtext", (file) => {
    file.physicalTables[0]!.description = long;
    file.metaTables[0]!.description = long;
    file.connections[0]!.description = long;
  });
  project = demo.project;
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
