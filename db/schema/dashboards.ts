import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// Dashboards (server/dashboards/): one row per dashboard, its spec (widgets, layout, queries) as declared
// in the project file's `dashboards:`. `version` grows with every change (the editor's optimistic check).

export const dashboards = pgTable(
  "dashboards",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").notNull().references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    spec: jsonb("spec").notNull(),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("dashboards_project_name").on(t.projectId, t.name), index("dashboards_project").on(t.projectId)],
);
