import { z } from "zod";
import { createToken, CreateTokenInput, listTokens, revokeToken } from "../../auth/tokens";
import { router, signedInProcedure } from "../trpc";

// The caller's own API tokens. The operations cap a new token at the caller's role in its project and let
// only the owner (or an admin) revoke one; the plaintext is returned once, by create.
export const tokensRouter = router({
  list: signedInProcedure.input(z.object({ all: z.boolean().optional() }).optional()).query(({ ctx, input }) => listTokens(ctx, { all: input?.all })),
  create: signedInProcedure.input(CreateTokenInput).mutation(({ ctx, input }) => createToken(ctx, input)),
  revoke: signedInProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => revokeToken(ctx, input.id)),
});
