import { createRequestContext } from "../../../../server/api/context";
import { handleTrpcRequest } from "../../../../server/api/http";

const handler = (req: Request) => handleTrpcRequest(req, createRequestContext);

export { handler as GET, handler as POST };
