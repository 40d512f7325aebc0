import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

// Bridges Node's http server to the fetch-style handler of the tRPC API (server/api/http.ts), so the
// production web server can answer /api/trpc itself instead of routing every call through Next.js. The
// handler, its body cap and its checks stay one code path whichever server calls it.

/** A fetch Request for a Node request. `origin` is the server's own origin (scheme, host, port). */
export function webRequestOf(req: IncomingMessage, origin: string, signal?: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  // The body stays a stream: limitRequestBody counts it as it arrives and stops past the cap.
  const body = hasBody ? Readable.toWeb(req) : undefined;
  return new Request(new URL(req.url ?? "/", origin), { method, headers, body, signal, ...(body ? { duplex: "half" } : {}) } as RequestInit);
}

/** Writes a fetch Response to a Node response. tRPC's answers are small JSON documents: sent in one piece. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  if (body) headers["content-length"] = String(body.byteLength);
  res.writeHead(response.status, response.statusText, headers);
  res.end(body);
}
