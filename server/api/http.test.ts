import crypto from "node:crypto";
import fs from "node:fs";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase, uniqueName } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import { DEMO_PROJECT_FILE } from "../demo/seed";
import { applyProjectFile } from "../project-file/apply";
import { parseProjectFile } from "../project-file/load";
import { MAX_REQUEST_BODY_BYTES, readBodyWithin, BodyTooLargeError } from "./body-limit";
import { handleTrpcRequest } from "./http";
import type { AppRouter } from "./root";

// The HTTP layer of the tRPC API: the body cap and queries sent by POST, over a real test database.

let handle: DatabaseHandle;
let project: string;
const box = new SecretBox(crypto.randomBytes(32));
const context = async () => ({ db: handle.db, actor: { kind: "local" as const }, secretBox: box });
const requests: { method: string; urlLength: number }[] = [];
const serve = async (input: RequestInfo | URL, init?: RequestInit) => {
  const req = new Request(input instanceof Request ? input : new URL(String(input), "http://tandem.test"), init);
  requests.push({ method: req.method, urlLength: req.url.length });
  return handleTrpcRequest(req, context);
};

beforeAll(async () => {
  handle = await openTestDatabase();
  project = uniqueName("http");
  const text = fs.readFileSync(DEMO_PROJECT_FILE, "utf8").replace("project: double11", `project: ${project}`);
  await applyProjectFile(handle.db, parseProjectFile(text).file, { secretBox: box, readEnv: () => undefined });
}, 60_000);
afterAll(async () => { await handle?.close(); });

function streamOf(totalBytes: number, chunkBytes = 64 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) {
        controller.close();
        return;
      }
      const size = Math.min(chunkBytes, totalBytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
}

describe("tRPC over HTTP", () => {
  it("sends a query with a long SQL draft by POST and answers it", async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: "http://tandem.test/api/trpc", transformer: superjson, methodOverride: "POST", fetch: serve })],
    });
    const padding = `-- ${"x".repeat(20_000)}\n`;
    const result = await client.sql.validate.query({ project, sql: `${padding}SELECT 1 AS one` });
    // The draft is not a valid job, but it arrived whole: its issue sits on the line after the padding.
    expect(JSON.stringify(result)).toMatch(/"line":2/);
    expect(requests.at(-1)?.method).toBe("POST");
    expect(requests.at(-1)?.urlLength).toBeLessThan(200);
  }, 60_000);

  it("refuses a streamed body over the cap with 413 without a Content-Length", async () => {
    const req = new Request("http://tandem.test/api/trpc/sql.validate", {
      method: "POST",
      body: streamOf(MAX_REQUEST_BODY_BYTES + 1),
      duplex: "half",
    } as RequestInit);
    expect(req.headers.get("content-length")).toBeNull();
    const res = await handleTrpcRequest(req, context);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/larger than the limit of 5 MB/);
  });

  it("refuses a declared Content-Length over the cap before reading", async () => {
    const req = new Request("http://tandem.test/api/trpc/sql.validate", {
      method: "POST",
      body: "{}",
      headers: { "content-length": String(60 * 1024 * 1024) },
    });
    const res = await handleTrpcRequest(req, context);
    expect(res.status).toBe(413);
  });

  it("stops reading a stream once it passes the cap", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const req = new Request("http://tandem.test/x", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    await expect(readBodyWithin(req, 10 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled).toBeLessThan(64 * 1024);
  });

  it("passes a body within the cap through unchanged", async () => {
    const req = new Request("http://tandem.test/x", { method: "POST", body: streamOf(100_000), duplex: "half" } as RequestInit);
    expect((await readBodyWithin(req)).byteLength).toBe(100_000);
  });
});
