import { router } from "./trpc";

// Every router, listed by hand.
export const appRouter = router({});

export type AppRouter = typeof appRouter;
