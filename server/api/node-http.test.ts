import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { limitRequestBody, MAX_REQUEST_BODY_BYTES } from "./body-limit";
import { sendWebResponse, webRequestOf } from "./node-http";

// The bridge `tandem serve` puts between Node's http server and the fetch-style API handler: what the
// handler sees of a request, and what the client gets of its answer, over a real socket.

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: (req: Request) => Promise<Response>): Promise<string> {
  server = http.createServer((req, res) => {
    void handler(webRequestOf(req, `http://${req.headers.host ?? "localhost"}`)).then((r) => sendWebResponse(res, r));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("node-http bridge", () => {
  it("hands over method, URL, headers and body, and returns status, headers and every cookie", async () => {
    const base = await serve(async (req) => {
      const body = await req.text();
      const headers = new Headers({ "content-type": "application/json", "x-seen-origin": req.headers.get("origin") ?? "" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response(JSON.stringify({ method: req.method, url: req.url, body }), { status: 207, headers });
    });
    const res = await fetch(`${base}/api/trpc/x.y?input=%7B%7D`, { method: "POST", body: "héllo 🙂", headers: { origin: "http://elsewhere.test" } });
    expect(res.status).toBe(207);
    expect(res.headers.get("x-seen-origin")).toBe("http://elsewhere.test");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await res.json()).toEqual({ method: "POST", url: `${base}/api/trpc/x.y?input=%7B%7D`, body: "héllo 🙂" });
  });

  it("streams the body to the cap: an oversized upload without Content-Length gets 413, not buffered whole", async () => {
    const base = await serve(async (req) => {
      const limited = await limitRequestBody(req);
      return limited instanceof Response ? limited : new Response("accepted");
    });
    const size = MAX_REQUEST_BODY_BYTES + 1024 * 1024;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) {
          controller.close();
          return;
        }
        sent += 256 * 1024;
        controller.enqueue(new Uint8Array(256 * 1024).fill(0x20));
      },
    });
    const res = await fetch(`${base}/api/trpc/x`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/larger than the limit of 5 MB/);
  });

  it("answers a GET without a body", async () => {
    const base = await serve(async (req) => new Response(`${req.method} ${req.body === null ? "no body" : "body"}`));
    expect(await (await fetch(`${base}/api/trpc/x`)).text()).toBe("GET no body");
  });
});
