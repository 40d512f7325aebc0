import { test as base } from "@playwright/test";
import { freezeHotReload } from "./hmr";

export { expect } from "@playwright/test";

/** Playwright's test with a page that ignores next dev's reload requests (see hmr.ts). */
export const test = base.extend({
  page: async ({ page }, use) => {
    await freezeHotReload(page);
    await use(page);
  },
});
