// Caps the bytes of an HTTP request body. The stream is counted as it arrives, so a missing or
// understated Content-Length cannot make Tandem buffer more than the cap.

export const MAX_REQUEST_BODY_BYTES = 5 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the limit of ${Math.round(limit / 1024 / 1024)} MB.`);
    this.name = "BodyTooLargeError";
  }
}

/** Reads the whole body, stopping (and cancelling the stream) as soon as it passes `limit` bytes. */
export async function readBodyWithin(req: Request, limit = MAX_REQUEST_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined); // the client may already be gone; nothing to report
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Returns a copy of `req` whose body is already read and within the limit, or a 413 response. */
export async function limitRequestBody(req: Request, limit = MAX_REQUEST_BODY_BYTES): Promise<Request | Response> {
  if (req.method === "GET" || req.method === "HEAD") return req;
  try {
    const body = await readBodyWithin(req, limit);
    return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal });
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return Response.json({ error: { message: error.message, code: "PAYLOAD_TOO_LARGE" } }, { status: 413 });
  }
}
