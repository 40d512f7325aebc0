import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

// Catalog tables. Each object keeps its validated spec as jsonb (the spec is the unit users declare,
// diff and export) plus the few columns the workbench sorts and filters on. Names are unique per project.

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const projects = pgTable("projects", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  ...timestamps,
});

/** Encrypted secret as stored: never leaves the server in this form except to an engine at submit time. */
export interface StoredSecret {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
  /** HMAC of the plaintext: lets apply detect a changed secret without decrypting or showing it. */
  fingerprint: string;
  /** Where the value came from, so export can write the reference back. */
  source: { env: string } | { literal: true };
}

export const connections = pgTable(
  "connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").notNull(),
    description: text("description").notNull().default(""),
    properties: jsonb("properties").$type<Record<string, string>>().notNull().default({}),
    secrets: jsonb("secrets").$type<Record<string, StoredSecret>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [uniqueIndex("connections_project_name").on(t.projectId, t.name)],
);

export const physicalTables = pgTable(
  "physical_tables",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull().references(() => connections.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["stream", "batch"] }).notNull(),
    description: text("description").notNull().default(""),
    columnCount: integer("column_count").notNull(),
    /** Copied out of the spec so lists never read (and detoast) the jsonb. */
    partitioned: boolean("partitioned").notNull().default(false),
    spec: jsonb("spec").notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("physical_tables_project_name").on(t.projectId, t.name),
    index("physical_tables_project_kind").on(t.projectId, t.kind, t.name),
    index("physical_tables_project_updated").on(t.projectId, t.updatedAt),
    // Substring search in the tables list (ILIKE '%...%') over 10,000s of tables: trigram indexes.
    index("physical_tables_name_trgm").using("gin", t.name.op("gin_trgm_ops")),
    index("physical_tables_description_trgm").using("gin", t.description.op("gin_trgm_ops")),
    index("physical_tables_connection").on(t.connectionId),
  ],
);

export const metaTables = pgTable(
  "meta_tables",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["single", "mixed"] }).notNull(),
    description: text("description").notNull().default(""),
    owner: text("owner").notNull().default(""),
    spec: jsonb("spec").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("meta_tables_project_name").on(t.projectId, t.name)],
);

export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    spec: jsonb("spec").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("jobs_project_name").on(t.projectId, t.name)],
);

