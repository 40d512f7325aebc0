import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { limitRequestBody } from "./body-limit";
import { appRouter } from "./root";
import type { TrpcContext } from "./trpc";

// The tRPC API over HTTP: the body is capped before tRPC parses it, and queries may come by POST
// because large inputs (long SQL drafts) do not fit in a URL.
export async function handleTrpcRequest(
  request: Request,
  createContext: (opts: { req: Request }) => Promise<TrpcContext>,
): Promise<Response> {
  const req = await limitRequestBody(request);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ req: r }) => createContext({ req: r }),
    allowMethodOverride: true,
  });
}
