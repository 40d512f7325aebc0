import { listAuditEvents, ListAuditEventsInput } from "../../audit/audit";
import { projectAction, router } from "../trpc";

export const auditRouter = router({
  list: projectAction("audit.read").input(ListAuditEventsInput).query(({ ctx, input }) => listAuditEvents(ctx, input)),
});
