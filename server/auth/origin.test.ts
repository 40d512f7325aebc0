import crypto from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../db/client";
import { openTestDatabase } from "../../db/testing/index";
import { SecretBox } from "../catalog/secrets";
import type { Actor } from "../context";
import { appRouter } from "../api/root";
import { crossOriginRefusal } from "./origin";
import { testUser } from "./testing";

// Mutations over HTTP from another site's page are refused; API-token and CLI requests are not browser requests.

let handle: DatabaseHandle;
let user: Actor;
const box = new SecretBox(crypto.randomBytes(32));
const SERVER = "http://127.0.0.1:3000";

beforeAll(async () => {
  handle = await openTestDatabase();
  user = await testUser(handle.db, { isAdmin: true });
});
afterAll(async () => handle.close());

/** Posts tokens.create through the fetch adapter, building the context the way server/api/context.ts does. */
async function mintToken(headers: Record<string, string>, publicUrl?: string) {
  const req = new Request(`${SERVER}/api/trpc/tokens.create`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: { name: `t_${crypto.randomUUID().slice(0, 8)}`, role: "admin" } }),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc", req, router: appRouter,
    createContext: () => ({ db: handle.db, actor: user, secretBox: box, mutationRefusal: crossOriginRefusal(req.headers, req.url, publicUrl) }),
  });
  return { status: res.status, text: await res.text() };
}

describe("Origin check on mutations", () => {
  it("refuses a cross-origin mutation with the session cookie, with a clear message", async () => {
    const res = await mintToken({ cookie: "tandem.session_token=abc", origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.text).toContain("changes are refused from https://evil.example");
  });

  it("falls back to Sec-Fetch-Site and Referer when there is no Origin", async () => {
    expect((await mintToken({ cookie: "c=1", "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await mintToken({ cookie: "c=1", referer: "https://evil.example/page" })).status).toBe(403);
    expect((await mintToken({ cookie: "c=1", referer: `${SERVER}/projects` })).status).toBe(200);
  });

  it("allows the same origin and TANDEM_PUBLIC_URL's origin", async () => {
    expect((await mintToken({ cookie: "c=1", origin: SERVER })).status).toBe(200);
    expect((await mintToken({ cookie: "c=1", origin: "https://tandem.example" }, "https://tandem.example/app")).status).toBe(200);
  });

  it("allows API-token requests without a cookie and clients that send no browser headers (the CLI)", async () => {
    expect((await mintToken({ authorization: "Bearer tdm_x", origin: "https://evil.example" })).status).toBe(200);
    expect((await mintToken({})).status).toBe(200);
  });
});
