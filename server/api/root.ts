import { router } from "./trpc";
import { catalogRouter } from "./routers/catalog";

// Every router, listed by hand.
export const appRouter = router({
  catalog: catalogRouter,
});

export type AppRouter = typeof appRouter;
