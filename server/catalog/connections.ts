import { and, asc, count, eq } from "drizzle-orm";
import { connections, physicalTables, type StoredSecret } from "../../db/schema/index";
import type { ProjectContext } from "../context";
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { parseWith } from "./parse";
import { ConnectionSpec, type ConnectionSpecParsed } from "./schemas";
import { MASK, type SecretBox } from "./secrets";
import { recordAudit } from "../audit/audit";
import { listDescription } from "./list-text";

// Connections as the workbench sees them: secrets are always masked, with where they came from.

export interface ConnectionView {
  id: string;
  name: string;
  type: string;
  description: string;
  properties: Record<string, string>;
  secrets: Record<string, { value: typeof MASK; source: string }>;
  tableCount: number;
  updatedAt: Date;
}

export function maskSecrets(secrets: Record<string, StoredSecret>): ConnectionView["secrets"] {
  return Object.fromEntries(
    Object.entries(secrets).map(([k, s]) => [k, { value: MASK, source: "env" in s.source ? `env:${s.source.env}` : "stored" }]),
  );
}

export async function listConnections(ctx: ProjectContext): Promise<ConnectionView[]> {
  const rows = await ctx.db
    .select({
      id: connections.id, name: connections.name, type: connections.type, description: listDescription(connections.description),
      properties: connections.properties, secrets: connections.secrets, updatedAt: connections.updatedAt, tableCount: count(physicalTables.id),
    })
    .from(connections)
    .leftJoin(physicalTables, eq(physicalTables.connectionId, connections.id))
    .where(eq(connections.projectId, ctx.project.id))
    .groupBy(connections.id)
    .orderBy(asc(connections.name));
  return rows.map((r) => ({ ...r, secrets: maskSecrets(r.secrets) }));
}

type SecretInput = string | { env: string } | { stored: true };

function sealSecrets(
  name: string,
  input: Record<string, SecretInput>,
  existing: Record<string, StoredSecret>,
  box: SecretBox,
  readEnv: (n: string) => string | undefined,
): Record<string, StoredSecret> {
  const out: Record<string, StoredSecret> = {};
  for (const [key, value] of Object.entries(input)) {
    if (typeof value === "object" && "stored" in value) {
      const kept = existing[key];
      if (!kept) throw new ValidationError([{ path: `connections.${name}.secrets.${key}`, message: `no stored secret '${key}' to keep; enter its value` }]);
      out[key] = kept;
    } else if (typeof value === "string") {
      out[key] = box.seal(value, { literal: true });
    } else {
      const v = readEnv(value.env);
      if (!v) throw new ValidationError([{ path: `connections.${name}.secrets.${key}`, message: `environment variable ${value.env} is not set on the server` }]);
      out[key] = box.seal(v, { env: value.env });
    }
  }
  return out;
}

export interface SecretDeps {
  secretBox: SecretBox;
  readEnv: (name: string) => string | undefined;
}

export async function createConnection(ctx: ProjectContext & SecretDeps, input: unknown): Promise<ConnectionView> {
  const spec = parseSpec(input);
  const secrets = sealSecrets(spec.name, spec.secrets, {}, ctx.secretBox, ctx.readEnv);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(connections)
      .values({ projectId: ctx.project.id, name: spec.name, type: spec.type, description: spec.description, properties: spec.properties, secrets })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ConflictError(`a connection named '${spec.name}' already exists in project '${ctx.project.name}'`);
    await recordAudit(tx, ctx.actor, ctx.project, { action: "connection.create", entity: "connection", name: spec.name, details: { secretKeys: Object.keys(secrets).sort() } });
    return { ...row, secrets: maskSecrets(row.secrets), tableCount: 0 };
  });
}

export async function updateConnection(ctx: ProjectContext & SecretDeps, name: string, input: unknown): Promise<ConnectionView> {
  const spec = parseSpec(input);
  if (spec.name !== name) throw new ValidationError([{ path: `connections.${name}.name`, message: "renaming a connection is not supported; create a new one" }]);
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(connections).where(and(eq(connections.projectId, ctx.project.id), eq(connections.name, name))).for("update");
    if (!current) throw new NotFoundError("connection", name);
    const secrets = sealSecrets(name, spec.secrets, current.secrets, ctx.secretBox, ctx.readEnv);
    const [row] = await tx
      .update(connections)
      .set({ type: spec.type, description: spec.description, properties: spec.properties, secrets, updatedAt: new Date() })
      .where(eq(connections.id, current.id))
      .returning();
    if (!row) throw new NotFoundError("connection", name);
    const changedSecrets = [...new Set([...Object.keys(current.secrets), ...Object.keys(secrets)])]
      .filter((k) => current.secrets[k]?.fingerprint !== secrets[k]?.fingerprint || current.secrets[k]?.keyId !== secrets[k]?.keyId).sort();
    await recordAudit(tx, ctx.actor, ctx.project, { action: "connection.update", entity: "connection", name, details: { changedSecretKeys: changedSecrets } });
    const [tables] = await tx.select({ n: count() }).from(physicalTables).where(eq(physicalTables.connectionId, row.id));
    return { ...row, secrets: maskSecrets(row.secrets), tableCount: tables?.n ?? 0 };
  });
}

/** Deletes an unused connection and returns its spec (secrets as `{ stored: true }` cannot be restored). */
export async function deleteConnection(ctx: ProjectContext, name: string): Promise<{ name: string }> {
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx.select({ id: connections.id }).from(connections).where(and(eq(connections.projectId, ctx.project.id), eq(connections.name, name)));
    if (!current) throw new NotFoundError("connection", name);
    const users = await tx.select({ name: physicalTables.name }).from(physicalTables).where(eq(physicalTables.connectionId, current.id)).limit(6);
    if (users.length) {
      throw new PreconditionFailedError(
        `connection '${name}' is used by ${users.length > 5 ? "6 or more tables" : users.length === 1 ? "table" : "tables"} ${users.slice(0, 5).map((u) => `'${u.name}'`).join(", ")}; delete or move them first`,
      );
    }
    await tx.delete(connections).where(eq(connections.id, current.id));
    await recordAudit(tx, ctx.actor, ctx.project, { action: "connection.delete", entity: "connection", name });
    return { name };
  });
}

function parseSpec(input: unknown): ConnectionSpecParsed {
  return parseWith(ConnectionSpec, input, "connection");
}

