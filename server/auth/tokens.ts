import crypto from "node:crypto";
import { and, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, authUsers, projects } from "../../db/schema/index";
import { recordAudit } from "../audit/audit";
import type { Actor, ServiceContext } from "../context";
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from "../errors";
import { getProject } from "../projects/projects";
import { authorize, liveToken, roleOf } from "./authorize";
import { MAX_TOKEN_DAYS, roleRank, ROLES, type Role } from "./policy";

// API tokens for the CLI and CI: `tdm_` + 256 random bits, shown once, stored as SHA-256. A token belongs
// to a user, is scoped to one project and a role (or, for admins, to the whole platform as admin), expires,
// and can be revoked. Every use re-checks revocation, expiry and the user's current role.

export { MAX_TOKEN_DAYS };
const TOKEN_PREFIX = "tdm_";

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export const CreateTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  /** The project the token may act in; omit only for an admin token. */
  project: z.string().optional(),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(90),
});
export type CreateTokenInput = z.input<typeof CreateTokenInput>;

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  project: string | null;
  role: Role;
  user: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The user a token is created for: the caller itself (a user, or the user behind a token). */
function ownerOf(actor: Actor): string | undefined {
  return actor.kind === "user" || actor.kind === "apiToken" ? actor.userId : undefined;
}

/**
 * Creates a token for the caller (or, for the local operator / an admin, for `forUserEmail`). The token's
 * role may not exceed the owner's role where it applies. Returns the plaintext once.
 */
export async function createToken(
  ctx: ServiceContext,
  input: CreateTokenInput,
  opts: { forUserEmail?: string; now?: Date } = {},
): Promise<{ token: string; view: TokenView }> {
  const q = CreateTokenInput.parse(input);
  const now = opts.now ?? new Date();
  let userId = ownerOf(ctx.actor);
  if (opts.forUserEmail) {
    await authorize(ctx.db, ctx.actor, "admin", undefined, now);
    const [u] = await ctx.db.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.email, opts.forUserEmail.toLowerCase()));
    if (!u) throw new NotFoundError("user", opts.forUserEmail);
    userId = u.id;
  }
  if (!userId) throw new ValidationError([{ path: "user", message: "tokens belong to a user: name one (--user <email>)" }]);
  const ownerActor: Actor = { kind: "user", userId, email: "" };

  if (q.role === "admin" ? q.project !== undefined : q.project === undefined) {
    throw new ValidationError([{ path: "project", message: q.role === "admin" ? "admin tokens cover every project; omit the project" : "name the project the token may act in" }]);
  }
  const project = q.project !== undefined ? await getProject(ctx.db, q.project) : undefined;
  // Neither the owner nor the caller may hand out more than they hold.
  for (const who of [ownerActor, ctx.actor]) {
    const held = await roleOf(ctx.db, who, project?.id, now);
    if (!held || roleRank(held) < roleRank(q.role)) {
      throw new ForbiddenError(`cannot create ${q.role === "viewer" ? "a" : "an"} ${q.role} token${project ? ` for project '${project.name}'` : ""}: the ${who === ctx.actor ? "caller" : "token's user"} is ${held ?? "not a member"}`);
    }
  }

  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(now.getTime() + q.expiresInDays * 86_400_000);
  if (ctx.actor.kind === "apiToken") {
    // A token may not mint a token that outlives it, or one short-lived leak would become a long one.
    const [parent] = await ctx.db.select({ expiresAt: apiTokens.expiresAt }).from(apiTokens).where(eq(apiTokens.id, ctx.actor.tokenId));
    if (!parent) throw new ForbiddenError("the API token that makes this request no longer exists");
    if (expiresAt > parent.expiresAt) {
      throw new ForbiddenError(`cannot create a token expiring ${expiresAt.toISOString()}: the API token making the request expires ${parent.expiresAt.toISOString()}, and a token may not outlive the token that creates it`);
    }
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(apiTokens).values({
      userId, projectId: project?.id ?? null, name: q.name, role: q.role, tokenHash: hashToken(token),
      prefix: token.slice(0, TOKEN_PREFIX.length + 6), expiresAt, createdAt: now,
      parentTokenId: ctx.actor.kind === "apiToken" ? ctx.actor.tokenId : null,
    }).returning();
    if (!row) throw new Error("token insert returned no row");
    await recordAudit(tx, ctx.actor, project, { action: "token.create", entity: "token", name: q.name, details: { id: row.id, role: q.role, expiresAt: expiresAt.toISOString() } });
    const [owner] = await tx.select({ email: authUsers.email }).from(authUsers).where(eq(authUsers.id, userId));
    return { token, view: toView(row, project?.name ?? null, owner?.email ?? userId) };
  });
}

