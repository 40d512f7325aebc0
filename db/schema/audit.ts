import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { projects } from "./catalog";

// The audit trail: one row per change, written in the transaction of the change. The project name is
// copied so the trail survives the project; details never hold secret values (only which keys changed).

export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    projectName: text("project_name"),
    /** Actor kind: user | apiToken | system | local. */
    actorKind: text("actor_kind").notNull(),
    /** User id, token id, or the system reason. */
    actorId: text("actor_id"),
    /** Human-readable: an email, `token:<id> (alice@example.com)`, `system:scheduler`, `local`. */
    actorLabel: text("actor_label").notNull(),
    /** What was done, e.g. `connection.create`, `job.deploy`, `member.update`, `token.revoke`. */
    action: text("action").notNull(),
    /** The kind and name of the object acted on. */
    entity: text("entity").notNull(),
    entityName: text("entity_name").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_events_project_at").on(t.projectId, t.at), index("audit_events_at").on(t.at)],
);
