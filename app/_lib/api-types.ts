import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/api/root";

// Shapes of the API as the workbench sees them, derived from the router (type-only: nothing of
// server/ reaches the browser bundle).

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type ConnectionView = RouterOutputs["catalog"]["connections"]["list"][number];
export type TableRow = RouterOutputs["catalog"]["tables"]["list"]["rows"][number];
export type TableDetail = RouterOutputs["catalog"]["tables"]["get"];
export type PhysicalTable = TableDetail["spec"];
export type MetaTableRow = RouterOutputs["catalog"]["metaTables"]["list"]["rows"][number];
export type MetaTableDetail = RouterOutputs["catalog"]["metaTables"]["get"];
export type MetaTable = MetaTableDetail["spec"];
export type AlignmentProposal = RouterOutputs["catalog"]["metaTables"]["autoAlign"];
export type ColumnDraft = RouterOutputs["catalog"]["tables"]["inferFromJson"][number];
export type TableSort = NonNullable<RouterInputs["catalog"]["tables"]["list"]["sort"]>;