function toView(row: typeof apiTokens.$inferSelect, project: string | null, user: string): TokenView {
  return {
    id: row.id, name: row.name, prefix: row.prefix, project, role: row.role, user,
    createdAt: row.createdAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt,
  };
}

/** The caller's own tokens; admins (and the local operator) may list everyone's with `all`. */
export async function listTokens(ctx: ServiceContext, opts: { all?: boolean } = {}): Promise<TokenView[]> {
  const where: SQL[] = [];
  const own = ownerOf(ctx.actor);
  if (opts.all || !own) await authorize(ctx.db, ctx.actor, "admin");
  else where.push(eq(apiTokens.userId, own));
  const rows = await ctx.db
    .select({ token: apiTokens, project: projects.name, user: authUsers.email })
    .from(apiTokens)
    .leftJoin(projects, eq(projects.id, apiTokens.projectId))
    .innerJoin(authUsers, eq(authUsers.id, apiTokens.userId))
    .where(and(...where))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((r) => toView(r.token, r.project, r.user));
}

/** Revokes a token: its owner, or an admin. Revoking twice is a no-op. */
export async function revokeToken(ctx: ServiceContext, tokenId: string, now = new Date()): Promise<TokenView> {
  const [row] = await ctx.db.select().from(apiTokens).where(eq(apiTokens.id, tokenId));
  if (!row) throw new NotFoundError("token", tokenId);
  if (ownerOf(ctx.actor) !== row.userId) await authorize(ctx.db, ctx.actor, "admin", undefined, now);
  return ctx.db.transaction(async (tx) => {
    const [updated] = await tx.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt))).returning();
    const [project] = row.projectId ? await tx.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.id, row.projectId)) : [];
    if (updated) await recordAudit(tx, ctx.actor, project, { action: "token.revoke", entity: "token", name: row.name, details: { id: row.id } });
    // Whatever this token minted, and what those minted, goes with it: a leaked token leaves no heirs.
    const heirs: { id: string; name: string }[] = [];
    for (let frontier = [tokenId]; frontier.length;) {
      const children = await tx.select({ id: apiTokens.id, name: apiTokens.name, revokedAt: apiTokens.revokedAt }).from(apiTokens).where(inArray(apiTokens.parentTokenId, frontier));
      const live = children.filter((c) => c.revokedAt === null);
      if (live.length) await tx.update(apiTokens).set({ revokedAt: now }).where(inArray(apiTokens.id, live.map((c) => c.id)));
      heirs.push(...live);
      frontier = children.map((c) => c.id); // a revoked child's own heirs are still followed
    }
    for (const heir of heirs) {
      await recordAudit(tx, ctx.actor, project, { action: "token.revoke", entity: "token", name: heir.name, details: { id: heir.id, withParent: row.id } });
    }
    const [owner] = await tx.select({ email: authUsers.email }).from(authUsers).where(eq(authUsers.id, row.userId));
    return toView(updated ?? row, project?.name ?? null, owner?.email ?? row.userId);
  });
}

/** The actor a presented token stands for; throws UnauthenticatedError for unknown, expired or revoked tokens. */
export async function verifyToken(ctx: Pick<ServiceContext, "db">, token: string, now = new Date()): Promise<Extract<Actor, { kind: "apiToken" }>> {
  if (!token.startsWith(TOKEN_PREFIX)) throw new UnauthenticatedError("not a Tandem API token (they start with tdm_)");
  const [row] = await ctx.db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token)));
  if (!row) throw new UnauthenticatedError("unknown API token");
  const live = await liveToken(ctx.db, row.id, now);
  if (!live) throw new UnauthenticatedError("the API token has expired or was revoked");
  await ctx.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  return { kind: "apiToken", tokenId: row.id, userId: live.userId };
}
