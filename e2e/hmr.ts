import type { Page } from "@playwright/test";

// `next dev` tells open pages to reload when files change, and other people edit this checkout while
// the suite runs. Pass the HMR socket through but drop its "restart" and "reload" messages, so a test
// (or a screenshot) never loses its page to an edit made elsewhere.

const HMR_SOCKET = /\/_next\/(webpack-)?hmr/;

// Messages that make the client reload the page or re-render from the server (Next 16 names them in
// `type`; older versions used `action`).
const RELOADING = new Set(["reload", "reloadPage", "serverComponentChanges", "staticParamsChanged", "addedPage", "removedPage", "middlewareChanges"]);

function isReload(message: string | Buffer): boolean {
  if (typeof message !== "string") return false;
  try {
    const m = JSON.parse(message) as { type?: string; action?: string; data?: { type?: string }[] };
    if (RELOADING.has(m.type ?? "") || RELOADING.has(m.action ?? "")) return true;
    return m.type === "turbopack-message" && Array.isArray(m.data) && m.data.some((d) => d.type === "restart");
  } catch {
    return false;
  }
}

export async function freezeHotReload(page: Page): Promise<void> {
  await page.routeWebSocket(HMR_SOCKET, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => { if (!isReload(m)) ws.send(m); });
    ws.onMessage((m) => server.send(m));
  });
}
