import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Database } from "../../db/client";
import { actorLabel, type Actor, type ProjectContext, type ProjectRef } from "../context";
import { describeDatabaseError, DomainError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from "../errors";
import { Name } from "../catalog/schemas";
import { getProject } from "../projects/projects";
import type { Orchestrator } from "../orchestration";
import type { SecretBox } from "../catalog/secrets";
import { authorize, roleOf } from "../auth/authorize";
import { POLICY, type Action, type Policy, type Role } from "../auth/policy";

/*
 * 1. CONTEXT
 * Built per request by the HTTP adapter (app/api/trpc) and by tests. The actor is the local operator in
 * the embedded single-user mode; with login on, a user (session cookie) or an API token, or undefined.
 */
export interface TrpcContext {
  db: Database;
  /** undefined: login is on and the request carries no valid session or token. */
  actor: Actor | undefined;
  secretBox: SecretBox;
  /** Temporal behind its port (runs, reruns, cancels); undefined when none is configured or reachable. */
  orchestrator?: Orchestrator;
  /** Why credentials that were presented were refused (expired token, ...). */
  unauthenticatedReason?: string;
  /** Set when the HTTP request comes from another site's page: every mutation is then refused with it. */
  mutationRefusal?: string;
  /** Tests only (the policy matrix): stop after the access decision, before input parsing and the handler. */
  policyProbe?: boolean;
}

/** Every procedure declares its access policy (server/auth/policy.ts); one without is refused. */
export interface ProcedureMeta {
  policy?: Policy;
}

/** Thrown instead of running the handler when ctx.policyProbe is set and access was granted. */
export class PolicyProbeAllowed extends Error {
  constructor(readonly role: Role | "public" | "authenticated") {
    super("allowed (policy probe)");
  }
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

const t = initTRPC.context<TrpcContext>().meta<ProcedureMeta>().create({
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
    if (cause instanceof PolicyProbeAllowed) throw cause; // tests only: not a failure, never logged
    if (cause instanceof DomainError) {
      throw new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause });
    }
    const databaseProblem = result.error.code === "INTERNAL_SERVER_ERROR" ? describeDatabaseError(cause ?? result.error) : undefined;
    if (databaseProblem) {
      console.error("[trpc] database error:", cause ?? result.error);
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: databaseProblem, cause: result.error });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      // Unknown failures keep their cause for the server log but never leak details to the client.
      console.error("[trpc] internal error:", cause ?? result.error);
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error", cause: result.error });
    }
  }
  return result;
});

// The access check of every procedure, before its input is parsed: reads the procedure's policy, resolves
// the project named in the raw input for project actions, and asks server/auth/authorize.ts. Fails closed.
const accessGuard = t.middleware(async ({ ctx, meta, path, type, getRawInput, next }) => {
  if (type === "mutation" && ctx.mutationRefusal) throw new ForbiddenError(ctx.mutationRefusal);
  const policy = meta?.policy;
  if (!policy) {
    throw new ForbiddenError(`procedure '${path}' declares no access policy; build it with projectAction(...), platformAction(...), signedInProcedure or anyoneProcedure (server/api/trpc.ts)`);
  }
  const probe = (role: Role | "public" | "authenticated") => {
    if (ctx.policyProbe) throw new PolicyProbeAllowed(role);
  };
  if (policy === "public") {
    probe("public");
    return next({ ctx: { authorizedProject: undefined as ProjectRef | undefined } });
  }
  const actor = ctx.actor;
  if (!actor) throw new UnauthenticatedError(ctx.unauthenticatedReason ?? "sign in first, or pass a valid API token");
  if (policy === "authenticated") {
    probe("authenticated");
    return next({ ctx: { actor, authorizedProject: undefined as ProjectRef | undefined } });
  }
  let project: ProjectRef | undefined;
  if (POLICY[policy].scope === "project") {
    const raw = await getRawInput();
    const name = Name.safeParse(typeof raw === "object" && raw !== null ? (raw as { project?: unknown }).project : undefined);
    if (!name.success) throw new ValidationError([{ path: "project", message: "name the project (input field `project`)" }]);
    try {
      project = await getProject(ctx.db, name.data);
    } catch (e) {
      // Callers who may not see every project learn nothing about which projects exist.
      if (e instanceof NotFoundError && (await roleOf(ctx.db, actor, undefined)) !== "admin") {
        // Same wording as authorize() uses for an existing project the caller is not a member of.
        throw new ForbiddenError(`project '${name.data}' does not exist or ${actorLabel(actor)} is not a member of it`);
      }
      throw e;
    }
  }
  const role = await authorize(ctx.db, actor, policy, project);
  probe(role);
  return next({ ctx: { actor, authorizedProject: project } });
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/*
 * 3. PROCEDURES
 * Every procedure is built from one of the guarded builders below, which attach its policy:
 *   projectAction(action)  a project action (input carries `project`; ctx.project is the resolved project)
 *   platformAction(action) a platform action (admins)
 *   signedInProcedure      any signed-in caller, acting on their own things
 *   anyoneProcedure        no sign-in needed
 * publicProcedure / projectProcedure without `.meta({ policy })` are refused at run time and fail the
 * policy matrix test (server/auth/policy-matrix.test.ts).
 */
export const publicProcedure = t.procedure.use(domainErrors).use(accessGuard);

const signedIn = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new UnauthenticatedError("sign in first, or pass a valid API token"); // the guard already refused; this narrows the type
  return next({ ctx: { actor: ctx.actor } });
});

export const projectProcedure = signedIn
  .input(z.object({ project: Name }))
  .use(async ({ ctx, input, next }) => {
    const project = ctx.authorizedProject ?? await getProject(ctx.db, input.project);
    const projectCtx: ProjectContext & { secretBox: SecretBox } = { db: ctx.db, actor: ctx.actor, secretBox: ctx.secretBox, project };
    return next({ ctx: projectCtx });
  });

type ProjectAction = { [A in Action]: (typeof POLICY)[A]["scope"] extends "project" ? A : never }[Action];
type PlatformAction = Exclude<Action, ProjectAction>;

export const projectAction = (action: ProjectAction) => projectProcedure.meta({ policy: action });
export const platformAction = (action: PlatformAction) => signedIn.meta({ policy: action });
export const signedInProcedure = signedIn.meta({ policy: "authenticated" });
export const anyoneProcedure = publicProcedure.meta({ policy: "public" });
