import { createRequestContext } from "../../../../server/api/context";
import { handleTrpcRequest } from "../../../../server/api/http";
import { configuredOrchestrator } from "../../../../workflows/orchestrator";

// The composition root of the web API: the domain's context plus Temporal behind the Orchestrator port.
const handler = async (req: Request) => handleTrpcRequest(req, async (o) => createRequestContext({ ...o, orchestrator: await configuredOrchestrator() }));

export { handler as GET, handler as POST };
