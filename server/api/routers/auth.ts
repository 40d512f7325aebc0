import { z } from "zod";
import { authSettings } from "../../auth/settings";
import { createUser, CreateUserInput, describeActor, listUsers, setAdmin } from "../../auth/users";
import { PreconditionFailedError } from "../../errors";
import { anyoneProcedure, platformAction, router, signedInProcedure } from "../trpc";

// Who am I, is login on, and (admins) users. Sign-in and sign-out themselves are better-auth's HTTP
// routes under /api/auth (app/api/auth/[...all]).

function loginSettings() {
  const settings = authSettings();
  if (settings.mode !== "login") throw new PreconditionFailedError("login is off (local single-user mode): set TANDEM_AUTH_SECRET to manage users");
  return settings;
}

export const authRouter = router({
  status: anyoneProcedure.query(() => {
    const s = authSettings();
    return { mode: s.mode, singleSignOn: s.mode === "login" && s.oidc ? { providerId: s.oidc.providerId, name: s.oidc.name } : null };
  }),
  me: signedInProcedure.query(({ ctx }) => describeActor(ctx.db, ctx.actor)),
  users: router({
    list: platformAction("admin").query(({ ctx }) => listUsers(ctx)),
    create: platformAction("admin").input(CreateUserInput).mutation(({ ctx, input }) => createUser(ctx, loginSettings(), input)),
    setAdmin: platformAction("admin").input(z.object({ email: z.email(), isAdmin: z.boolean() }))
      .mutation(({ ctx, input }) => setAdmin(ctx, input.email, input.isAdmin)),
  }),
});
