import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Database } from "../../db/client";
import type { Actor, ProjectContext } from "../context";
import { DomainError, ValidationError } from "../errors";
import { Name } from "../catalog/schemas";
import { getProject } from "../projects/projects";
import type { SecretBox } from "../catalog/secrets";

/*
 * 1. CONTEXT
 * Built per request by the HTTP adapter (app/api/trpc) and by tests. The actor is the local operator in
 * the embedded single-user mode; authentication replaces it with a user or an API token.
 */
export interface TrpcContext {
  db: Database;
  actor: Actor;
  secretBox: SecretBox;
}

/*
 * 2. INITIALIZATION
 * Domain errors become tRPC errors here and only here. Validation issues travel in `data.issues` so the
 * workbench can point at the field (or line and column) that is wrong.
 */
const CODE_MAP: Record<DomainError["code"], TRPCError["code"]> = {
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  VALIDATION: "BAD_REQUEST",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  LIMIT_EXCEEDED: "TOO_MANY_REQUESTS",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHENTICATED: "UNAUTHORIZED",
};

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        issues: cause instanceof ValidationError ? cause.issues : undefined,
      },
    };
  },
});

const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      // Unknown failures keep their cause for the server log but never leak details to the client.
      console.error("[trpc] internal error:", cause ?? result.error);
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error", cause: result.error });
    }
  }
  return result;
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/*
 * 3. PROCEDURES
 * publicProcedure: no project. projectProcedure: every catalog call is scoped to one project, named in
 * the input as `project`; the resolved project is in ctx.project.
 */
export const publicProcedure = t.procedure.use(domainErrors);

export const projectProcedure = publicProcedure
  .input(z.object({ project: Name }))
  .use(async ({ ctx, input, next }) => {
    const project = await getProject(ctx.db, input.project);
    const projectCtx: ProjectContext & { secretBox: SecretBox } = { db: ctx.db, actor: ctx.actor, secretBox: ctx.secretBox, project };
    return next({ ctx: projectCtx });
  });
