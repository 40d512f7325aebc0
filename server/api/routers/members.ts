import { z } from "zod";
import { listMembers, removeMember, setMember, SetMemberInput } from "../../auth/members";
import { projectAction, router } from "../trpc";

export const membersRouter = router({
  list: projectAction("members.read").query(({ ctx }) => listMembers(ctx)),
  set: projectAction("members.manage").input(SetMemberInput).mutation(({ ctx, input }) => setMember(ctx, input)),
  remove: projectAction("members.manage").input(z.object({ email: z.email() })).mutation(({ ctx, input }) => removeMember(ctx, input.email)),
});
