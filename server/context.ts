import type { Database } from "../db/client";

// One context for every caller: the web app, the CLI, and Temporal activities (as the system actor).

export type Actor =
  | { kind: "user"; userId: string; email: string }
  | { kind: "apiToken"; tokenId: string; userId: string }
  | { kind: "system"; reason: string }
  /** The embedded single-user mode: no login, one local operator. */
  | { kind: "local" };

export interface ServiceContext {
  db: Database;
  actor: Actor;
}

export interface ProjectRef {
  id: string;
  name: string;
}

export interface ProjectContext extends ServiceContext {
  project: ProjectRef;
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "user": return actor.email;
    case "apiToken": return `token:${actor.tokenId}`;
    case "system": return `system:${actor.reason}`;
    case "local": return "local";
  }
}
