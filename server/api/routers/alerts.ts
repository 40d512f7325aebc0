import { z } from "zod";
import { deleteAlertChannel, listAlertChannels, listAlertHistory, upsertAlertChannel } from "../../alerts/index";
import { Name } from "../../catalog/schemas";
import { projectAction, router } from "../trpc";

// Thin: a project's alert channels (owners manage them: a channel makes the server POST to a URL, audited)
// and the history of sent alerts. The channel is validated by server/alerts (every problem by field).
export const alertsRouter = router({
  channels: projectAction("catalog.read").query(({ ctx }) => listAlertChannels(ctx)),
  upsertChannel: projectAction("alert.manage").input(z.object({ channel: z.unknown() })).mutation(({ ctx, input }) => upsertAlertChannel(ctx, input.channel)),
  deleteChannel: projectAction("alert.manage").input(z.object({ name: Name })).mutation(({ ctx, input }) => deleteAlertChannel(ctx, input.name)),
  history: projectAction("catalog.read").input(z.object({ job: Name.optional(), limit: z.number().int().min(1).max(1000).optional() }))
    .query(({ ctx, input }) => listAlertHistory(ctx, input)),
});
