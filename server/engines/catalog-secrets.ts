import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { connections } from "../../db/schema/index";
import type { ConnectionSpecParsed, SecretValue } from "../catalog/schemas";
import type { SecretBox } from "../catalog/secrets";
import type { SecretLookup } from "./local/bind";

// Secrets reach an engine only here, on the submit path: sealed values from the catalog are opened
// with the SecretBox, project-file values come from the file or the environment. Nothing logs them.

/** Secrets of a project's connections in the catalog, opened on first use. */
export async function catalogSecrets(db: Database, projectId: string, box: SecretBox): Promise<SecretLookup> {
  const rows = await db.select({ name: connections.name, secrets: connections.secrets }).from(connections).where(eq(connections.projectId, projectId));
  const sealed = new Map(rows.map((r) => [r.name, r.secrets]));
  return (connection, key) => {
    const s = sealed.get(connection.name)?.[key];
    if (!s) throw new Error(`connection '${connection.name}' has no stored secret '${key}'; set it with tandem apply`);
    return box.open(s);
  };
}

/** Secrets of a project file: literals, or `{ env: NAME }` read from the environment now. */
export function fileSecrets(readEnv: (name: string) => string | undefined): SecretLookup {
  return (connection: ConnectionSpecParsed, key: string) => {
    const v: SecretValue | undefined = connection.secrets[key];
    if (v === undefined) throw new Error(`connection '${connection.name}' has no secret '${key}'`);
    if (typeof v === "string") return v;
    if ("env" in v) {
      const value = readEnv(v.env);
      if (value === undefined) throw new Error(`secret '${key}' of connection '${connection.name}' reads the environment variable ${v.env}, which is not set`);
      return value;
    }
    throw new Error(`secret '${key}' of connection '${connection.name}' is stored in the catalog; run without -f to use the catalog`);
  };
}
